/* title_fuzz - titles as identification compares them (metadata/score.h):
 * any bytes give terminated keys and variants, similarities within 0-1000,
 * and never a variant equal to the title. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "metadata/score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048) return 0;
    char *a = malloc(size + 1);
    if (!a) return 0;
    memcpy(a, data, size);
    a[size] = 0;
    char *b = strchr(a, '\n');
    if (b) *b++ = 0;
    char k[MQ_TITLE_KEY_MAX];
    mq_title_key(a, k);
    if (strnlen(k, sizeof(k)) >= sizeof(k)) abort();
    int sim = mq_title_similarity(a, b ? b : a);
    if (sim < 0 || sim > 1000) abort();
    char v[4][MQ_VARIANT_MAX];
    size_t n = mq_title_variants(a, v, 4);
    if (n > 4) abort();
    for (size_t i = 0; i < n; i++) {
        char kv[MQ_TITLE_KEY_MAX];
        if (strnlen(v[i], MQ_VARIANT_MAX) >= MQ_VARIANT_MAX) abort();
        mq_title_key(v[i], kv);
        if (!kv[0] || !strcmp(kv, k)) abort();
    }
    free(a);
    return 0;
}
