/* paths_fuzz - file names kept escaped (media/paths.h): the escaped form
 * is valid UTF-8 without control characters and gives back the exact
 * bytes; normalising accepts only absolute paths without "..". */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "fuzz.h"
#include "media/paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *esc = mq_path_escape(a, (const char *)data, size);
    if (!esc || !mq_utf8_valid(esc, strlen(esc))) abort();
    for (const char *p = esc; *p; p++)
        if ((unsigned char)*p < 0x20) abort();
    size_t n = 0;
    char *back = mq_path_unescape(a, esc, &n);
    if (memchr(data, 0, size)) {
        /* NUL bytes are escaped but cannot come back into a C path. */
        if (back) abort();
    } else if (!back || n != size || memcmp(back, data, size)) {
        abort();
    }
    char *text = mq_arena_strndup(a, (const char *)data, size);
    const char *why = NULL;
    char *norm = mq_path_normalize(a, text, &why);
    if (norm) {
        if (norm[0] != '/' || strstr(norm, "//") || strstr(norm, "/../") ||
            (strlen(norm) > 1 && norm[strlen(norm) - 1] == '/'))
            abort();
        if (!mq_path_within("/", norm) || !mq_path_within(norm, norm)) abort();
    } else if (!why) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
