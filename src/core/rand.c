#include "core/rand.h"

#include <sodium.h>

static void system_fill(void *cls, void *buf, size_t n)
{
    (void)cls;
    randombytes_buf(buf, n);
}

const struct mq_rng mq_rng_system = {system_fill, NULL};
