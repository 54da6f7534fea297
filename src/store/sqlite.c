/* sqlite.c - the SQLite backend: WAL, one writer, a pool of readers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/deadline.h"
#include "store/store_impl.h"

struct sqlite_conn {
    struct mq_db db; /* first: an mq_db* is a sqlite_conn* */
    sqlite3 *h;
    struct stmt_cache cache;
    struct sqlite_conn *next_free;
};

struct sqlite_store {
    struct mq_store base; /* first */
    struct sqlite_conn writer;
    pthread_mutex_t writer_lock;
    struct sqlite_conn *readers;
    int nreaders;
    struct sqlite_conn *free_readers;
    int readers_in_use;
    int writer_in_use;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    long mmap_bytes;
};

static mq_err map_rc(struct mq_store *s, sqlite3 *h, int rc, const char *what)
{
    int ext = h ? sqlite3_extended_errcode(h) : rc;
    mq_err err;
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return MQ_OK;
    case SQLITE_NOMEM: err = MQ_ENOMEM; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: err = MQ_ETIMEOUT; break;
    case SQLITE_CONSTRAINT:
        err = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                  ? MQ_ECONFLICT
                  : MQ_EDB;
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL: err = MQ_EUNAVAILABLE; break;
    default: err = MQ_EDB;
    }
    atomic_fetch_add(&s->errors, 1);
    if (err != MQ_ECONFLICT)
        mq_log_error(s->log, "store", "sqlite %s failed: %s (%d)", what,
                     h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), ext);
    return err;
}

