/* libpq.h - libpq, loaded at run time by the PostgreSQL backend.
 *
 * Linking libpq drags OpenSSL, Kerberos and LDAP into every process, which
 * costs a server that only uses SQLite about 2.9 MB of resident memory
 * (bench/README.md). So the binary does not link it: the PostgreSQL backend
 * loads it with dlopen when a postgres:// URL is configured, and keeps the
 * functions it uses in this table. Only the types come from libpq-fe.h. */
#ifndef MQ_LIBPQ_H
#define MQ_LIBPQ_H

#include <libpq-fe.h>

#include "core/err.h"

#define MQ_LIBPQ_SONAME "libpq.so.5"

struct mq_libpq {
    void *handle;
    PGconn *(*connectdb_params)(const char *const *keywords, const char *const *values,
                                int expand_dbname);
    void (*finish)(PGconn *conn);
    ConnStatusType (*status)(const PGconn *conn);
    int (*consume_input)(PGconn *conn);
    char *(*error_message)(const PGconn *conn);
    PQnoticeProcessor (*set_notice_processor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*prepare)(PGconn *conn, const char *name, const char *query, int nparams,
                         const Oid *types);
    PGresult *(*exec_prepared)(PGconn *conn, const char *name, int nparams,
                               const char *const *values, const int *lengths, const int *formats,
                               int result_format);
    ExecStatusType (*result_status)(const PGresult *res);
    char *(*result_error_message)(const PGresult *res);
    char *(*result_error_field)(const PGresult *res, int field);
    int (*ntuples)(const PGresult *res);
    char *(*getvalue)(const PGresult *res, int row, int col);
    int (*getisnull)(const PGresult *res, int row, int col);
    char *(*cmd_tuples)(PGresult *res);
    void (*clear)(PGresult *res);
    int (*lib_version)(void);
};

/* Loads libpq and resolves every function above. MQ_EUNSUPPORTED (with a
 * message in errbuf) when the library or a symbol is missing. */
MQ_MUST_CHECK mq_err mq_libpq_load(struct mq_libpq *pq, char *errbuf, size_t errlen);
void mq_libpq_unload(struct mq_libpq *pq);

#endif
