/* input_fuzz - libFuzzer driver for the parsers that eat outside input:
 * request paths, URL-encoded query values, list cursors, schedule specs and
 * UTF-8 validation. The first byte picks the parser; the rest is its input.
 *
 *   make fuzz                      clang -fsanitize=fuzzer,address,undefined
 *   build/fuzz/input_fuzz tests/fuzz/corpus/input
 *
 * The suite replays the corpus with replay.c under ASan + UBSan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "http/page.h"
#include "http/router.h"
#include "jobs/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data + 1, size - 1);
    size_t n = strlen(s); /* inputs end at their first NUL, as C strings from the wire do */
    const char **segs = NULL, *why = NULL;
    size_t nsegs = 0;
    char *out = NULL;
    struct mq_schedule sched;

    switch (data[0] % 5) {
    case 0:
        if (mq_path_split(a, s, &segs, &nsegs, &why) == MQ_OK) {
            for (size_t i = 0; i < nsegs; i++) {
                /* Every accepted segment is UTF-8 without NUL, and never a dot segment. */
                if (!mq_utf8_valid(segs[i], strlen(segs[i]))) abort();
                if (!strcmp(segs[i], ".") || !strcmp(segs[i], "..")) abort();
            }
        }
        break;
    case 1:
        if (mq_url_decode(a, s, n, true, &out) == MQ_OK && !mq_utf8_valid(out, strlen(out)))
            abort();
        break;
    case 2: {
        char *pos = mq_cursor_decode(a, s);
        if (pos) {
            char *again = mq_cursor_encode(a, pos);
            if (!again || strcmp(mq_cursor_decode(a, again), pos)) abort();
        }
        break;
    }
    case 3:
        if (mq_schedule_parse(s, &sched) == MQ_OK) {
            int64_t t = 1794821400000;
            int64_t next = mq_schedule_next(&sched, t);
            if (next <= t) abort();
        }
        break;
    case 4: mq_utf8_valid((const char *)data + 1, size - 1); break;
    }
    mq_arena_free(a);
    return 0;
}
