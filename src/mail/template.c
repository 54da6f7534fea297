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

mq_err mq_escape_add(struct mq_buf *b, const char *s, enum mq_escape escape)
{
    mq_err err = MQ_OK;
    if (escape == MQ_ESCAPE_NONE) return mq_buf_adds(b, s);
    for (; *s && !err; s++) {
        unsigned char c = (unsigned char)*s;
        if (escape == MQ_ESCAPE_SUBJECT) {
            err = c < 0x20 || c == 0x7f ? mq_buf_adds(b, " ") : mq_buf_add(b, s, 1);
        } else if (escape == MQ_ESCAPE_MARKDOWN) {
            /* CommonMark's escapable punctuation: every one of them, so
             * that a title can neither link, format nor start a block. */
            if (c < 0x80 && strchr("\\`*_{}[]()<>#+-.!|~=\"'$&:;/@^%?,", c) && c)
                err = mq_buf_add(b, "\\", 1);
            if (!err) err = c == '\n' || c == '\r' ? mq_buf_adds(b, " ") : mq_buf_add(b, s, 1);
        } else {
            switch (c) {
            case '&': err = mq_buf_adds(b, "&amp;"); break;
            case '<': err = mq_buf_adds(b, "&lt;"); break;
            case '>': err = mq_buf_adds(b, "&gt;"); break;
            case '"': err = mq_buf_adds(b, "&quot;"); break;
            case '\'': err = mq_buf_adds(b, "&#39;"); break;
            default: err = mq_buf_add(b, s, 1);
            }
        }
    }
    return err;
}

mq_err mq_mail_render(struct mq_arena *a, const char *tmpl, const json_t *vars,
                      enum mq_escape escape, char **out, const char **missing)
{
    struct mq_buf b;
    mq_err err = MQ_OK;
    const char *p = tmpl, *open;
    *missing = NULL;
    mq_buf_init(&b, RENDERED_MAX);
    while (!err && (open = strstr(p, "{{"))) {
        bool raw = open[2] == '{';
        const char *start = open + (raw ? 3 : 2);
        const char *close = strstr(start, raw ? "}}}" : "}}");
        if (!close) break; /* tools/mq-embed refuses such templates */
        err = mq_buf_add(&b, p, (size_t)(open - p));
        char *name = mq_arena_strndup(a, start, (size_t)(close - start));
        if (!name) err = MQ_ENOMEM;
        if (err) break;
        const char *value = json_string_value(json_object_get(vars, name));
        if (!value) {
            *missing = name;
            err = MQ_EINVAL;
            break;
        }
        err = mq_escape_add(&b, value, raw ? MQ_ESCAPE_NONE : escape);
        p = close + (raw ? 3 : 2);
    }
    if (!err) err = mq_buf_adds(&b, p);
    if (!err) {
        *out = mq_arena_strndup(a, b.data ? b.data : "", b.len);
        if (!*out) err = MQ_ENOMEM;
    }
    mq_buf_cleanup(&b);
    return err;
}