static mq_err conn_open(struct sqlite_store *st, const char *path, bool writer,
                        struct sqlite_conn *c)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &c->h, flags, NULL);
    if (rc != SQLITE_OK) {
        mq_err err = map_rc(&st->base, c->h, rc, "open");
        sqlite3_close(c->h);
        c->h = NULL;
        return err ? err : MQ_EUNAVAILABLE;
    }
    c->db.store = &st->base;
    sqlite3_busy_timeout(c->h, st->base.acquire_timeout_ms);
    sqlite3_extended_result_codes(c->h, 1);
    const char *pragmas = writer ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                   "PRAGMA foreign_keys=ON;"
                                 : "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;";
    rc = sqlite3_exec(c->h, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return map_rc(&st->base, c->h, rc, "configure");
    /* Mapped pages are the kernel's page cache, shared by every reader:
     * a search touching thousands of rows reads them without a system
     * call each, and no connection keeps a private copy. SQLite caps the
     * size at its compile-time maximum. */
    char mmap[64];
    snprintf(mmap, sizeof(mmap), "PRAGMA mmap_size=%ld;", st->mmap_bytes);
    rc = sqlite3_exec(c->h, mmap, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return map_rc(&st->base, c->h, rc, "configure");
    /* Without the planner's stability guarantee, a statement with `column
     * LIKE ?` is compiled again whenever a new pattern is bound, in case
     * the pattern's prefix could use an index. No column here is NOCASE,
     * so none ever could (LIKE ignores ASCII case): every keystroke paid
     * for parsing its statements anew. */
    rc = sqlite3_db_config(c->h, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    if (rc != SQLITE_OK) return map_rc(&st->base, c->h, rc, "configure");
    return MQ_OK;
}

static void finalize_stmt(void *stmt)
{
    sqlite3_finalize(stmt);
}

static void conn_close(struct sqlite_conn *c)
{
    stmt_cache_clear(&c->cache, finalize_stmt);
    if (c->h) sqlite3_close(c->h);
    c->h = NULL;
}

static mq_err sqlite_acquire(struct mq_store *s, enum mq_db_mode mode, struct mq_db **out)
{
    struct sqlite_store *st = (struct sqlite_store *)s;
    struct timespec deadline;
    uint64_t t0 = mq_monotonic_ns();
    bool waited = false;
    int rc = 0;

    deadline = mq_deadline_in(CLOCK_REALTIME, s->acquire_timeout_ms);
    if (mode == MQ_DB_WRITE) {
        rc = pthread_mutex_trylock(&st->writer_lock);
        if (rc) {
            waited = true;
            rc = pthread_mutex_timedlock(&st->writer_lock, &deadline);
        }
        if (!rc) {
            pthread_mutex_lock(&st->lock);
            st->writer_in_use = 1;
            pthread_mutex_unlock(&st->lock);
            *out = &st->writer.db;
        }
    } else {
        pthread_mutex_lock(&st->lock);
        while (!st->free_readers && !rc) {
            waited = true;
            rc = pthread_cond_timedwait(&st->cond, &st->lock, &deadline);
        }
        if (st->free_readers) {
            struct sqlite_conn *c = st->free_readers;
            st->free_readers = c->next_free;
            st->readers_in_use++;
            *out = &c->db;
            rc = 0;
        }
        pthread_mutex_unlock(&st->lock);
    }
    uint64_t waited_ns = mq_monotonic_ns() - t0;
    if (waited) {
        atomic_fetch_add(&s->waited, 1);
        atomic_fetch_add(&s->wait_ns, waited_ns);
    }
    if (rc) {
        atomic_fetch_add(&s->timeouts, 1);
        return MQ_ETIMEOUT;
    }
    atomic_fetch_add(&s->acquired, 1);
    (*out)->mode = mode;
    (*out)->taken_ns = mq_monotonic_ns();
    return MQ_OK;
}

static void sqlite_release(struct mq_db *db)
{
    struct sqlite_store *st = (struct sqlite_store *)db->store;
    struct sqlite_conn *c = (struct sqlite_conn *)db;
    if (c == &st->writer) {
        pthread_mutex_lock(&st->lock);
        st->writer_in_use = 0;
        pthread_mutex_unlock(&st->lock);
        pthread_mutex_unlock(&st->writer_lock);
        return;
    }
    pthread_mutex_lock(&st->lock);
    c->next_free = st->free_readers;
    st->free_readers = c;
    st->readers_in_use--;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

static mq_err sqlite_script(struct mq_db *db, const char *sql)
{
    struct sqlite_conn *c = (struct sqlite_conn *)db;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);
    return map_rc(db->store, c->h, rc, "script");
}

/* Rewrites PostgreSQL-style $N placeholders as SQLite's ?N, outside quotes. */
static char *translate_placeholders(const char *sql)
{
    size_t n = strlen(sql);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    char quote = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = sql[i];
        if (quote) {
            if (ch == quote) quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '$' && sql[i + 1] >= '1' && sql[i + 1] <= '9') {
            ch = '?';
        }
        out[i] = ch;
    }
    return out;
}

static mq_err prepare(struct sqlite_conn *c, const struct mq_sql *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *stmt = stmt_cache_get(&c->cache, sql);
    if (stmt) {
        *out = stmt;
        return MQ_OK;
    }
    char *text = translate_placeholders(sql->sql);
    if (!text) return MQ_ENOMEM;
    int rc = sqlite3_prepare_v3(c->h, text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    free(text);
    if (rc != SQLITE_OK) return map_rc(c->db.store, c->h, rc, sql->name);
    mq_err err = stmt_cache_put(&c->cache, sql, stmt);
    if (err) {
        sqlite3_finalize(stmt);
        return err;
    }
    *out = stmt;
    return MQ_OK;
}

static mq_err sqlite_run(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *p,
                         size_t n, bool want_rows, int64_t *changes)
{
    struct sqlite_conn *c = (struct sqlite_conn *)db;
    sqlite3_stmt *stmt = NULL;
    mq_err err = prepare(c, sql, &stmt);
    if (err) return err;
    if ((size_t)sqlite3_bind_parameter_count(stmt) != n) {
        mq_log_error(db->store->log, "store", "%s: expects %d parameters, given %zu", sql->name,
                     sqlite3_bind_parameter_count(stmt), n);
        return MQ_EINTERNAL;
    }
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        int idx = (int)i + 1;
        switch (p[i].type) {
        case MQ_PARAM_NULL: rc = sqlite3_bind_null(stmt, idx); break;
        case MQ_PARAM_INT: rc = sqlite3_bind_int64(stmt, idx, p[i].i); break;
        case MQ_PARAM_TEXT:
            rc = p[i].text ? sqlite3_bind_text(stmt, idx, p[i].text, -1, SQLITE_STATIC)
                           : sqlite3_bind_null(stmt, idx);
            break;
        }
    }
    if (rc != SQLITE_OK) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return map_rc(db->store, c->h, rc, sql->name);
    }
    if (want_rows) {
        db->rows = (struct mq_rows){.db = db, .open = true, .stmt = stmt};
        return MQ_OK;
    }
    do rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW);
    if (rc == SQLITE_DONE && changes) *changes = sqlite3_changes64(c->h);
    err = rc == SQLITE_DONE ? MQ_OK : map_rc(db->store, c->h, rc, sql->name);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return err;
}

