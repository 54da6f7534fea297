#include "store/jobs.h"

#include <stdio.h>
#include <string.h>

#define JOB_COLS                                                                                   \
    "id, kind, queue, state, payload, priority, attempt, max_attempts, run_at, created_at, "       \
    "updated_at, started_at, finished_at, lease_owner, lease_until, cancel_requested, "            \
    "last_error, owner_id, unique_key"

#define PENDING "('available', 'running', 'retryable')"

/* PostgreSQL types a parameter from its first use; inside CASE ... ELSE NULL
 * it would guess text, so such uses carry an explicit CAST. */

static const struct mq_sql SQL_INSERT = {
    "jobs.insert",
    "INSERT INTO jobs (id, kind, queue, state, payload, priority, max_attempts, run_at, "
    "created_at, updated_at, owner_id, unique_key) "
    "VALUES ($1, $2, $3, 'available', $4, $5, $6, $7, $8, $8, $9, $10) "
    "ON CONFLICT DO NOTHING",
    NULL,
};

static const struct mq_sql SQL_BY_KEY = {
    "jobs.pending_by_key", "SELECT id FROM jobs WHERE unique_key = $1 AND state IN " PENDING, NULL};

static const struct mq_sql SQL_GET = {"jobs.get", "SELECT " JOB_COLS " FROM jobs WHERE id = $1",
                                      NULL};

/* Empty strings stand for "any": PostgreSQL cannot type a bare NULL test. */
static const struct mq_sql SQL_LIST = {
    "jobs.list",
    "SELECT " JOB_COLS " FROM jobs WHERE id < $1 AND ($2 = '' OR state = $2) "
    "AND ($3 = '' OR kind = $3) AND ($4 = '' OR queue = $4) "
    "AND ($5 = '' OR owner_id = $5) ORDER BY id DESC LIMIT $6",
    NULL,
};

#define CLAIM_SET                                                                                  \
    "UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = $1, "                 \
    "lease_until = $2, started_at = $3, updated_at = $3 WHERE id IN (SELECT id FROM jobs "         \
    "WHERE queue = $4 AND state IN ('available', 'retryable') AND run_at <= $3 "                   \
    "ORDER BY priority DESC, run_at, id LIMIT $5"

static const struct mq_sql SQL_CLAIM = {
    "jobs.claim",
    CLAIM_SET ") RETURNING " JOB_COLS,
    /* Several processes claim at once: each skips rows another is taking. */
    CLAIM_SET " FOR UPDATE SKIP LOCKED) RETURNING " JOB_COLS,
};

static const struct mq_sql SQL_SUCCEED = {
    "jobs.succeed",
    "UPDATE jobs SET state = 'completed', finished_at = $3, updated_at = $3, lease_owner = NULL, "
    "lease_until = NULL, payload = COALESCE($4, payload) "
    "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
    NULL,
};

static const struct mq_sql SQL_FAIL = {
    "jobs.fail",
    "UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE $4 END, "
    "run_at = $5, last_error = $6, updated_at = $3, lease_owner = NULL, lease_until = NULL, "
    "finished_at = CASE WHEN cancel_requested = 1 OR $4 = 'discarded' THEN CAST($3 AS BIGINT) "
    "ELSE NULL END "
    "WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
    NULL,
};

static const struct mq_sql SQL_HEARTBEAT = {
    "jobs.heartbeat",
    "UPDATE jobs SET lease_until = $2 WHERE lease_owner = $1 AND state = 'running'", NULL};

static const struct mq_sql SQL_RESCUE = {
    "jobs.rescue",
    "UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled' "
    "WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END, "
    "finished_at = CASE WHEN cancel_requested = 1 OR attempt >= max_attempts "
    "THEN CAST($1 AS BIGINT) ELSE NULL END, last_error = 'lease expired: the process running it "
    "stopped (crash, kill or lost "
    "database) before it finished', lease_owner = NULL, lease_until = NULL, run_at = $1, "
    "updated_at = $1 WHERE state = 'running' AND lease_until < $1",
    NULL,
};

