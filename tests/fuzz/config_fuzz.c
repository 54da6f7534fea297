/* config_fuzz - every key's value parser (core/config.h): durations,
 * sizes, rates, addresses, lists, networks, URLs, names, choices. The first
 * byte picks the key, the rest is the value, as a flag, the environment,
 * the file or an admin's setting would give it. A value accepted prints as
 * text that is accepted again and prints the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/config.h"
#include "fuzz.h"

static struct mq_config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (mq_config_init(&cfg)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) return 0;
    size_t key = data[0] % mq_config_key_count();
    struct mq_arena *a = mq_arena_new(0);
    char *value = mq_arena_strndup(a, (const char *)data + 1, size - 1);
    char err[512], text[8192], again[8192];
    if (mq_config_set(&cfg, key, value, MQ_SRC_SETTINGS, err, sizeof(err)) == MQ_OK) {
        mq_config_text(&cfg, key, false, text, sizeof(text));
        if (mq_config_set(&cfg, key, text, MQ_SRC_SETTINGS, err, sizeof(err)) != MQ_OK) abort();
        mq_config_text(&cfg, key, false, again, sizeof(again));
        if (strcmp(text, again)) abort();
    } else if (!err[0]) {
        abort(); /* a refusal names the key and why */
    }
    mq_arena_free(a);
    return 0;
}
