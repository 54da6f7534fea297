/* url_fuzz - request paths and URL-encoded query values, as they come off
 * the wire (http/router.h). The first byte picks the parser. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "fuzz.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data + 1, size - 1);
    size_t n = strlen(s); /* inputs end at their first NUL, as C strings from the wire do */
    const char **segs = NULL, *why = NULL;
    size_t nsegs = 0;
    char *out = NULL;
    if (data[0] % 2 == 0) {
        if (mq_path_split(a, s, &segs, &nsegs, &why) == MQ_OK) {
            for (size_t i = 0; i < nsegs; i++) {
                /* Every accepted segment is UTF-8 without NUL, and never a dot segment. */
                if (!mq_utf8_valid(segs[i], strlen(segs[i]))) abort();
                if (!strcmp(segs[i], ".") || !strcmp(segs[i], "..")) abort();
            }
        } else if (!why) {
            abort(); /* a refusal always says why */
        }
    } else if (mq_url_decode(a, s, n, true, &out) == MQ_OK && !mq_utf8_valid(out, strlen(out))) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
