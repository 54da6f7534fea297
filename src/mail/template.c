#include "mail/template.h"

#include <string.h>

#include "core/buf.h"

#define RENDERED_MAX (256 * 1024)

const struct mq_mail_template *mq_mail_template_find(const char *name)
{
    for (size_t i = 0; i < mq_mail_templates_count; i++)
        if (!strcmp(mq_mail_templates[i].name, name)) return &mq_mail_templates[i];
    return NULL;
}

static mq_err add_escaped(struct mq_buf *b, const char *s)
{
    mq_err err = MQ_OK;
    for (; *s && !err; s++) {
        switch (*s) {
        case '&': err = mq_buf_adds(b, "&amp;"); break;
        case '<': err = mq_buf_adds(b, "&lt;"); break;
        case '>': err = mq_buf_adds(b, "&gt;"); break;
        case '"': err = mq_buf_adds(b, "&quot;"); break;
        case '\'': err = mq_buf_adds(b, "&#39;"); break;
        default: err = mq_buf_add(b, s, 1);
        }
    }
    return err;
}

mq_err mq_mail_render(struct mq_arena *a, const char *tmpl, const json_t *vars, bool html,
                      char **out, const char **missing)
{
    struct mq_buf b;
    mq_err err = MQ_OK;
    const char *p = tmpl, *open;
    *missing = NULL;
    mq_buf_init(&b, RENDERED_MAX);
    while (!err && (open = strstr(p, "{{"))) {
        const char *close = strstr(open, "}}");
        if (!close) break; /* tools/mq-embed refuses such templates */
        err = mq_buf_add(&b, p, (size_t)(open - p));
        char *name = mq_arena_strndup(a, open + 2, (size_t)(close - open - 2));
        if (!name) err = MQ_ENOMEM;
        if (err) break;
        const char *value = json_string_value(json_object_get(vars, name));
        if (!value) {
            *missing = name;
            err = MQ_EINVAL;
            break;
        }
        err = html ? add_escaped(&b, value) : mq_buf_adds(&b, value);
        p = close + 2;
    }
    if (!err) err = mq_buf_adds(&b, p);
    if (!err) {
        *out = mq_arena_strndup(a, b.data ? b.data : "", b.len);
        if (!*out) err = MQ_ENOMEM;
    }
    mq_buf_cleanup(&b);
    return err;
}
