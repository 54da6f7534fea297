/* csv_fuzz - uploaded exports as the CSV reader takes them (track/csv.h):
 * any bytes are text or refused with a code; the reader always ends, every
 * record it returns lies inside the text, starts on a later line than the
 * one before, has at most MQ_CSV_FIELDS_MAX terminated fields, and is
 * either well formed UTF-8 or marked malformed. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "track/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    struct mq_arena *a = mq_arena_new(0);
    if (!a) return 0;
    const char *text = NULL, *why = NULL;
    size_t n = 0;
    mq_err err = mq_csv_text(a, (const char *)data, size, &text, &n, &why);
    if (err == MQ_EINVAL) {
        if (!why || (strcmp(why, "not_text") && strcmp(why, "invalid_utf16"))) abort();
    } else if (err == MQ_OK) {
        if (memchr(text, '\0', n)) abort();
        struct mq_csv c;
        struct mq_csv_row row;
        int64_t last = 0;
        size_t rows = 0;
        mq_csv_init(&c, text, n);
        while (mq_csv_next(&c, a, &row)) {
            if (++rows > n + 1 || row.line <= last) abort();
            last = row.line;
            if (row.raw < text || row.raw + row.raw_len > text + n) abort();
            if (row.error && !strcmp(row.error, "out_of_memory")) break;
            if (row.error) continue;
            if (row.n < 1 || row.n > MQ_CSV_FIELDS_MAX) abort();
            for (size_t i = 0; i < row.n; i++)
                if (!row.fields[i] || !mq_utf8_valid(row.fields[i], strlen(row.fields[i]))) abort();
        }
    } else if (err != MQ_ENOMEM && err != MQ_EUNSUPPORTED) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
