#include "audit/retention.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/keyring.h"
#include "audit/conf.h"

#define PURGE_BATCH 5000

void mq_audit_checkpoint_message(const struct mq_audit_checkpoint *c, char *out, size_t outlen)
{
    snprintf(out, outlen, "marquee audit checkpoint v1\n%lld\n%s\n%lld\n%lld\n%s",
             (long long)c->seq, c->hash ? c->hash : "", (long long)c->at, (long long)c->purged,
             c->kid ? c->kid : "");
}

/* One batch in one transaction, holding the chain lock so no append
 * interleaves: find the cut, sign it, store the checkpoint, delete. */
static mq_err purge_batch(struct mq_ctx *ctx, struct mq_arena *a, int64_t before, int64_t *deleted)
{
    const struct mq_signing_key *key = mq_keyring_signer(ctx->keyring);
    struct mq_audit_checkpoint c = {0};
    struct mq_db *db = NULL;
    char message[256], sig_hex[crypto_sign_BYTES * 2 + 1];
    unsigned char sig[crypto_sign_BYTES];
    *deleted = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_audit_lock(db);
    if (!err) err = mq_store_audit_purge_point(db, a, before, PURGE_BATCH, &c.seq, &c.hash);
    if (!err && c.seq) err = mq_store_audit_delete_through(db, c.seq, &c.purged);
    if (!err && c.seq) {
        c.at = mq_clock_now_ms(ctx->clock);
        c.kid = key->kid;
        mq_audit_checkpoint_message(&c, message, sizeof(message));
        crypto_sign_detached(sig, NULL, (const unsigned char *)message, strlen(message), key->sk);
        sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
        c.signature = sig_hex;
        err = mq_store_audit_checkpoint_insert(db, &c);
    }
    err = mq_store_finish(db, err);
    if (!err) *deleted = c.purged;
    return err;
}

mq_err mq_audit_purge(struct mq_ctx *ctx, int64_t before, int64_t *purged)
{
    int64_t deleted = 0;
    mq_err err = MQ_OK;
    *purged = 0;
    if (!ctx->keyring) return MQ_EUNAVAILABLE;
    do {
        struct mq_arena *a = mq_arena_new(1024);
        err = a ? purge_batch(ctx, a, before, &deleted) : MQ_ENOMEM;
        mq_arena_free(a);
        if (!err) *purged += deleted;
    } while (!err && deleted == PURGE_BATCH);
    return err;
}

static mq_err purge_audit(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    int64_t total = 0;
    mq_err err = mq_audit_purge(
        ctx, mq_clock_now_ms(ctx->clock) - mq_audit_conf(ctx->cfg)->retention, &total);
    if (err) {
        snprintf(run->error, sizeof(run->error), "purge stopped after %lld entries: %s",
                 (long long)total, mq_err_name(err));
        return err;
    }
    if (total)
        mq_log_info(ctx->log, "audit", "purged %lld audit entries older than the retention",
                    (long long)total);
    return MQ_OK;
}

mq_err mq_audit_register_jobs(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "audit.purge", purge_audit);
    if (err) return err;
    struct mq_job_spec spec = {.kind = "audit.purge", .queue = "maintenance", .max_attempts = 5};
    return mq_jobs_schedule(jobs, "audit.purge", "daily at 03:30", &spec);
}
