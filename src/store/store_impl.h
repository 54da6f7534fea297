/* store_impl.h - what a backend implements. Private to src/store/. */
#ifndef MQ_STORE_IMPL_H
#define MQ_STORE_IMPL_H

#include <stdatomic.h>

#include "store/store.h"

/* Pointer-keyed cache of prepared statements, one per connection. */
struct stmt_cache_entry {
    const struct mq_sql *key;
    void *stmt; /* sqlite3_stmt*, or the prepared name's number on PostgreSQL */
};

struct stmt_cache {
    struct stmt_cache_entry *slots;
    size_t cap; /* power of two, 0 before first use */
    size_t count;
};

void *stmt_cache_get(const struct stmt_cache *c, const struct mq_sql *key);
MQ_MUST_CHECK mq_err stmt_cache_put(struct stmt_cache *c, const struct mq_sql *key, void *stmt);
/* Calls fn on each cached statement, then empties the cache. */
void stmt_cache_clear(struct stmt_cache *c, void (*fn)(void *stmt));

struct mq_rows {
    struct mq_db *db;
    mq_err err;
    bool open;
    void *stmt; /* sqlite3_stmt* */
    void *res;  /* PGresult* */
    int row, nrows;
};

/* An event published in a transaction, held until it ends. */
struct db_event {
    struct mq_events *bus;
    char kind[MQ_EVENT_KIND_MAX + 1];
    char subject[MQ_EVENT_FIELD_MAX + 1], user_id[MQ_EVENT_FIELD_MAX + 1];
    char *detail; /* malloc'd, or NULL */
    bool has_subject, has_user;
};

struct mq_db {
    struct mq_store *store;
    enum mq_db_mode mode;
    bool in_tx;
    bool broken; /* connection lost: reconnect before next use */
    struct mq_rows rows;
    uint64_t taken_ns;
    struct db_event *events; /* published in this transaction (malloc'd) */
    int nevents, cap_events;
};

struct mq_store_ops {
    const char *name;
    MQ_MUST_CHECK mq_err (*acquire)(struct mq_store *s, enum mq_db_mode mode, struct mq_db **out);
    void (*release)(struct mq_db *db);
    MQ_MUST_CHECK mq_err (*script)(struct mq_db *db, const char *sql);
    MQ_MUST_CHECK mq_err (*run)(struct mq_db *db, const struct mq_sql *sql,
                                const struct mq_param *p, size_t n, bool want_rows,
                                int64_t *changes);
    bool (*next)(struct mq_rows *rows);
    const char *(*text)(struct mq_rows *rows, int col);
    int64_t (*integer)(struct mq_rows *rows, int col);
    bool (*null)(struct mq_rows *rows, int col);
    void (*close_rows)(struct mq_rows *rows);
    void (*destroy)(struct mq_store *s);
    int (*in_use)(struct mq_store *s);
};

struct mq_store {
    const struct mq_store_ops *ops;
    enum mq_store_backend backend;
    const struct mq_log *log;
    int pool_size;
    int acquire_timeout_ms;
    atomic_uint_fast64_t acquired, waited, timeouts, errors, connects, wait_ns;
};

MQ_MUST_CHECK mq_err mq_sqlite_open(const struct mq_store_opts *opts, struct mq_store **out);
MQ_MUST_CHECK mq_err mq_postgres_open(const struct mq_store_opts *opts, struct mq_store **out);

#endif
