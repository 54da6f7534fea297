#include "store/libpq.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct symbol {
    const char *name;
    size_t offset;
};

#define SYM(name, field)                                                                           \
    {                                                                                              \
        name, offsetof(struct mq_libpq, field)                                                     \
    }

static const struct symbol symbols[] = {
    SYM("PQconnectdbParams", connectdb_params),
    SYM("PQfinish", finish),
    SYM("PQstatus", status),
    SYM("PQerrorMessage", error_message),
    SYM("PQsetNoticeProcessor", set_notice_processor),
    SYM("PQexec", exec),
    SYM("PQprepare", prepare),
    SYM("PQexecPrepared", exec_prepared),
    SYM("PQresultStatus", result_status),
    SYM("PQresultErrorMessage", result_error_message),
    SYM("PQresultErrorField", result_error_field),
    SYM("PQntuples", ntuples),
    SYM("PQgetvalue", getvalue),
    SYM("PQgetisnull", getisnull),
    SYM("PQcmdTuples", cmd_tuples),
    SYM("PQclear", clear),
    SYM("PQlibVersion", lib_version),
};

mq_err mq_libpq_load(struct mq_libpq *pq, char *errbuf, size_t errlen)
{
    memset(pq, 0, sizeof(*pq));
    pq->handle = dlopen(MQ_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!pq->handle) {
        snprintf(errbuf, errlen, "cannot load %s (Debian package libpq5): %s", MQ_LIBPQ_SONAME,
                 dlerror());
        return MQ_EUNSUPPORTED;
    }
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        void *fn = dlsym(pq->handle, symbols[i].name);
        if (!fn) {
            snprintf(errbuf, errlen, "%s lacks %s", MQ_LIBPQ_SONAME, symbols[i].name);
            mq_libpq_unload(pq);
            return MQ_EUNSUPPORTED;
        }
        /* POSIX guarantees that a function pointer survives this round trip. */
        memcpy((char *)pq + symbols[i].offset, &fn, sizeof(fn));
    }
    return MQ_OK;
}

void mq_libpq_unload(struct mq_libpq *pq)
{
    if (pq->handle) dlclose(pq->handle);
    memset(pq, 0, sizeof(*pq));
}