static const struct mq_sql SQL_RETRY = {
    "jobs.retry",
    "UPDATE jobs SET state = 'available', run_at = $2, updated_at = $2, finished_at = NULL, "
    "cancel_requested = 0, max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 "
    "ELSE max_attempts END WHERE id = $1 AND state <> 'running'",
    NULL,
};

static const struct mq_sql SQL_CANCEL = {
    "jobs.cancel",
    "UPDATE jobs SET cancel_requested = 1, updated_at = $2, "
    "state = CASE WHEN state = 'running' THEN 'running' ELSE 'cancelled' END, "
    "finished_at = CASE WHEN state = 'running' THEN NULL ELSE CAST($2 AS BIGINT) END "
    "WHERE id = $1 AND state IN " PENDING,
    NULL,
};

static const struct mq_sql SQL_PURGE = {
    "jobs.purge",
    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state IN "
    "('completed', 'cancelled', 'discarded') AND finished_at < $1 LIMIT $2)",
    NULL,
};

static const struct mq_sql SQL_COUNTS = {
    "jobs.counts", "SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state", NULL};

static const struct mq_sql SQL_SCHEDULE_PUT = {
    "schedules.put",
    "INSERT INTO job_schedules (name, kind, queue, payload, spec, next_run_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
    "queue = excluded.queue, payload = excluded.payload, "
    "next_run_at = CASE WHEN job_schedules.spec = excluded.spec THEN job_schedules.next_run_at "
    "ELSE excluded.next_run_at END, spec = excluded.spec, updated_at = excluded.updated_at",
    NULL,
};

static const struct mq_sql SQL_SCHEDULE_DUE = {
    "schedules.due",
    "SELECT name, kind, queue, payload, spec, next_run_at FROM job_schedules "
    "WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT $2",
    NULL,
};

static const struct mq_sql SQL_SCHEDULE_ADVANCE = {
    "schedules.advance",
    "UPDATE job_schedules SET next_run_at = $3, last_run_at = $4, updated_at = $4 "
    "WHERE name = $1 AND next_run_at = $2",
    NULL,
};

static const struct mq_sql SQL_SCHEDULE_NEXT = {
    "schedules.next", "SELECT COALESCE(MIN(next_run_at), 0) FROM job_schedules", NULL};

static const char *opt(const char *s)
{
    return s ? s : "";
}

