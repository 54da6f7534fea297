/* parental_fuzz - what members send as parental controls (media/
 * parental.h): viewing windows are accepted only within their bounds, and
 * any rating text maps to a level on the ladder or to none. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "fuzz.h"
#include "media/parental.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384) return 0;
    struct fuzz_input in = {data, size};
    const uint8_t *f;
    size_t n;
    struct mq_arena *a = mq_arena_new(0);
    if (fuzz_field(&in, &f, &n)) {
        json_t *doc = json_loadb((const char *)f, n, 0, NULL);
        struct mq_window w[MQ_PARENTAL_WINDOWS_MAX];
        size_t nw = 99;
        const char *why = NULL;
        if (doc && mq_parental_parse_windows(doc, w, &nw, &why)) {
            if (nw > MQ_PARENTAL_WINDOWS_MAX) abort();
            for (size_t i = 0; i < nw; i++)
                if (!w[i].days || w[i].days > 127 || w[i].from < 0 || w[i].from >= 1440 ||
                    w[i].to < 0 || w[i].to > 1440 || w[i].from == w[i].to)
                    abort();
        } else if (doc && !why) {
            abort();
        }
        json_decref(doc);
    }
    const uint8_t *sys, *val;
    size_t ns, nv;
    if (fuzz_field(&in, &sys, &ns) && fuzz_field(&in, &val, &nv)) {
        char *s = mq_arena_strndup(a, (const char *)sys, ns);
        char *v = mq_arena_strndup(a, (const char *)val, nv);
        int level = mq_rating_level(ns ? s : NULL, v);
        if (level < 0 || level > 5) abort();
    }
    mq_arena_free(a);
    return 0;
}
