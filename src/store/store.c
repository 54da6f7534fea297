#include "store/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_impl.h"

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

void *stmt_cache_get(const struct stmt_cache *c, const struct mq_sql *key)
{
    if (!c->cap) return NULL;
    for (size_t i = ptr_hash(key, c->cap);; i = (i + 1) & (c->cap - 1)) {
        if (c->slots[i].key == key) return c->slots[i].stmt;
        if (!c->slots[i].key) return NULL;
    }
}

mq_err stmt_cache_put(struct stmt_cache *c, const struct mq_sql *key, void *stmt)
{
    if ((c->count + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct stmt_cache_entry *slots = calloc(cap, sizeof(*slots));
        if (!slots) return MQ_ENOMEM;
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->slots[i].key) continue;
            size_t j = ptr_hash(c->slots[i].key, cap);
            while (slots[j].key) j = (j + 1) & (cap - 1);
            slots[j] = c->slots[i];
        }
        free(c->slots);
        c->slots = slots;
        c->cap = cap;
    }
    size_t i = ptr_hash(key, c->cap);
    while (c->slots[i].key && c->slots[i].key != key) i = (i + 1) & (c->cap - 1);
    if (!c->slots[i].key) c->count++;
    c->slots[i].key = key;
    c->slots[i].stmt = stmt;
    return MQ_OK;
}

void stmt_cache_clear(struct stmt_cache *c, void (*fn)(void *stmt))
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].key && fn) fn(c->slots[i].stmt);
    free(c->slots);
    c->slots = NULL;
    c->cap = c->count = 0;
}

mq_err mq_store_open(const struct mq_store_opts *opts, struct mq_store **out)
{
    if (opts->database_url && *opts->database_url) return mq_postgres_open(opts, out);
    return mq_sqlite_open(opts, out);
}

void mq_store_close(struct mq_store *store)
{
    if (store) store->ops->destroy(store);
}

enum mq_store_backend mq_store_backend(const struct mq_store *store)
{
    return store->backend;
}

const char *mq_store_backend_name(const struct mq_store *store)
{
    return store->ops->name;
}

void mq_store_stats(struct mq_store *store, struct mq_store_stats *out)
{
    out->backend = store->ops->name;
    out->pool_size = store->pool_size;
    out->in_use = store->ops->in_use(store);
    out->acquired_total = atomic_load(&store->acquired);
    out->waited_total = atomic_load(&store->waited);
    out->timeouts_total = atomic_load(&store->timeouts);
    out->errors_total = atomic_load(&store->errors);
    out->connects_total = atomic_load(&store->connects);
    out->wait_seconds_total = (double)atomic_load(&store->wait_ns) / 1e9;
}

mq_err mq_store_begin(struct mq_store *store, enum mq_db_mode mode, struct mq_db **out)
{
    struct mq_db *db = NULL;
    mq_err err = store->ops->acquire(store, mode, &db);
    if (err) return err;
    const char *begin;
    if (store->backend == MQ_STORE_SQLITE)
        begin = mode == MQ_DB_WRITE ? "BEGIN IMMEDIATE" : "BEGIN";
    else
        begin = mode == MQ_DB_WRITE ? "BEGIN" : "BEGIN READ ONLY";
    err = store->ops->script(db, begin);
    if (err) {
        store->ops->release(db);
        return err;
    }
    db->in_tx = true;
    db->nevents = 0;
    *out = db;
    return MQ_OK;
}

mq_err mq_db_publish(struct mq_db *db, struct mq_events *bus, const struct mq_event *e)
{
    if (!bus) return MQ_OK;
    if (!mq_event_valid(e)) return MQ_EINVAL;
    if (db->nevents == MQ_DB_EVENTS_MAX) return MQ_ETOOBIG;
    if (db->nevents == db->cap_events) {
        int cap = db->cap_events ? db->cap_events * 2 : 4;
        struct db_event *grown = realloc(db->events, (size_t)cap * sizeof(*grown));
        if (!grown) return MQ_ENOMEM;
        db->events = grown;
        db->cap_events = cap;
    }
    struct db_event *d = &db->events[db->nevents];
    memset(d, 0, sizeof(*d));
    d->bus = bus;
    memcpy(d->kind, e->kind, strlen(e->kind) + 1);
    if (e->subject) memcpy(d->subject, e->subject, strlen(e->subject) + 1);
    if (e->user_id) memcpy(d->user_id, e->user_id, strlen(e->user_id) + 1);
    d->has_subject = e->subject != NULL;
    d->has_user = e->user_id != NULL;
    if (e->detail && !(d->detail = strdup(e->detail))) return MQ_ENOMEM;
    db->nevents++;
    return MQ_OK;
}

