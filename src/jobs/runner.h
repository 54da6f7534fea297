/* runner.h - running jobs: handlers by kind, a pool of workers per queue,
 * leases kept alive while handlers run, leases of dead processes rescued,
 * periodic schedules fired once per period across every instance. */
#ifndef MQ_JOBS_RUNNER_H
#define MQ_JOBS_RUNNER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ctx.h"
#include "jobs/queue.h"
#include "jobs/conf.h"

struct mq_jobs;

/* What a handler gets. Everything it allocates comes from `arena`, dropped
 * after the attempt. To explain a failure, write to `error`. */
struct mq_job_run {
    struct mq_ctx *ctx;
    const struct mq_job *job;
    json_t *payload; /* the parsed payload object, borrowed */
    struct mq_arena *arena;
    char error[512];
    /* A JSON object to store as the payload once the job succeeds, so that
     * secrets in it (a mailed link, say) do not outlive the job; "" keeps
     * the payload as it was. */
    char done_payload[512];
};

/* Returns MQ_OK when done. MQ_EINVAL or MQ_EPARSE mean the job can never
 * succeed (it is discarded at once); any other error is retried with backoff
 * until max_attempts. */
typedef mq_err (*mq_job_handler)(struct mq_job_run *run);

/* Builds a runner for mq_jobs_conf(ctx->cfg)->queues; nothing runs until start. */
MQ_MUST_CHECK mq_err mq_jobs_new(struct mq_ctx *ctx, struct mq_jobs **out);
void mq_jobs_free(struct mq_jobs *jobs);

/* Registers the handler for a kind (before start). */
MQ_MUST_CHECK mq_err mq_jobs_register(struct mq_jobs *jobs, const char *kind,
                                      mq_job_handler handler);

/* Declares a periodic job (before start). `spec` as in schedule.h; the
 * schedule is stored, so its next run survives restarts. */
MQ_MUST_CHECK mq_err mq_jobs_schedule(struct mq_jobs *jobs, const char *name, const char *spec,
                                      const struct mq_job_spec *job);

/* Stores the schedules and starts the workers and the maintenance thread. */
MQ_MUST_CHECK mq_err mq_jobs_start(struct mq_jobs *jobs);

/* Stops claiming; waits up to timeout_s for running handlers to finish.
 * Returns how many were still running (their leases will expire and the jobs
 * run again elsewhere or after restart). */
int mq_jobs_stop(struct mq_jobs *jobs, int timeout_s);

/* False, with a reason, when a worker has been on one job longer than
 * jobs_stuck_after or a worker thread is gone. */
bool mq_jobs_healthy(struct mq_jobs *jobs, char *why, size_t whylen);

/* Appends Prometheus metrics: jobs by queue and state (from the database),
 * duration histogram, runs and failures by kind, workers busy by queue. */
MQ_MUST_CHECK mq_err mq_jobs_render_metrics(struct mq_jobs *jobs, struct mq_buf *out);

/* The lease owner this process writes on the jobs it claims. */
const char *mq_jobs_owner(const struct mq_jobs *jobs);

#endif
