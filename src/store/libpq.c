#include "store/libpq.h"

#include <dlfcn.h>
#include <string.h>

#include "core/dynlib.h"

#define SYM(name, field) MQ_DYNSYM(struct mq_libpq, name, field)

static const struct mq_dynsym symbols[] = {
    SYM("PQconnectdbParams", connectdb_params),
    SYM("PQfinish", finish),
    SYM("PQstatus", status),
    SYM("PQconsumeInput", consume_input),
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
    return mq_dynlib_load(MQ_LIBPQ_SONAME, "libpq5", symbols, sizeof(symbols) / sizeof(symbols[0]),
                          pq, &pq->handle, errbuf, errlen);
}

void mq_libpq_unload(struct mq_libpq *pq)
{
    if (pq->handle) dlclose(pq->handle);
    memset(pq, 0, sizeof(*pq));
}