static mq_err read_job(struct mq_rows *r, struct mq_arena *a, struct mq_job_row *j)
{
    bool oom = false;
    const char *id = mq_rows_text(r, 0);
    memset(j, 0, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s", id ? id : "");
    j->kind = mq_rows_dup(r, 1, a, &oom);
    j->queue = mq_rows_dup(r, 2, a, &oom);
    j->state = mq_rows_dup(r, 3, a, &oom);
    j->payload = mq_rows_dup(r, 4, a, &oom);
    j->priority = (int)mq_rows_int(r, 5);
    j->attempt = (int)mq_rows_int(r, 6);
    j->max_attempts = (int)mq_rows_int(r, 7);
    j->run_at = mq_rows_int(r, 8);
    j->created_at = mq_rows_int(r, 9);
    j->updated_at = mq_rows_int(r, 10);
    j->started_at = mq_rows_int(r, 11);
    j->finished_at = mq_rows_int(r, 12);
    j->lease_owner = mq_rows_dup(r, 13, a, &oom);
    j->lease_until = mq_rows_int(r, 14);
    j->cancel_requested = mq_rows_int(r, 15) != 0;
    j->last_error = mq_rows_dup(r, 16, a, &oom);
    j->owner_id = mq_rows_dup(r, 17, a, &oom);
    j->unique_key = mq_rows_dup(r, 18, a, &oom);
    return oom || !j->kind ? MQ_ENOMEM : MQ_OK;
}

static mq_err read_jobs(struct mq_rows *rows, struct mq_arena *a, struct mq_job_row *out,
                        size_t max, size_t *n)
{
    mq_err err = MQ_OK;
    *n = 0;
    while (!err && *n < max && mq_rows_next(rows)) err = read_job(rows, a, &out[(*n)++]);
    mq_err cerr = mq_rows_close(rows);
    return err ? err : cerr;
}

mq_err mq_store_job_insert(struct mq_db *db, const struct mq_job_insert *j, bool *inserted)
{
    struct mq_param p[] = {MQ_P_TEXT(j->id),       MQ_P_TEXT(j->kind),
                           MQ_P_TEXT(j->queue),    MQ_P_TEXT(j->payload),
                           MQ_P_INT(j->priority),  MQ_P_INT(j->max_attempts),
                           MQ_P_INT(j->run_at),    MQ_P_INT(j->now),
                           MQ_P_TEXT(j->owner_id), MQ_P_TEXT(j->unique_key)};
    return mq_db_exec_changed(db, &SQL_INSERT, p, 10, inserted);
}

mq_err mq_store_job_pending_by_key(struct mq_db *db, const char *key, char id[37])
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(key)};
    mq_err err = mq_db_query(db, &SQL_BY_KEY, p, 1, &rows);
    if (err) return err;
    err = MQ_ENOTFOUND;
    if (mq_rows_next(rows)) {
        snprintf(id, 37, "%s", mq_rows_text(rows, 0));
        err = MQ_OK;
    }
    mq_err cerr = mq_rows_close(rows);
    return cerr ? cerr : err;
}

mq_err mq_store_job_get(struct mq_db *db, struct mq_arena *a, const char *id,
                        struct mq_job_row *out)
{
    struct mq_rows *rows = NULL;
    size_t n = 0;
    struct mq_param p[] = {MQ_P_TEXT(id)};
    mq_err err = mq_db_query(db, &SQL_GET, p, 1, &rows);
    if (!err) err = read_jobs(rows, a, out, 1, &n);
    if (!err && n == 0) err = MQ_ENOTFOUND;
    return err;
}

mq_err mq_store_job_list(struct mq_db *db, struct mq_arena *a, const struct mq_job_filter *f,
                         struct mq_job_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    /* UUIDv7 ids sort by creation time; "g" sorts after every hex digit. */
    struct mq_param p[] = {MQ_P_TEXT(f->before_id ? f->before_id : "g"),
                           MQ_P_TEXT(opt(f->state)),
                           MQ_P_TEXT(opt(f->kind)),
                           MQ_P_TEXT(opt(f->queue)),
                           MQ_P_TEXT(opt(f->owner_id)),
                           MQ_P_INT(f->limit)};
    mq_err err = mq_db_query(db, &SQL_LIST, p, 6, &rows);
    if (err) return err;
    return read_jobs(rows, a, out, (size_t)f->limit, n);
}

mq_err mq_store_job_claim(struct mq_db *db, struct mq_arena *a, const char *queue,
                          const char *owner, int64_t now, int64_t lease_until, int limit,
                          struct mq_job_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(owner), MQ_P_INT(lease_until), MQ_P_INT(now), MQ_P_TEXT(queue),
                           MQ_P_INT(limit)};
    mq_err err = mq_db_query(db, &SQL_CLAIM, p, 5, &rows);
    if (err) return err;
    return read_jobs(rows, a, out, (size_t)limit, n);
}

mq_err mq_store_job_succeed(struct mq_db *db, const char *id, const char *owner, int64_t now,
                            const char *new_payload, bool *held)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_TEXT(owner), MQ_P_INT(now),
                           new_payload ? MQ_P_TEXT(new_payload) : MQ_P_NULL};
    return mq_db_exec_changed(db, &SQL_SUCCEED, p, 4, held);
}

