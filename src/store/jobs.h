/* jobs.h - statements of the job queue (tables jobs and job_schedules).
 * The queue's rules live in src/jobs/; this file only reads and writes rows. */
#ifndef MQ_STORE_JOBS_H
#define MQ_STORE_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_job_row {
    char id[37];
    const char *kind, *queue, *state, *payload;                   /* arena strings */
    const char *last_error, *owner_id, *unique_key, *lease_owner; /* NULL when unset */
    int priority, attempt, max_attempts;
    int64_t run_at, created_at, updated_at;
    int64_t started_at, finished_at, lease_until; /* 0 when unset */
    bool cancel_requested;
};

struct mq_job_insert {
    const char *id, *kind, *queue, *payload, *owner_id, *unique_key;
    int priority, max_attempts;
    int64_t run_at, now;
};

/* Inserts unless a pending job holds the same unique key (*inserted false). */
MQ_MUST_CHECK mq_err mq_store_job_insert(struct mq_db *db, const struct mq_job_insert *j,
                                         bool *inserted);
/* The pending job holding a unique key; MQ_ENOTFOUND if none. */
MQ_MUST_CHECK mq_err mq_store_job_pending_by_key(struct mq_db *db, const char *key, char id[37]);
MQ_MUST_CHECK mq_err mq_store_job_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                      struct mq_job_row *out);

struct mq_job_filter {
    const char *state, *kind, *queue, *owner_id; /* NULL = any */
    const char *before_id;                       /* keyset position, NULL = from the newest */
    int limit;
};

/* Newest first. Fills up to limit jobs (arena) and *n. */
MQ_MUST_CHECK mq_err mq_store_job_list(struct mq_db *db, struct mq_arena *a,
                                       const struct mq_job_filter *f, struct mq_job_row *out,
                                       size_t *n);

/* Moves up to `limit` due jobs of `queue` to running under `owner` until
 * `lease_until`, counting the attempt. */
MQ_MUST_CHECK mq_err mq_store_job_claim(struct mq_db *db, struct mq_arena *a, const char *queue,
                                        const char *owner, int64_t now, int64_t lease_until,
                                        int limit, struct mq_job_row *out, size_t *n);

/* Ends a running job held by `owner`: success, or failure moving it to
 * `state` (retryable or discarded) with run_at and error. A job whose
 * cancellation was asked for ends cancelled when it fails. *held is false
 * when the job was no longer leased to owner (its lease ran out meanwhile).
 * A new_payload (or NULL) replaces the payload on success. */
MQ_MUST_CHECK mq_err mq_store_job_succeed(struct mq_db *db, const char *id, const char *owner,
                                          int64_t now, const char *new_payload, bool *held);
MQ_MUST_CHECK mq_err mq_store_job_fail(struct mq_db *db, const char *id, const char *owner,
                                       int64_t now, const char *state, int64_t run_at,
                                       const char *error, bool *held);

/* Extends every lease held by owner. */
MQ_MUST_CHECK mq_err mq_store_job_heartbeat(struct mq_db *db, const char *owner,
                                            int64_t lease_until, int64_t *extended);
/* Returns running jobs whose lease ran out to retryable (or discarded, when
 * out of attempts, or cancelled, when asked). */
MQ_MUST_CHECK mq_err mq_store_job_rescue(struct mq_db *db, int64_t now, int64_t *rescued);

/* Makes a job available now (one more attempt if it had none left); *changed
 * is 0 when it is running or does not exist. MQ_ECONFLICT when another
 * pending job holds its unique key. */
MQ_MUST_CHECK mq_err mq_store_job_retry(struct mq_db *db, const char *id, int64_t now,
                                        int64_t *changed);
/* Cancels a pending job, or asks a running one to stop. */
MQ_MUST_CHECK mq_err mq_store_job_cancel(struct mq_db *db, const char *id, int64_t now,
                                         int64_t *changed);
/* Deletes up to `limit` finished jobs that finished before `before`. */
MQ_MUST_CHECK mq_err mq_store_job_purge(struct mq_db *db, int64_t before, int limit,
                                        int64_t *deleted);

/* Calls fn for each (queue, state) with its job count. */
MQ_MUST_CHECK mq_err mq_store_job_counts(struct mq_db *db,
                                         void (*fn)(void *arg, const char *queue, const char *state,
                                                    int64_t count),
                                         void *arg);

struct mq_schedule_row {
    const char *name, *kind, *queue, *payload, *spec; /* arena strings */
    int64_t next_run_at;
};

/* Creates or updates a schedule; an unchanged spec keeps its next run, so
 * restarts neither skip nor repeat a period. */
MQ_MUST_CHECK mq_err mq_store_schedule_put(struct mq_db *db, const struct mq_schedule_row *s,
                                           int64_t now);
/* Schedules due at `now`, at most `max`. */
MQ_MUST_CHECK mq_err mq_store_schedule_due(struct mq_db *db, struct mq_arena *a, int64_t now,
                                           struct mq_schedule_row *out, size_t max, size_t *n);
/* Moves a schedule from `due` to `next` if nobody did it first (*won). */
MQ_MUST_CHECK mq_err mq_store_schedule_advance(struct mq_db *db, const char *name, int64_t due,
                                               int64_t next, int64_t now, bool *won);
/* Earliest next run of any schedule, 0 if there are none. */
MQ_MUST_CHECK mq_err mq_store_schedule_next(struct mq_db *db, int64_t *next);

#endif
