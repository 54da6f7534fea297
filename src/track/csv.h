/* csv.h - reading the CSV files services export: RFC 4180 and the
 * liberties real files take.
 *
 * Records are separated by LF or CRLF; a field in double quotes may hold
 * commas, doubled quotes and line breaks. A quote inside an unquoted field,
 * or after a closing one, is kept as a character (exporters write them).
 * A malformed record is returned with its line number and the reason, and
 * reading goes on after it: an opening quote never closed takes only its
 * own line, so one bad row cannot swallow the rest of the file. Text must
 * be UTF-8 (mq_csv_text converts the rest); a record that is not is
 * malformed. */
#ifndef MQ_TRACK_CSV_H
#define MQ_TRACK_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_CSV_FIELDS_MAX 64         /* fields of a record */
#define MQ_CSV_FIELD_MAX  (64 << 10) /* bytes of a field (a review) */

/* The bytes as UTF-8 text: a UTF-8 byte order mark is dropped, UTF-16
 * (either order, with its mark) is converted. MQ_EINVAL with *why:
 * "not_text" (NUL bytes without a UTF-16 mark), "invalid_utf16". Text that
 * needs no change is returned as it is (not copied). */
MQ_MUST_CHECK mq_err mq_csv_text(struct mq_arena *a, const char *data, size_t n, const char **out,
                                 size_t *outn, const char **why);

struct mq_csv {
    const char *p, *end;
    int64_t line; /* of the next record, from 1 */
};

struct mq_csv_row {
    const char **fields; /* NUL-terminated copies, in the arena */
    size_t n;
    int64_t line;    /* where the record starts */
    const char *raw; /* the record as written, without its line break */
    size_t raw_len;
    bool blank;        /* an empty line */
    const char *error; /* NULL, or unterminated_quote, too_many_fields, field_too_long,
                          invalid_utf8 */
};

void mq_csv_init(struct mq_csv *c, const char *text, size_t n);

/* The next record: false at the end of the text. MQ_ENOMEM sets
 * row->error to "out_of_memory" and ends the reading. */
bool mq_csv_next(struct mq_csv *c, struct mq_arena *a, struct mq_csv_row *row);

/* Whether a cell would be read as a formula by a spreadsheet (it starts
 * with =, +, -, @, a tab or a carriage return): exports write it with a
 * leading apostrophe. */
bool mq_csv_formula(const char *cell);

#endif
