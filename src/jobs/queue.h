/* queue.h - the job queue as services see it (see docs/internals/jobs.md).
 *
 * Enqueue inside the caller's own transaction, so the job exists exactly
 * when the data it is about exists:
 *
 *     err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
 *     ... write the import row ...
 *     struct mq_job_spec spec = {.kind = "import.netflix", .payload = json};
 *     if (!err) err = mq_jobs_enqueue(ctx, db, &spec, id, NULL);
 *     err = mq_store_finish(db, err);
 *
 * Handlers run at least once (a job whose process dies is run again), so
 * they are written to be idempotent. */
#ifndef MQ_JOBS_QUEUE_H
#define MQ_JOBS_QUEUE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "store/jobs.h"

#define MQ_JOB_DEFAULT_QUEUE        "default"
#define MQ_JOB_DEFAULT_MAX_ATTEMPTS 10
#define MQ_JOB_PAYLOAD_MAX          (64 * 1024)

/* A job as the queue hands it out (strings in the caller's arena). */
struct mq_job {
    char id[37];
    const char *kind, *queue, *state, *payload;
    const char *last_error, *owner_id, *unique_key, *lease_owner; /* NULL when unset */
    int priority, attempt, max_attempts;
    int64_t run_at, created_at, updated_at;
    int64_t started_at, finished_at, lease_until; /* 0 when unset */
    bool cancel_requested;
};

/* The job a row of the jobs table holds (strings borrowed). */
void mq_job_of_row(const struct mq_job_row *row, struct mq_job *out);

struct mq_job_spec {
    const char *kind;       /* [a-z0-9._-], 1 to 64 characters */
    const char *payload;    /* a JSON object; NULL = {} */
    const char *queue;      /* NULL = "default" */
    int priority;           /* -100..100, higher runs first; default 0 */
    int max_attempts;       /* 1..100; 0 = MQ_JOB_DEFAULT_MAX_ATTEMPTS */
    int64_t run_at;         /* Unix ms; 0 = now */
    const char *owner_id;   /* the user the job is for, or NULL */
    const char *unique_key; /* at most one pending job per key, or NULL */
};

/* Adds a job in the caller's write transaction. If a pending job holds the
 * same unique key, nothing is added: id gets the existing job and *created
 * (may be NULL) is false. MQ_EINVAL for a bad spec. */
MQ_MUST_CHECK mq_err mq_jobs_enqueue(struct mq_ctx *ctx, struct mq_db *db,
                                     const struct mq_job_spec *spec, char id[37], bool *created);

bool mq_job_state_valid(const char *state);
bool mq_job_name_valid(const char *name, size_t max);

/* Reads, in their own transactions; strings in the arena. */
MQ_MUST_CHECK mq_err mq_jobs_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                 struct mq_job *out);
MQ_MUST_CHECK mq_err mq_jobs_list(struct mq_ctx *ctx, struct mq_arena *a,
                                  const struct mq_job_filter *f, struct mq_job *out, size_t *n);

/* Runs a job that is not running again now; MQ_ECONFLICT when it is running
 * or another pending job holds its unique key. *out is the job afterwards. */
MQ_MUST_CHECK mq_err mq_jobs_retry(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                   struct mq_job *out);
/* Cancels a pending job; a running one finishes its attempt and is not
 * retried. MQ_ECONFLICT when the job has already ended. */
MQ_MUST_CHECK mq_err mq_jobs_cancel(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                    struct mq_job *out);

#endif