static bool sqlite_next(struct mq_rows *rows)
{
    struct sqlite_conn *c = (struct sqlite_conn *)rows->db;
    int rc = sqlite3_step(rows->stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) rows->err = map_rc(rows->db->store, c->h, rc, "step");
    return false;
}

static const char *sqlite_text(struct mq_rows *rows, int col)
{
    return (const char *)sqlite3_column_text(rows->stmt, col);
}

static int64_t sqlite_integer(struct mq_rows *rows, int col)
{
    return sqlite3_column_int64(rows->stmt, col);
}

static bool sqlite_null(struct mq_rows *rows, int col)
{
    return sqlite3_column_type(rows->stmt, col) == SQLITE_NULL;
}

static void sqlite_close_rows(struct mq_rows *rows)
{
    sqlite3_reset(rows->stmt);
    sqlite3_clear_bindings(rows->stmt);
    rows->stmt = NULL;
}

static int sqlite_in_use(struct mq_store *s)
{
    struct sqlite_store *st = (struct sqlite_store *)s;
    pthread_mutex_lock(&st->lock);
    int n = st->readers_in_use + st->writer_in_use;
    pthread_mutex_unlock(&st->lock);
    return n;
}

static void sqlite_destroy(struct mq_store *s)
{
    struct sqlite_store *st = (struct sqlite_store *)s;
    for (int i = 0; i < st->nreaders; i++) conn_close(&st->readers[i]);
    free(st->readers);
    conn_close(&st->writer);
    pthread_mutex_destroy(&st->writer_lock);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    free(st);
}

static const struct mq_store_ops sqlite_ops = {
    .name = "sqlite",
    .acquire = sqlite_acquire,
    .release = sqlite_release,
    .script = sqlite_script,
    .run = sqlite_run,
    .next = sqlite_next,
    .text = sqlite_text,
    .integer = sqlite_integer,
    .null = sqlite_null,
    .close_rows = sqlite_close_rows,
    .destroy = sqlite_destroy,
    .in_use = sqlite_in_use,
};

/* The database holds password, session and token hashes: it and its -wal,
 * -shm and -journal files are the owner's alone. SQLite gives the files it
 * makes beside the database the database's own mode, so creating that one
 * 0600 is enough for a new database; an older one made under a loose umask
 * is tightened, and said so. */
static mq_err keep_private(const char *path, const struct mq_log *log)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5)) return MQ_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mq_log_error(log, "store", "cannot open %s: %s", path, strerror(errno));
        return MQ_EUNAVAILABLE;
    }
    close(fd);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char p[4200];
        struct stat st;
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        if (lstat(p, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 077)) continue;
        if (chmod(p, 0600) == 0)
            mq_log_warn(log, "store", "%s was open to others (mode %04o); now 0600", p,
                        (unsigned)(st.st_mode & 07777));
    }
    return MQ_OK;
}

mq_err mq_sqlite_open(const struct mq_store_opts *opts, struct mq_store **out)
{
    struct sqlite_store *st = calloc(1, sizeof(*st));
    mq_err err = MQ_OK;
    if (!st) return MQ_ENOMEM;
    st->base.ops = &sqlite_ops;
    st->base.backend = MQ_STORE_SQLITE;
    st->base.log = opts->log;
    st->base.acquire_timeout_ms = opts->acquire_timeout_ms;
    st->mmap_bytes = opts->sqlite_mmap_bytes > 0 ? opts->sqlite_mmap_bytes : 0;
    pthread_mutex_init(&st->writer_lock, NULL);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);

    /* The writer opens (and creates) the file and switches it to WAL first,
     * so readers find a WAL database. */
    err = keep_private(opts->sqlite_path, opts->log);
    if (err) goto out;
    err = conn_open(st, opts->sqlite_path, true, &st->writer);
    if (err) goto out;
    st->nreaders = opts->pool_size > 0 ? opts->pool_size : 1;
    st->readers = calloc((size_t)st->nreaders, sizeof(*st->readers));
    if (!st->readers) {
        err = MQ_ENOMEM;
        goto out;
    }
    for (int i = 0; i < st->nreaders; i++) {
        err = conn_open(st, opts->sqlite_path, false, &st->readers[i]);
        if (err) goto out;
        st->readers[i].next_free = st->free_readers;
        st->free_readers = &st->readers[i];
    }
    st->base.pool_size = st->nreaders + 1;
    atomic_store(&st->base.connects, (uint64_t)st->base.pool_size);
    *out = &st->base;
    st = NULL;
out:
    if (st) sqlite_destroy(&st->base);
    return err;
}
