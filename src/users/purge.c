#include "users/purge.h"

#include <stdio.h>

#include "auth/conf.h"
#include "store/mfa.h"
#include "store/users.h"
#include "store/webauthn.h"
#include "users/avatar.h"

#define PURGE_BATCH 100

static mq_err purge_users(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    struct mq_deleted_user batch[PURGE_BATCH];
    int64_t now = mq_clock_now_ms(ctx->clock), tokens = 0, challenges = 0, total = 0;
    size_t n = 0;
    mq_err err;
    do {
        struct mq_db *db = NULL;
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (err) return err;
        err = mq_store_users_deleted_before(db, run->arena,
                                            now - mq_auth_conf(ctx->cfg)->account_deletion_grace,
                                            PURGE_BATCH, batch, &n);
        for (size_t i = 0; !err && i < n; i++) {
            struct mq_event e = {
                .kind = "user.erased", .subject = batch[i].id, .user_id = batch[i].id};
            err = mq_store_user_erase(db, batch[i].id);
            if (!err) err = mq_db_publish(db, ctx->events, &e);
        }
        err = mq_store_finish(db, err);
        if (err) {
            snprintf(run->error, sizeof(run->error), "purge stopped after %lld accounts: %s",
                     (long long)total, mq_err_name(err));
            return err;
        }
        /* Files after the commit: a picture without an account is litter,
         * an account without its picture would be a broken link. */
        for (size_t i = 0; i < n; i++) {
            if (batch[i].avatar) mq_avatar_unlink(ctx, batch[i].avatar);
            mq_log_info(ctx->log, "users", "erased account %s, deleted past its grace period",
                        batch[i].id);
        }
        total += (int64_t)n;
    } while (n == PURGE_BATCH);

    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    /* Expired at least a day ago: nothing can use them any more. Sign-ins
     * waiting for a second factor too. */
    err = mq_store_email_tokens_purge(db, now - 86400000LL, &tokens);
    if (!err) err = mq_store_challenges_purge(db, now - 86400000LL, &challenges);
    if (!err) err = mq_store_webauthn_challenges_purge(db, now - 86400000LL, &challenges);
    return mq_store_finish(db, err);
}

mq_err mq_users_register_jobs(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "users.purge", purge_users);
    if (err) return err;
    struct mq_job_spec spec = {.kind = "users.purge", .queue = "maintenance", .max_attempts = 3};
    return mq_jobs_schedule(jobs, "users.purge", "hourly", &spec);
}
