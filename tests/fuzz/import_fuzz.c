/* import_fuzz - exports as the import reads them (track/formats.h): the
 * first byte chooses the format (or none, to be found from the header),
 * the rest is the file. Any bytes are read or refused with one of the
 * documented codes; every entry read has a line, and its strings are
 * UTF-8 (what is not is a malformed row, never an entry's text). */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "track/csv.h"
#include "track/formats.h"

static void text_ok(const char *s)
{
    if (s && !mq_utf8_valid(s, strlen(s))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16) return 0;
    struct mq_arena *a = mq_arena_new(0);
    if (!a) return 0;
    size_t nformats = 0;
    while (mq_import_formats[nformats]) nformats++;
    const char *format =
        data[0] % (nformats + 1) == nformats ? NULL : mq_import_formats[data[0] % (nformats + 1)];
    json_t *mapping =
        json_pack("{s:s,s:s,s:s}", "title", "Title", "date", "Date", "date_format", "%m/%d/%Y");
    const char *text = NULL, *why = NULL, *detail = NULL;
    size_t n = 0;
    struct mq_import_file f;
    if (mq_csv_text(a, (const char *)data + 1, size - 1, &text, &n, &why) == MQ_OK) {
        mq_err err = mq_import_read(a, text, n, format,
                                    format && !strcmp(format, "generic") ? mapping : NULL, 200, &f,
                                    &why, &detail);
        if (err == MQ_EINVAL) {
            static const char *const codes[] = {"unknown_format", "invalid_mapping", "invalid_json",
                                                "too_many_rows", NULL};
            int k = 0;
            while (codes[k] && strcmp(codes[k], why)) k++;
            if (!codes[k]) abort();
        } else if (err == MQ_OK) {
            if (!f.format || f.n > 200 * 400) abort();
            for (size_t i = 0; i < f.n; i++) {
                const struct mq_import_entry *e = &f.entries[i];
                if (e->line < 1 && !e->raw) abort();
                text_ok(e->title);
                text_ok(e->episode_title);
                text_ok(e->raw);
                if (e->rating < 0 || e->rating > 100) abort();
            }
        } else if (err != MQ_ENOMEM) {
            abort();
        }
    }
    json_decref(mapping);
    mq_arena_free(a);
    return 0;
}
