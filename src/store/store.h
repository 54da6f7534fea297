/* store.h - the one database interface, with SQLite and PostgreSQL behind it.
 *
 * Work happens in transactions on a connection taken from the store:
 *
 *     struct mq_db *db = NULL;
 *     mq_err err = mq_store_begin(store, MQ_DB_WRITE, &db);
 *     if (err) return err;
 *     err = mq_db_exec(db, &SQL_SETTING_PUT, params, 2, NULL);
 *     return mq_store_finish(db, err);   // commit on success, else roll back
 *
 * SQL is never built from input: statements are static `struct mq_sql`
 * values written with $1, $2... placeholders (translated for SQLite), kept in
 * one file per domain under store/, and prepared once per connection. Each
 * connection caches its prepared statements by the struct's address, so a
 * statement must have static storage: two built on the stack in turn would
 * share an address and the second would run the first's SQL.
 *
 * SQLite: WAL, one writer connection (MQ_DB_WRITE transactions are
 * serialised), a pool of read-only reader connections. PostgreSQL: a pool of
 * connections that reconnect by themselves after the server comes back. */
#ifndef MQ_STORE_H
#define MQ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/events.h"
#include "core/log.h"

struct mq_store;
struct mq_db;
struct mq_rows;

enum mq_store_backend { MQ_STORE_SQLITE, MQ_STORE_POSTGRES };
enum mq_db_mode { MQ_DB_READ, MQ_DB_WRITE };

struct mq_store_opts {
    const char *database_url; /* postgres://...; NULL or "" = SQLite */
    const char *sqlite_path;  /* database file when SQLite */
    int pool_size;
    int acquire_timeout_ms;
    long sqlite_mmap_bytes; /* SQLite: how much of the file to map (0 = read() only) */
    const struct mq_log *log;
};

/* A named statement. `sql` serves both dialects unless `pg` is given. */
struct mq_sql {
    const char *name;
    const char *sql;
    const char *pg;
};

#define MQ_SQL_MAX_PARAMS 32

enum mq_param_type { MQ_PARAM_NULL, MQ_PARAM_TEXT, MQ_PARAM_INT };

struct mq_param {
    enum mq_param_type type;
    const char *text; /* borrowed for the duration of the call */
    int64_t i;
};

#define MQ_P_TEXT(s) ((struct mq_param){MQ_PARAM_TEXT, (s), 0})
#define MQ_P_INT(v)  ((struct mq_param){MQ_PARAM_INT, NULL, (int64_t)(v)})
#define MQ_P_NULL    ((struct mq_param){MQ_PARAM_NULL, NULL, 0})
/* Times and counts where 0 means "none": NULL in the database. */
#define MQ_P_INT_OR_NULL(v) ((v) ? MQ_P_INT(v) : MQ_P_NULL)

struct mq_store_stats {
    const char *backend; /* "sqlite" or "postgres" */
    int pool_size;       /* connections that can be handed out */
    int in_use;
    uint64_t acquired_total;
    uint64_t waited_total;   /* acquisitions that had to wait */
    uint64_t timeouts_total; /* acquisitions that gave up */
    uint64_t errors_total;   /* failed statements and connects */
    uint64_t connects_total; /* (re)connections made */
    double wait_seconds_total;
};

/* Opens the store. For PostgreSQL no connection is made yet, so the server can
 * start while the database is down. */
MQ_MUST_CHECK mq_err mq_store_open(const struct mq_store_opts *opts, struct mq_store **out);
void mq_store_close(struct mq_store *store);

enum mq_store_backend mq_store_backend(const struct mq_store *store);
const char *mq_store_backend_name(const struct mq_store *store);
void mq_store_stats(struct mq_store *store, struct mq_store_stats *out);

/* Appends the pool's figures as Prometheus lines. */
MQ_MUST_CHECK mq_err mq_store_render_metrics(struct mq_store *store, struct mq_buf *out);

/* Takes a connection and begins a transaction (read-only for MQ_DB_READ).
 * MQ_ETIMEOUT when no connection is free in time; MQ_EUNAVAILABLE when the
 * database cannot be reached. */
MQ_MUST_CHECK mq_err mq_store_begin(struct mq_store *store, enum mq_db_mode mode,
                                    struct mq_db **out);
/* Commits and gives the connection back. On failure it has rolled back. */
MQ_MUST_CHECK mq_err mq_store_commit(struct mq_db *db);
/* Rolls back and gives the connection back. Accepts NULL. */
void mq_store_rollback(struct mq_db *db);
/* Commits when err is MQ_OK, else rolls back; returns the first error. */
MQ_MUST_CHECK mq_err mq_store_finish(struct mq_db *db, mq_err err);

enum mq_store_backend mq_db_backend(const struct mq_db *db);

