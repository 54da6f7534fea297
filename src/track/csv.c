#include "track/csv.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "core/utf8.h"

mq_err mq_csv_text(struct mq_arena *a, const char *data, size_t n, const char **out, size_t *outn,
                   const char **why)
{
    const unsigned char *u = (const unsigned char *)data;
    const char *from = NULL;
    *out = NULL;
    *outn = 0;
    if (n >= 2 && u[0] == 0xff && u[1] == 0xfe) from = "UTF-16LE";
    if (n >= 2 && u[0] == 0xfe && u[1] == 0xff) from = "UTF-16BE";
    if (!from) {
        if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
            data += 3;
            n -= 3;
        }
        if (memchr(data, '\0', n)) {
            *why = "not_text";
            return MQ_EINVAL;
        }
        *out = data;
        *outn = n;
        return MQ_OK;
    }
    if (n % 2) {
        *why = "invalid_utf16";
        return MQ_EINVAL;
    }
    /* At most three bytes of UTF-8 for each two of UTF-16 (a surrogate
     * pair's four make four). */
    size_t room = (n - 2) / 2 * 3 + 1;
    char *buf = mq_arena_alloc(a, room);
    if (!buf) return MQ_ENOMEM;
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return MQ_EUNSUPPORTED;
    char *in = (char *)data + 2, *o = buf;
    size_t inleft = n - 2, outleft = room - 1;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (r == (size_t)-1 || inleft) {
        *why = "invalid_utf16";
        return MQ_EINVAL;
    }
    *o = '\0';
    if (memchr(buf, '\0', (size_t)(o - buf))) {
        *why = "not_text";
        return MQ_EINVAL;
    }
    *out = buf;
    *outn = (size_t)(o - buf);
    return MQ_OK;
}

void mq_csv_init(struct mq_csv *c, const char *text, size_t n)
{
    c->p = text;
    c->end = text + n;
    c->line = 1;
    if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) c->p += 3;
}

bool mq_csv_formula(const char *cell)
{
    return cell && (*cell == '=' || *cell == '+' || *cell == '-' || *cell == '@' || *cell == '\t' ||
                    *cell == '\r');
}

/* The end of the physical line at p (its '\n', or the end). */
static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* Room for one field while it is read. */
struct field {
    char *buf;
    size_t len, cap;
};

static bool field_put(struct field *f, struct mq_arena *a, const char *s, size_t n)
{
    if (f->len + n + 1 > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        while (cap < f->len + n + 1) cap *= 2;
        char *b = mq_arena_alloc(a, cap);
        if (!b) return false;
        if (f->len) memcpy(b, f->buf, f->len);
        f->buf = b;
        f->cap = cap;
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
    f->buf[f->len] = '\0';
    return true;
}

bool mq_csv_next(struct mq_csv *c, struct mq_arena *a, struct mq_csv_row *row)
{
    memset(row, 0, sizeof(*row));
    if (c->p >= c->end) return false;
    const char **fields = mq_arena_calloc(a, MQ_CSV_FIELDS_MAX, sizeof(*fields));
    if (!fields) goto oom;
    const char *start = c->p, *p = c->p, *end = c->end;
    int64_t lines = 0;
    row->line = c->line;
    row->fields = fields;
    for (;;) {
        struct field f = {0};
        if (!field_put(&f, a, "", 0)) goto oom;
        if (p < end && *p == '"') {
            /* Quoted: up to the quote that is not doubled. */
            const char *q = p + 1;
            for (;;) {
                const char *close = memchr(q, '"', (size_t)(end - q));
                if (!close) {
                    /* Never closed: this line alone is the bad record. */
                    const char *le = line_end(start, end);
                    row->error = "unterminated_quote";
                    row->raw = start;
                    row->raw_len = (size_t)(le - start);
                    if (row->raw_len && start[row->raw_len - 1] == '\r') row->raw_len--;
                    c->p = le < end ? le + 1 : end;
                    c->line++;
                    return true;
                }
                if (!field_put(&f, a, q, (size_t)(close - q))) goto oom;
                for (const char *k = q; k < close; k++) lines += *k == '\n';
                if (close + 1 < end && close[1] == '"') {
                    if (!field_put(&f, a, "\"", 1)) goto oom;
                    q = close + 2;
                    continue;
                }
                p = close + 1;
                break;
            }
        }
        /* Unquoted, or what follows a closing quote: up to a comma or the
         * end of the line. */
        const char *stop = p;
        while (stop < end && *stop != ',' && *stop != '\n') stop++;
        size_t n = (size_t)(stop - p);
        if (stop < end && *stop == '\n' && n && p[n - 1] == '\r')
            n--;
        else if (stop == end && n && p[n - 1] == '\r')
            n--;
        if (!field_put(&f, a, p, n)) goto oom;
        if (f.len > MQ_CSV_FIELD_MAX && !row->error) row->error = "field_too_long";
        if (!mq_utf8_valid(f.buf, f.len) && !row->error) row->error = "invalid_utf8";
        if (row->n < MQ_CSV_FIELDS_MAX)
            fields[row->n++] = f.buf;
        else if (!row->error)
            row->error = "too_many_fields";
        p = stop;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    row->raw = start;
    row->raw_len = (size_t)(p - start);
    if (row->raw_len && start[row->raw_len - 1] == '\r') row->raw_len--;
    row->blank = row->n == 1 && !fields[0][0] && row->raw_len == 0;
    c->line += lines + 1;
    c->p = p < end ? p + 1 : end;
    return true;
oom:
    row->error = "out_of_memory";
    c->p = c->end;
    return true;
}