/* The events held for the transaction: delivered (commit) or not, and
 * freed. The caller has taken them off the connection, which may already
 * serve another transaction. */
static void end_events(struct db_event *events, int n, bool deliver)
{
    for (int i = 0; i < n; i++) {
        struct db_event *d = &events[i];
        struct mq_event e = {d->kind, d->has_subject ? d->subject : NULL,
                             d->has_user ? d->user_id : NULL, d->detail};
        if (deliver) mq_events_emit(d->bus, &e);
        free(d->detail);
    }
}

/* A failed ROLLBACK leaves nothing to undo: the backend has logged it, and a
 * connection that lost its server is marked broken and remade on next use. */
static void rollback_quietly(struct mq_db *db)
{
    if (db->store->ops->script(db, "ROLLBACK")) db->broken = true;
}

/* Ends a transaction's life: the connection goes back to the pool first,
 * the events come with us, and reach their subscribers (when it committed)
 * only once the data is visible. */
static void release(struct mq_db *db, bool committed)
{
    struct db_event *events = db->events;
    int n = db->nevents;
    db->events = NULL;
    db->nevents = db->cap_events = 0;
    db->store->ops->release(db);
    end_events(events, n, committed);
    free(events);
}

mq_err mq_store_commit(struct mq_db *db)
{
    mq_rows_close(&db->rows);
    mq_err err = db->store->ops->script(db, "COMMIT");
    if (err && !db->broken) rollback_quietly(db);
    db->in_tx = false;
    release(db, !err);
    return err;
}

void mq_store_rollback(struct mq_db *db)
{
    if (!db) return;
    mq_rows_close(&db->rows);
    if (db->in_tx && !db->broken) rollback_quietly(db);
    db->in_tx = false;
    release(db, false);
}

mq_err mq_store_finish(struct mq_db *db, mq_err err)
{
    if (err) {
        mq_store_rollback(db);
        return err;
    }
    return mq_store_commit(db);
}

enum mq_store_backend mq_db_backend(const struct mq_db *db)
{
    return db->store->backend;
}

static const struct mq_sql SQL_REDOABLE = {"store.redoable", "SELECT 1",
                                           "SET LOCAL synchronous_commit = off"};

mq_err mq_db_redoable(struct mq_db *db)
{
    if (db->mode != MQ_DB_WRITE) return MQ_EINVAL;
    return db->store->backend == MQ_STORE_POSTGRES ? mq_db_exec(db, &SQL_REDOABLE, NULL, 0, NULL)
                                                   : MQ_OK;
}

mq_err mq_db_exec(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                  size_t nparams, int64_t *changes)
{
    if (db->rows.open) return MQ_EINTERNAL;
    if (nparams > MQ_SQL_MAX_PARAMS) return MQ_EINVAL;
    if (changes) *changes = 0;
    return db->store->ops->run(db, sql, params, nparams, false, changes);
}

mq_err mq_db_query(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                   size_t nparams, struct mq_rows **out)
{
    if (db->rows.open) return MQ_EINTERNAL;
    if (nparams > MQ_SQL_MAX_PARAMS) return MQ_EINVAL;
    mq_err err = db->store->ops->run(db, sql, params, nparams, true, NULL);
    if (err) return err;
    *out = &db->rows;
    return MQ_OK;
}

mq_err mq_db_exec_changed(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                          size_t nparams, bool *changed)
{
    int64_t changes = 0;
    mq_err err = mq_db_exec(db, sql, params, nparams, &changes);
    *changed = !err && changes > 0;
    return err;
}

mq_err mq_db_exec_one(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                      size_t nparams)
{
    bool changed = false;
    mq_err err = mq_db_exec_changed(db, sql, params, nparams, &changed);
    return err ? err : changed ? MQ_OK : MQ_ENOTFOUND;
}

void mq_read_text(struct mq_rows *rows, struct mq_arena *a, void *out, bool *oom)
{
    *(const char **)out = mq_rows_dup(rows, 0, a, oom);
}

void mq_read_text_pair(struct mq_rows *rows, struct mq_arena *a, void *out, bool *oom)
{
    struct mq_text_pair *pair = out;
    pair->first = mq_rows_dup(rows, 0, a, oom);
    pair->second = mq_rows_dup(rows, 1, a, oom);
}

mq_err mq_db_query_one(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                       size_t nparams, struct mq_arena *a, mq_row_reader read, void *out)
{
    struct mq_rows *rows = NULL;
    bool oom = false;
    mq_err err = mq_db_query(db, sql, params, nparams, &rows);
    if (err) return err;
    err = MQ_ENOTFOUND;
    if (mq_rows_next(rows)) {
        read(rows, a, out, &oom);
        err = oom ? MQ_ENOMEM : MQ_OK;
    }
    mq_err cerr = mq_rows_close(rows);
    return cerr ? cerr : err;
}