/* For a write transaction whose work a later run would do again if it
 * were lost (the monitor's findings, told once by their dedupe keys):
 * its commit need not wait for the disk. Atomic still; if the database's
 * machine or server crashes within a moment of the commit, it may be
 * missing, never half there (Marquee crashing loses nothing). This is
 * the durability SQLite's WAL with synchronous=NORMAL gives every commit
 * here; on PostgreSQL it is synchronous_commit off for the transaction. */
MQ_MUST_CHECK mq_err mq_db_redoable(struct mq_db *db);

/* Publishes a domain event (core/events.h) from this transaction: copied
 * now, handed to `bus` once the transaction has committed, dropped if it
 * rolls back. A NULL bus publishes nothing. MQ_EINVAL for an event that is
 * not well formed; MQ_ETOOBIG past MQ_DB_EVENTS_MAX in one transaction
 * (publish one event for a batch, not one per row). */
#define MQ_DB_EVENTS_MAX 128
MQ_MUST_CHECK mq_err mq_db_publish(struct mq_db *db, struct mq_events *bus,
                                   const struct mq_event *e);

/* Runs a statement that returns no rows; *changes (may be NULL) gets the
 * number of rows it changed. MQ_ECONFLICT on a uniqueness violation. */
MQ_MUST_CHECK mq_err mq_db_exec(struct mq_db *db, const struct mq_sql *sql,
                                const struct mq_param *params, size_t nparams, int64_t *changes);

/* Runs a statement that returns rows. The rows belong to the connection: at
 * most one result is open at a time, and it must be closed before the next
 * statement. */
MQ_MUST_CHECK mq_err mq_db_query(struct mq_db *db, const struct mq_sql *sql,
                                 const struct mq_param *params, size_t nparams,
                                 struct mq_rows **out);

/* The shapes most store functions share, so each says only its SQL and
 * how a row reads. */

/* Runs a statement that changes at most one row it names; *changed tells
 * whether it did (false on error). For single-use tokens and claims: the
 * first to change the row wins. */
MQ_MUST_CHECK mq_err mq_db_exec_changed(struct mq_db *db, const struct mq_sql *sql,
                                        const struct mq_param *params, size_t nparams,
                                        bool *changed);
/* The same, MQ_ENOTFOUND when it changed nothing. */
MQ_MUST_CHECK mq_err mq_db_exec_one(struct mq_db *db, const struct mq_sql *sql,
                                    const struct mq_param *params, size_t nparams);

/* Reads the current row into out, copying text into a; sets *oom when a is
 * out of memory. */
typedef void (*mq_row_reader)(struct mq_rows *rows, struct mq_arena *a, void *out, bool *oom);

/* Readers for the smallest rows: one text column into a const char *, and
 * two into a struct mq_text_pair. */
struct mq_text_pair {
    const char *first, *second;
};
void mq_read_text(struct mq_rows *rows, struct mq_arena *a, void *out, bool *oom);
void mq_read_text_pair(struct mq_rows *rows, struct mq_arena *a, void *out, bool *oom);

/* The first row of a query, read into out: MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_db_query_one(struct mq_db *db, const struct mq_sql *sql,
                                     const struct mq_param *params, size_t nparams,
                                     struct mq_arena *a, mq_row_reader read, void *out);
/* The rows of a query (at most max; 0 = all) read into an array of items of
 * `size` bytes in a: *out (NULL for none) and *n. */
MQ_MUST_CHECK mq_err mq_db_query_list(struct mq_db *db, const struct mq_sql *sql,
                                      const struct mq_param *params, size_t nparams,
                                      struct mq_arena *a, mq_row_reader read, size_t size,
                                      size_t max, void *out, size_t *n);
/* The first column of the first row as a number (counts, flags, times);
 * 0 when the query returns no row. */
MQ_MUST_CHECK mq_err mq_db_query_int(struct mq_db *db, const struct mq_sql *sql,
                                     const struct mq_param *params, size_t nparams, int64_t *out);

/* Runs several statements of trusted, built-in SQL (migrations). */
MQ_MUST_CHECK mq_err mq_db_exec_script(struct mq_db *db, const char *sql);

/* Moves to the next row; false at the end or on error (see mq_rows_close). */
bool mq_rows_next(struct mq_rows *rows);
/* Column values of the current row; text is NULL for SQL NULL and stays valid
 * until the next mq_rows_next or mq_rows_close. */
const char *mq_rows_text(struct mq_rows *rows, int col);
int64_t mq_rows_int(struct mq_rows *rows, int col);
/* The text of a column copied into the arena, or NULL for SQL NULL; sets
 * *oom (and returns NULL) when the arena is out of memory. */
const char *mq_rows_dup(struct mq_rows *rows, int col, struct mq_arena *a, bool *oom);
bool mq_rows_null(struct mq_rows *rows, int col);
/* Ends the result; returns the first error met while reading it. Accepts NULL. */
mq_err mq_rows_close(struct mq_rows *rows);

#endif
