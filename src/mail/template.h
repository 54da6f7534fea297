/* template.h - the e-mail Marquee sends, from share/mail/NAME.{txt,html}.
 *
 * Templates are compiled into the binary (tools/mq-embed checks them at
 * build time). A placeholder is {{name}}; values come from a JSON object of
 * strings, escaped for where the text goes (HTML in the HTML part,
 * Markdown for the notification channels that render it). {{{name}}} is a
 * value put in as it is: only for text the caller escaped itself (a
 * digest's list). A placeholder without a value is an error rather than
 * an empty hole in someone's mail. The subject takes placeholders too;
 * control characters in its values become spaces, so no value can start a
 * header of its own.
 *
 * The notifications' templates (notify-EVENT, with the event's dots as
 * dashes) live here too, so that every message Marquee writes for people
 * is in one place: the subject is a notification's title, the text its
 * body on every channel, the HTML its e-mail. */
#ifndef MQ_MAIL_TEMPLATE_H
#define MQ_MAIL_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct mq_mail_template {
    const char *name, *subject, *text, *html;
};

/* Generated from share/mail by tools/mq-embed; NULL-name terminated. */
extern const struct mq_mail_template mq_mail_templates[];
extern const size_t mq_mail_templates_count;

/* NULL when there is no such template. */
const struct mq_mail_template *mq_mail_template_find(const char *name);

enum mq_escape {
    MQ_ESCAPE_NONE,     /* plain text */
    MQ_ESCAPE_HTML,     /* & < > " ' as entities */
    MQ_ESCAPE_MARKDOWN, /* Markdown's punctuation behind a backslash */
    MQ_ESCAPE_SUBJECT,  /* plain, with control characters as spaces */
};

/* Fills `tmpl` from `vars` into the arena. MQ_EINVAL with *missing naming
 * the first placeholder that has no string value. */
MQ_MUST_CHECK mq_err mq_mail_render(struct mq_arena *a, const char *tmpl, const json_t *vars,
                                    enum mq_escape escape, char **out, const char **missing);

/* Appends s escaped as `escape` says. */
MQ_MUST_CHECK mq_err mq_escape_add(struct mq_buf *b, const char *s, enum mq_escape escape);

#endif