mq_err mq_store_job_fail(struct mq_db *db, const char *id, const char *owner, int64_t now,
                         const char *state, int64_t run_at, const char *error, bool *held)
{
    struct mq_param p[] = {MQ_P_TEXT(id),    MQ_P_TEXT(owner), MQ_P_INT(now),
                           MQ_P_TEXT(state), MQ_P_INT(run_at), MQ_P_TEXT(error)};
    return mq_db_exec_changed(db, &SQL_FAIL, p, 6, held);
}

mq_err mq_store_job_heartbeat(struct mq_db *db, const char *owner, int64_t lease_until,
                              int64_t *extended)
{
    struct mq_param p[] = {MQ_P_TEXT(owner), MQ_P_INT(lease_until)};
    return mq_db_exec(db, &SQL_HEARTBEAT, p, 2, extended);
}

mq_err mq_store_job_rescue(struct mq_db *db, int64_t now, int64_t *rescued)
{
    struct mq_param p[] = {MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_RESCUE, p, 1, rescued);
}

mq_err mq_store_job_retry(struct mq_db *db, const char *id, int64_t now, int64_t *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_RETRY, p, 2, changed);
}

mq_err mq_store_job_cancel(struct mq_db *db, const char *id, int64_t now, int64_t *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_CANCEL, p, 2, changed);
}

mq_err mq_store_job_purge(struct mq_db *db, int64_t before, int limit, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before), MQ_P_INT(limit)};
    return mq_db_exec(db, &SQL_PURGE, p, 2, deleted);
}

mq_err mq_store_job_counts(struct mq_db *db,
                           void (*fn)(void *arg, const char *queue, const char *state,
                                      int64_t count),
                           void *arg)
{
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, &SQL_COUNTS, NULL, 0, &rows);
    if (err) return err;
    while (mq_rows_next(rows))
        fn(arg, mq_rows_text(rows, 0), mq_rows_text(rows, 1), mq_rows_int(rows, 2));
    return mq_rows_close(rows);
}

mq_err mq_store_schedule_put(struct mq_db *db, const struct mq_schedule_row *s, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(s->name),    MQ_P_TEXT(s->kind), MQ_P_TEXT(s->queue),
                           MQ_P_TEXT(s->payload), MQ_P_TEXT(s->spec), MQ_P_INT(s->next_run_at),
                           MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_SCHEDULE_PUT, p, 7, NULL);
}

mq_err mq_store_schedule_due(struct mq_db *db, struct mq_arena *a, int64_t now,
                             struct mq_schedule_row *out, size_t max, size_t *n)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_INT(now), MQ_P_INT((int64_t)max)};
    mq_err err = mq_db_query(db, &SQL_SCHEDULE_DUE, p, 2, &rows);
    bool oom = false;
    if (err) return err;
    *n = 0;
    while (*n < max && mq_rows_next(rows)) {
        struct mq_schedule_row *s = &out[(*n)++];
        s->name = mq_rows_dup(rows, 0, a, &oom);
        s->kind = mq_rows_dup(rows, 1, a, &oom);
        s->queue = mq_rows_dup(rows, 2, a, &oom);
        s->payload = mq_rows_dup(rows, 3, a, &oom);
        s->spec = mq_rows_dup(rows, 4, a, &oom);
        s->next_run_at = mq_rows_int(rows, 5);
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_schedule_advance(struct mq_db *db, const char *name, int64_t due, int64_t next,
                                 int64_t now, bool *won)
{
    struct mq_param p[] = {MQ_P_TEXT(name), MQ_P_INT(due), MQ_P_INT(next), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_SCHEDULE_ADVANCE, p, 4, won);
}

mq_err mq_store_schedule_next(struct mq_db *db, int64_t *next)
{
    return mq_db_query_int(db, &SQL_SCHEDULE_NEXT, NULL, 0, next);
}
