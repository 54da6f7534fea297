/* template.h - the e-mail Marquee sends, from share/mail/NAME.{txt,html}.
 *
 * Templates are compiled into the binary (tools/mq-embed checks them at
 * build time). A placeholder is {{name}}; values come from a JSON object of
 * strings, HTML-escaped in the HTML part. A placeholder without a value is
 * an error rather than an empty hole in someone's mail. */
#ifndef MQ_MAIL_TEMPLATE_H
#define MQ_MAIL_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct mq_mail_template {
    const char *name, *subject, *text, *html;
};

/* Generated from share/mail by tools/mq-embed; NULL-name terminated. */
extern const struct mq_mail_template mq_mail_templates[];
extern const size_t mq_mail_templates_count;

/* NULL when there is no such template. */
const struct mq_mail_template *mq_mail_template_find(const char *name);

/* Fills `tmpl` from `vars` into the arena. MQ_EINVAL with *missing naming
 * the first placeholder that has no string value. */
MQ_MUST_CHECK mq_err mq_mail_render(struct mq_arena *a, const char *tmpl, const json_t *vars,
                                    bool html, char **out, const char **missing);

#endif
