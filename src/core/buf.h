/* buf.h - growable byte buffer with a hard size cap, for data that came from
 * outside (request bodies, rendered documents). Modelled on curl's dynbuf:
 * appending past the cap fails with MQ_ETOOBIG and leaves the buffer as it was.
 * The contents are always NUL-terminated for convenience. */
#ifndef MQ_BUF_H
#define MQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct mq_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len */
    int fixed;  /* data is caller storage: never grown or freed */
};

void mq_buf_init(struct mq_buf *b, size_t cap);
/* Uses caller storage of `size` bytes (cap = size - 1); nothing is allocated. */
void mq_buf_init_fixed(struct mq_buf *b, char *storage, size_t size);
void mq_buf_cleanup(struct mq_buf *b);
void mq_buf_reset(struct mq_buf *b);

MQ_MUST_CHECK mq_err mq_buf_add(struct mq_buf *b, const void *p, size_t n);
MQ_MUST_CHECK mq_err mq_buf_adds(struct mq_buf *b, const char *s);
MQ_MUST_CHECK mq_err mq_buf_printf(struct mq_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends `s` (n bytes) as the inside of a JSON string: quotes, backslashes
 * and control characters escaped, invalid UTF-8 replaced by U+FFFD. */
MQ_MUST_CHECK mq_err mq_buf_add_json_str(struct mq_buf *b, const char *s, size_t n);

/* Hands the contents to the caller (free() them) and resets the buffer. */
char *mq_buf_steal(struct mq_buf *b, size_t *len);

#endif