mq_err mq_db_query_list(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                        size_t nparams, struct mq_arena *a, mq_row_reader read, size_t size,
                        size_t max, void *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    bool oom = false;
    char *items = NULL;
    size_t count = 0, cap = 0;
    *(void **)out = NULL;
    *n = 0;
    mq_err err = mq_db_query(db, sql, params, nparams, &rows);
    if (err) return err;
    while (!oom && (!max || count < max) && mq_rows_next(rows)) {
        char *grown = mq_arena_grow(a, items, count, &cap, size);
        if (!grown) {
            oom = true;
            break;
        }
        items = grown;
        memset(items + count * size, 0, size);
        read(rows, a, items + count * size, &oom);
        count++;
    }
    err = mq_rows_close(rows);
    if (!err && oom) err = MQ_ENOMEM;
    if (err) return err;
    *(void **)out = items;
    *n = count;
    return MQ_OK;
}

mq_err mq_db_query_int(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *params,
                       size_t nparams, int64_t *out)
{
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, sql, params, nparams, &rows);
    if (err) return err;
    *out = mq_rows_next(rows) ? mq_rows_int(rows, 0) : 0;
    return mq_rows_close(rows);
}

mq_err mq_db_exec_script(struct mq_db *db, const char *sql)
{
    if (db->rows.open) return MQ_EINTERNAL;
    return db->store->ops->script(db, sql);
}

bool mq_rows_next(struct mq_rows *rows)
{
    if (!rows->open || rows->err) return false;
    return rows->db->store->ops->next(rows);
}

const char *mq_rows_text(struct mq_rows *rows, int col)
{
    return rows->db->store->ops->text(rows, col);
}

const char *mq_rows_dup(struct mq_rows *rows, int col, struct mq_arena *a, bool *oom)
{
    const char *s = mq_rows_text(rows, col);
    if (!s) return NULL;
    char *copy = mq_arena_strdup(a, s);
    if (!copy) *oom = true;
    return copy;
}

int64_t mq_rows_int(struct mq_rows *rows, int col)
{
    return rows->db->store->ops->integer(rows, col);
}

bool mq_rows_null(struct mq_rows *rows, int col)
{
    return rows->db->store->ops->null(rows, col);
}

mq_err mq_rows_close(struct mq_rows *rows)
{
    if (!rows || !rows->open) return rows ? rows->err : MQ_OK;
    mq_err err = rows->err;
    rows->db->store->ops->close_rows(rows);
    rows->open = false;
    rows->err = MQ_OK;
    return err;
}

mq_err mq_store_render_metrics(struct mq_store *store, struct mq_buf *out)
{
    struct mq_store_stats s;
    mq_store_stats(store, &s);
    return mq_buf_printf(
        out,
        "# HELP marquee_db_pool_connections Database connections the pool can hand out.\n"
        "# TYPE marquee_db_pool_connections gauge\n"
        "marquee_db_pool_connections{backend=\"%s\"} %d\n"
        "# HELP marquee_db_pool_in_use Database connections handed out now.\n"
        "# TYPE marquee_db_pool_in_use gauge\n"
        "marquee_db_pool_in_use{backend=\"%s\"} %d\n"
        "# HELP marquee_db_pool_acquired_total Connections handed out.\n"
        "# TYPE marquee_db_pool_acquired_total counter\n"
        "marquee_db_pool_acquired_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_pool_waits_total Acquisitions that had to wait.\n"
        "# TYPE marquee_db_pool_waits_total counter\n"
        "marquee_db_pool_waits_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_pool_wait_seconds_total Time spent waiting for a connection.\n"
        "# TYPE marquee_db_pool_wait_seconds_total counter\n"
        "marquee_db_pool_wait_seconds_total{backend=\"%s\"} %.6f\n"
        "# HELP marquee_db_pool_timeouts_total Acquisitions that gave up waiting.\n"
        "# TYPE marquee_db_pool_timeouts_total counter\n"
        "marquee_db_pool_timeouts_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_connects_total Database connections opened.\n"
        "# TYPE marquee_db_connects_total counter\n"
        "marquee_db_connects_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_errors_total Failed statements and connection attempts.\n"
        "# TYPE marquee_db_errors_total counter\n"
        "marquee_db_errors_total{backend=\"%s\"} %llu\n",
        s.backend, s.pool_size, s.backend, s.in_use, s.backend,
        (unsigned long long)s.acquired_total, s.backend, (unsigned long long)s.waited_total,
        s.backend, s.wait_seconds_total, s.backend, (unsigned long long)s.timeouts_total, s.backend,
        (unsigned long long)s.connects_total, s.backend, (unsigned long long)s.errors_total);
}
