/* fuzz.h - what the libFuzzer drivers share: the entry points, and a
 * reader for inputs made of several fields, each a 2-byte big-endian length
 * and its bytes (tests/fuzz/seeds.py writes seeds in that form).
 *
 * Each driver is built twice: with clang's libFuzzer for real runs
 * (make fuzz, tests/fuzz/run.sh) and with replay.c, which feeds it the
 * files of its corpus, so the suite checks every corpus under ASan and
 * UBSan with any compiler. */
#ifndef MQ_FUZZ_H
#define MQ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fuzz_input {
    const uint8_t *p;
    size_t left;
};

/* The next field; false (and *len 0) when the input has run out. */
static inline bool fuzz_field(struct fuzz_input *in, const uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (in->left < 2) return false;
    size_t n = (size_t)in->p[0] << 8 | in->p[1];
    in->p += 2;
    in->left -= 2;
    if (n > in->left) n = in->left;
    *data = in->p;
    *len = n;
    in->p += n;
    in->left -= n;
    return true;
}

/* A field as a C string in the arena ("" for none). */
static inline const char *fuzz_text(struct mq_arena *a, const uint8_t *data, size_t len)
{
    return data ? mq_arena_strndup(a, (const char *)data, len) : "";
}

#endif
