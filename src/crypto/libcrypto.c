#include "crypto/libcrypto.h"

#include <pthread.h>
#include <stdio.h>

#include "core/dynlib.h"

#define SYM(name) MQ_DYNSYM(struct mq_libcrypto, #name, name),

static const struct mq_dynsym symbols[] = {MQ_LIBCRYPTO_FUNCTIONS(SYM)};

/* Process-wide like the library itself: loaded once, read-only after. */
static struct mq_libcrypto table;
static const struct mq_libcrypto *loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char why[256];
    if (mq_dynlib_load(MQ_LIBCRYPTO_SONAME, "libssl3", symbols,
                       sizeof(symbols) / sizeof(symbols[0]), &table, &table.handle, why,
                       sizeof(why)) == MQ_OK)
        loaded = &table;
    else
        fprintf(stderr, "marquee: WebAuthn is unavailable: %s\n", why);
}

const struct mq_libcrypto *mq_libcrypto(void)
{
    pthread_once(&once, load);
    return loaded;
}
