#include "jobs/builtin.h"
#include "jobs/conf.h"

#include <stdio.h>

#define PURGE_BATCH 1000

/* Deletes in batches, each in its own transaction, so a large backlog never
 * holds the writer (SQLite) or long row locks (PostgreSQL). */
static mq_err purge_finished(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    int64_t before = mq_clock_now_ms(ctx->clock) - mq_jobs_conf(ctx->cfg)->retention;
    int64_t deleted = 0, total = 0;
    do {
        struct mq_db *db = NULL;
        mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (err) return err;
        err = mq_store_finish(db, mq_store_job_purge(db, before, PURGE_BATCH, &deleted));
        if (err) {
            snprintf(run->error, sizeof(run->error), "purge stopped after %lld jobs: %s",
                     (long long)total, mq_err_name(err));
            return err;
        }
        total += deleted;
    } while (deleted == PURGE_BATCH);
    if (total) mq_log_info(ctx->log, "jobs", "purged %lld finished jobs", (long long)total);
    return MQ_OK;
}

mq_err mq_jobs_register_builtin(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "jobs.purge", purge_finished);
    if (err) return err;
    struct mq_job_spec purge = {.kind = "jobs.purge", .queue = "maintenance", .max_attempts = 3};
    return mq_jobs_schedule(jobs, "jobs.purge", "hourly", &purge);
}
