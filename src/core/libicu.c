#include "core/libicu.h"

#include <pthread.h>
#include <stdio.h>

#include "core/dynlib.h"

/* fn is a macro naming the versioned symbol: expand it before quoting. */
#define SYM(fn, field) MQ_DYNSYM(struct mq_libicu, MQ_ICU_XSTR(fn), field),

static const struct mq_dynsym symbols[] = {MQ_LIBICU_FUNCTIONS(SYM)};

/* Process-wide like the library itself: loaded once, read-only after. */
static struct mq_libicu table;
static const struct mq_libicu *loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char why[256];
    if (mq_dynlib_load(MQ_LIBICU_SONAME, MQ_LIBICU_PACKAGE, symbols,
                       sizeof(symbols) / sizeof(symbols[0]), &table, &table.handle, why,
                       sizeof(why)) == MQ_OK)
        loaded = &table;
    else
        fprintf(stderr, "marquee: ICU is unavailable (Unicode address rules, time zones): %s\n",
                why);
}

const struct mq_libicu *mq_libicu(void)
{
    pthread_once(&once, load);
    return loaded;
}
