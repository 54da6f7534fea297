/* postgres.c - the PostgreSQL backend: a pool of libpq connections.
 *
 * Connections are made lazily and remade after a failure, so the server can
 * start while the database is down and recovers by itself when it returns. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/deadline.h"
#include "store/libpq.h"
#include "store/store_impl.h"

struct pg_conn {
    struct mq_db db; /* first */
    PGconn *h;
    struct stmt_cache cache;
    uintptr_t next_stmt; /* prepared statements are named "mq<N>" */
    struct pg_conn *next_free;
};

struct pg_store {
    struct mq_store base; /* first */
    struct mq_libpq pq;
    char *url;
    struct pg_conn *conns;
    int nconns;
    struct pg_conn *free_conns;
    int in_use;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static const struct mq_libpq *libpq_of(const struct mq_db *db)
{
    return &((const struct pg_store *)db->store)->pq;
}

static void conn_drop(struct pg_conn *c)
{
    const struct mq_libpq *pq = libpq_of(&c->db);
    stmt_cache_clear(&c->cache, NULL);
    if (c->h) pq->finish(c->h);
    c->h = NULL;
    c->next_stmt = 0;
    c->db.broken = false;
}

/* Server notices ("relation already exists, skipping") would otherwise go
 * to stderr as plain text and break the JSON log. */
static void on_notice(void *cls, const char *message)
{
    const struct mq_log *log = cls;
    mq_log_debug(log, "store", "postgres notice: %.*s", (int)strcspn(message, "\n"), message);
}

static mq_err conn_connect(struct pg_store *st, struct pg_conn *c)
{
    /* The URL comes last so that settings it carries win over these defaults. */
    const char *const kw[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const val[] = {"3", "marquee", st->url, NULL};
    const struct mq_libpq *pq = &st->pq;
    conn_drop(c);
    c->h = pq->connectdb_params(kw, val, 1);
    atomic_fetch_add(&st->base.connects, 1);
    if (!c->h || pq->status(c->h) != CONNECTION_OK) {
        atomic_fetch_add(&st->base.errors, 1);
        char msg[256];
        snprintf(msg, sizeof(msg), "%s", c->h ? pq->error_message(c->h) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        mq_log_warn(st->base.log, "store", "postgres connect failed: %s", msg);
        conn_drop(c);
        return MQ_EUNAVAILABLE;
    }
    pq->set_notice_processor(c->h, on_notice, (void *)st->base.log);
    /* Times are stored as Unix milliseconds; the session zone only matters for
     * ad-hoc SQL, but make it predictable. */
    PGresult *r = pq->exec(c->h, "SET TIME ZONE 'UTC'");
    pq->clear(r);
    return MQ_OK;
}

static mq_err pg_acquire(struct mq_store *s, enum mq_db_mode mode, struct mq_db **out)
{
    struct pg_store *st = (struct pg_store *)s;
    struct timespec deadline;
    uint64_t t0 = mq_monotonic_ns();
    bool waited = false;
    int rc = 0;
    struct pg_conn *c = NULL;

    deadline = mq_deadline_in(CLOCK_REALTIME, s->acquire_timeout_ms);
    pthread_mutex_lock(&st->lock);
    while (!st->free_conns && !rc) {
        waited = true;
        rc = pthread_cond_timedwait(&st->cond, &st->lock, &deadline);
    }
    if (st->free_conns) {
        c = st->free_conns;
        st->free_conns = c->next_free;
        st->in_use++;
    }
    pthread_mutex_unlock(&st->lock);
    if (waited) {
        atomic_fetch_add(&s->waited, 1);
        atomic_fetch_add(&s->wait_ns, mq_monotonic_ns() - t0);
    }
    if (!c) {
        atomic_fetch_add(&s->timeouts, 1);
        return MQ_ETIMEOUT;
    }
    c->db.mode = mode;
    /* An idle connection whose server went away still says CONNECTION_OK
     * until it is read: read what is waiting (the server's goodbye, or
     * EOF), so that a restarted database costs no request a 503. */
    if (c->h && !c->db.broken && st->pq.status(c->h) == CONNECTION_OK &&
        !st->pq.consume_input(c->h))
        c->db.broken = true;
    if (!c->h || c->db.broken || st->pq.status(c->h) != CONNECTION_OK) {
        mq_err err = conn_connect(st, c);
        if (err) {
            c->db.store = s;
            s->ops->release(&c->db);
            return err;
        }
    }
    atomic_fetch_add(&s->acquired, 1);
    c->db.taken_ns = mq_monotonic_ns();
    *out = &c->db;
    return MQ_OK;
}

static void pg_release(struct mq_db *db)
{
    struct pg_store *st = (struct pg_store *)db->store;
    struct pg_conn *c = (struct pg_conn *)db;
    if (db->broken) conn_drop(c);
    pthread_mutex_lock(&st->lock);
    c->next_free = st->free_conns;
    st->free_conns = c;
    st->in_use--;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

/* Classifies a failed result; marks the connection broken when it is gone. */
static mq_err pg_fail(struct pg_conn *c, PGresult *res, const char *what)
{
    const struct mq_libpq *pq = libpq_of(&c->db);
    struct mq_store *s = c->db.store;
    const char *state = res ? pq->result_error_field(res, PG_DIAG_SQLSTATE) : NULL;
    atomic_fetch_add(&s->errors, 1);
    if (!c->h || pq->status(c->h) != CONNECTION_OK || (state && !strncmp(state, "08", 2)) ||
        (state && !strncmp(state, "57P", 3))) {
        c->db.broken = true;
        mq_log_warn(s->log, "store", "postgres connection lost during %s", what);
        return MQ_EUNAVAILABLE;
    }
    if (state && !strcmp(state, "23505")) return MQ_ECONFLICT;
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", res ? pq->result_error_message(res) : pq->error_message(c->h));
    msg[strcspn(msg, "\n")] = '\0';
    mq_log_error(s->log, "store", "postgres %s failed: %s (%s)", what, msg, state ? state : "-");
    if (state && !strcmp(state, "40001")) return MQ_ECONFLICT;
    if (state && (!strcmp(state, "55P03") || !strcmp(state, "57014"))) return MQ_ETIMEOUT;
    return MQ_EDB;
}

static mq_err pg_script(struct mq_db *db, const char *sql)
{
    const struct mq_libpq *pq = libpq_of(db);
    struct pg_conn *c = (struct pg_conn *)db;
    PGresult *res = pq->exec(c->h, sql);
    ExecStatusType t = res ? pq->result_status(res) : PGRES_FATAL_ERROR;
    mq_err err =
        (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) ? MQ_OK : pg_fail(c, res, "script");
    pq->clear(res);
    return err;
}

static mq_err pg_run(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *p, size_t n,
                     bool want_rows, int64_t *changes)
{
    struct pg_conn *c = (struct pg_conn *)db;
    char name[32];
    char nums[MQ_SQL_MAX_PARAMS][24];
    const char *values[MQ_SQL_MAX_PARAMS];
    const struct mq_libpq *pq = libpq_of(db);

    /* Statement numbers start at 1 so that 0 can mean "not prepared". */
    uintptr_t num = (uintptr_t)stmt_cache_get(&c->cache, sql);
    if (!num) {
        num = ++c->next_stmt;
        snprintf(name, sizeof(name), "mq%" PRIuPTR, num);
        PGresult *res = pq->prepare(c->h, name, sql->pg ? sql->pg : sql->sql, (int)n, NULL);
        bool ok = res && pq->result_status(res) == PGRES_COMMAND_OK;
        mq_err err = ok ? MQ_OK : pg_fail(c, res, sql->name);
        pq->clear(res);
        if (err) return err;
        err = stmt_cache_put(&c->cache, sql, (void *)num);
        if (err) return err;
    }
    snprintf(name, sizeof(name), "mq%" PRIuPTR, num);
    for (size_t i = 0; i < n; i++) {
        switch (p[i].type) {
        case MQ_PARAM_NULL: values[i] = NULL; break;
        case MQ_PARAM_TEXT: values[i] = p[i].text; break;
        case MQ_PARAM_INT:
            snprintf(nums[i], sizeof(nums[i]), "%" PRId64, p[i].i);
            values[i] = nums[i];
            break;
        }
    }
    PGresult *res = pq->exec_prepared(c->h, name, (int)n, values, NULL, NULL, 0);
    ExecStatusType t = res ? pq->result_status(res) : PGRES_FATAL_ERROR;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        mq_err err = pg_fail(c, res, sql->name);
        pq->clear(res);
        return err;
    }
    if (want_rows) {
        db->rows = (struct mq_rows){
            .db = db, .open = true, .res = res, .row = -1, .nrows = pq->ntuples(res)};
        return MQ_OK;
    }
    if (changes) {
        const char *tuples = pq->cmd_tuples(res);
        *changes = *tuples ? strtoll(tuples, NULL, 10) : 0;
    }
    pq->clear(res);
    return MQ_OK;
}

static bool pg_next(struct mq_rows *rows)
{
    if (rows->row + 1 >= rows->nrows) return false;
    rows->row++;
    return true;
}

static const char *pg_text(struct mq_rows *rows, int col)
{
    const struct mq_libpq *pq = libpq_of(rows->db);
    if (pq->getisnull(rows->res, rows->row, col)) return NULL;
    return pq->getvalue(rows->res, rows->row, col);
}

static int64_t pg_integer(struct mq_rows *rows, int col)
{
    const char *s = pg_text(rows, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

static bool pg_null(struct mq_rows *rows, int col)
{
    const struct mq_libpq *pq = libpq_of(rows->db);
    return pq->getisnull(rows->res, rows->row, col);
}

static void pg_close_rows(struct mq_rows *rows)
{
    const struct mq_libpq *pq = libpq_of(rows->db);
    pq->clear(rows->res);
    rows->res = NULL;
}

static int pg_in_use(struct mq_store *s)
{
    struct pg_store *st = (struct pg_store *)s;
    pthread_mutex_lock(&st->lock);
    int n = st->in_use;
    pthread_mutex_unlock(&st->lock);
    return n;
}

static void pg_destroy(struct mq_store *s)
{
    struct pg_store *st = (struct pg_store *)s;
    for (int i = 0; i < st->nconns; i++) conn_drop(&st->conns[i]);
    free(st->conns);
    mq_libpq_unload(&st->pq);
    free(st->url);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    free(st);
}

static const struct mq_store_ops pg_ops = {
    .name = "postgres",
    .acquire = pg_acquire,
    .release = pg_release,
    .script = pg_script,
    .run = pg_run,
    .next = pg_next,
    .text = pg_text,
    .integer = pg_integer,
    .null = pg_null,
    .close_rows = pg_close_rows,
    .destroy = pg_destroy,
    .in_use = pg_in_use,
};

mq_err mq_postgres_open(const struct mq_store_opts *opts, struct mq_store **out)
{
    struct pg_store *st = calloc(1, sizeof(*st));
    if (!st) return MQ_ENOMEM;
    st->base.ops = &pg_ops;
    st->base.backend = MQ_STORE_POSTGRES;
    st->base.log = opts->log;
    st->base.acquire_timeout_ms = opts->acquire_timeout_ms;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    char why[256];
    if (mq_libpq_load(&st->pq, why, sizeof(why))) {
        mq_log_error(opts->log, "store", "%s", why);
        pg_destroy(&st->base);
        return MQ_EUNSUPPORTED;
    }
    st->url = strdup(opts->database_url);
    st->nconns = opts->pool_size > 0 ? opts->pool_size : 1;
    st->conns = calloc((size_t)st->nconns, sizeof(*st->conns));
    if (!st->url || !st->conns) {
        pg_destroy(&st->base);
        return MQ_ENOMEM;
    }
    for (int i = 0; i < st->nconns; i++) {
        st->conns[i].db.store = &st->base;
        st->conns[i].next_free = st->free_conns;
        st->free_conns = &st->conns[i];
    }
    st->base.pool_size = st->nconns;
    *out = &st->base;
    return MQ_OK;
}
