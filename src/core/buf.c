#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

void mq_buf_init(struct mq_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
    b->fixed = 0;
}

void mq_buf_init_fixed(struct mq_buf *b, char *storage, size_t size)
{
    b->data = storage;
    b->len = 0;
    b->alloc = size;
    b->cap = size - 1;
    b->fixed = 1;
    storage[0] = '\0';
}

void mq_buf_cleanup(struct mq_buf *b)
{
    if (!b->fixed) free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void mq_buf_reset(struct mq_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static mq_err buf_reserve(struct mq_buf *b, size_t extra)
{
    if (extra > b->cap || b->len > b->cap - extra) return MQ_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc) return MQ_OK;
    if (b->fixed) return MQ_ETOOBIG;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need) n *= 2;
    if (n > b->cap + 1) n = b->cap + 1;
    char *p = realloc(b->data, n);
    if (!p) return MQ_ENOMEM;
    b->data = p;
    b->alloc = n;
    return MQ_OK;
}

mq_err mq_buf_add(struct mq_buf *b, const void *p, size_t n)
{
    mq_err err = buf_reserve(b, n);
    if (err) return err;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return MQ_OK;
}

mq_err mq_buf_adds(struct mq_buf *b, const char *s)
{
    return mq_buf_add(b, s, strlen(s));
}

mq_err mq_buf_printf(struct mq_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return MQ_EINVAL;
    mq_err err = buf_reserve(b, (size_t)n);
    if (err) return err;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return MQ_OK;
}

mq_err mq_buf_add_json_str(struct mq_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    mq_err err = MQ_OK;

    while (i < n && !err) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t len = mq_utf8_sequence_len(s + i, n - i);
            if (len == 0) {
                err = mq_buf_add(b, "\xef\xbf\xbd", 3);
                i++;
            } else {
                err = mq_buf_add(b, s + i, len);
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"': err = mq_buf_add(b, "\\\"", 2); break;
        case '\\': err = mq_buf_add(b, "\\\\", 2); break;
        case '\n': err = mq_buf_add(b, "\\n", 2); break;
        case '\r': err = mq_buf_add(b, "\\r", 2); break;
        case '\t': err = mq_buf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                err = mq_buf_add(b, esc, sizeof(esc));
            } else {
                err = mq_buf_add(b, s + i, 1);
            }
        }
        i++;
    }
    return err;
}

char *mq_buf_steal(struct mq_buf *b, size_t *len)
{
    char *p = b->data;
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
