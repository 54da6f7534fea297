#include "system/system.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "core/events.h"
#include "core/uuid.h"
#include "core/version.h"
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
    out->database = mq_store_backend_name(ctx->store);
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

static long resident_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own fd */
}

mq_err mq_system_render_metrics(struct mq_ctx *ctx, struct mq_buf *out)
{
    mq_err err = ctx->jobs ? mq_jobs_render_metrics(ctx->jobs, out) : MQ_OK;
    if (!err && ctx->events) err = mq_events_render_metrics(ctx->events, out);
    if (!err) err = mq_store_render_metrics(ctx->store, out);
    if (err) return err;
    return mq_buf_printf(out,
                         "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                         "# TYPE process_resident_memory_bytes gauge\n"
                         "process_resident_memory_bytes %ld\n"
                         "# HELP process_open_fds Number of open file descriptors.\n"
                         "# TYPE process_open_fds gauge\n"
                         "process_open_fds %ld\n"
                         "# HELP process_start_time_seconds Start time since the Unix epoch.\n"
                         "# TYPE process_start_time_seconds gauge\n"
                         "process_start_time_seconds %.3f\n"
                         "# HELP marquee_build_info Build of this binary.\n"
                         "# TYPE marquee_build_info gauge\n"
                         "marquee_build_info{version=\"%s\",commit=\"%s\"} 1\n",
                         resident_bytes(), open_fds(), (double)ctx->boot_ms / 1000.0, MQ_VERSION,
                         MQ_COMMIT);
}
