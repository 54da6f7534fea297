#include "system/system.h"

#include <stdatomic.h>

#include "core/uuid.h"
#include "jobs/runner.h"
#include "store/migrate.h"
#include "store/settings.h"

#define INSTANCE_ID_KEY "instance_id"

mq_err mq_system_init(struct mq_ctx *ctx)
{
    struct mq_db *db = NULL;
    char id[MQ_UUID_STR_LEN + 1];
    bool inserted = false;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_setting_add(db, INSTANCE_ID_KEY, id, mq_clock_now_ms(ctx->clock), &inserted);
    err = mq_store_finish(db, err);
    if (!err && inserted) mq_log_info(ctx->log, "system", "new instance %s", id);
    return err;
}

mq_err mq_system_instance_id(struct mq_ctx *ctx, struct mq_arena *a, char **id)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_setting_get(db, INSTANCE_ID_KEY, a, id);
    return mq_store_finish(db, err);
}

void mq_system_readiness(struct mq_ctx *ctx, struct mq_readiness *out)
{
    out->ready = false;
    out->detail[0] = '\0';
    out->schema_version = 0;
    out->schema_latest = mq_migrate_latest(ctx->store);
    if (atomic_load(&ctx->draining)) {
        out->reason = "shutting_down";
        return;
    }
    if (!atomic_load(&ctx->started)) {
        out->reason = "starting";
        return;
    }
    if (mq_migrate_current(ctx->store, &out->schema_version)) {
        out->reason = "database_unavailable";
        return;
    }
    if (out->schema_version != out->schema_latest) {
        out->reason = "schema_not_migrated";
        return;
    }
    if (ctx->jobs && !mq_jobs_healthy(ctx->jobs, out->detail, sizeof(out->detail))) {
        out->reason = "jobs_stuck";
        return;
    }
    out->ready = true;
    out->reason = NULL;
}
