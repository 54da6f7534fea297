#include "media/announce.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "jobs/queue.h"
#include "media/libraries.h"
#include "media/parental.h"
#include "notify/notify.h"
#include "store/catalog.h"
#include "store/users.h"

#define KIND "media.announce"

mq_err mq_announce_queue(struct mq_ctx *ctx, struct mq_db *db,
                         const struct mq_library_scan_row *scan)
{
    char payload[320], key[80], job[37];
    snprintf(payload, sizeof(payload),
             "{\"library_id\":\"%s\",\"scan_id\":\"%s\",\"since\":%lld,\"new\":%lld,"
             "\"changed\":%lld,\"removed\":%lld}",
             scan->library_id, scan->id, (long long)scan->started_at, (long long)scan->new_files,
             (long long)scan->changed, (long long)scan->removed);
    snprintf(key, sizeof(key), KIND ":%s", scan->id);
    struct mq_job_spec spec = {.kind = KIND,
                               .payload = payload,
                               .queue = "maintenance",
                               .max_attempts = 3,
                               .unique_key = key};
    return mq_jobs_enqueue(ctx, db, &spec, job, NULL);
}

/* What every member is told about, read once. */
struct news {
    const char *scan_id;
    struct mq_library_row lib;
    struct mq_added_work_row *works;
    int64_t *levels; /* each work's rating level, for parental controls */
    size_t n;
    long long added, changed, removed;
};

static mq_err read_news(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                        int64_t since, struct news *w)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, library_id, &w->lib);
    if (!err)
        err = mq_store_works_added_since(db, a, library_id, since, MQ_ANNOUNCE_WORKS_MAX, &w->works,
                                         &w->n);
    if (!err && w->n && !(w->levels = mq_arena_alloc(a, w->n * sizeof(*w->levels))))
        err = MQ_ENOMEM;
    for (size_t i = 0; !err && i < w->n; i++)
        err = mq_store_item_level(db, w->works[i].id, &w->levels[i]);
    mq_store_rollback(db);
    return err;
}

/* The member's notices: the summary, and each new work their parental
 * limits allow. Those they have not turned on are dropped by
 * mq_notify_each, which reads their preferences once for all. */
static mq_err tell_member(struct mq_ctx *ctx, struct mq_arena *a, const struct news *w,
                          const char *user_id)
{
    struct mq_visible vis;
    struct mq_db *db = NULL;
    struct mq_notice *n = mq_arena_calloc(a, w->n + 1, sizeof(*n));
    size_t count = 0, made = 0;
    mq_err err = n ? mq_libraries_visible_to(ctx, a, user_id, &vis) : MQ_ENOMEM;
    if (err) return err == MQ_ENOTFOUND ? MQ_OK : err;
    if (!mq_visible_has(&vis, w->lib.id)) return MQ_OK;
    n[count++] =
        (struct mq_notice){.event = "library.scan_done",
                           .user_id = user_id,
                           .dedupe_key = mq_arena_printf(a, "library.scan_done:%s", w->scan_id),
                           .vars = json_pack("{s:s,s:s,s:s,s:s}", "library", w->lib.name, "added",
                                             mq_arena_printf(a, "%lld", w->added), "changed",
                                             mq_arena_printf(a, "%lld", w->changed), "removed",
                                             mq_arena_printf(a, "%lld", w->removed)),
                           .link = mq_arena_printf(a, "/libraries/%s", w->lib.id)};
    for (size_t i = 0; i < w->n; i++) {
        const struct mq_added_work_row *x = &w->works[i];
        if (!mq_restriction_allows(&vis.limits, (int)w->levels[i])) continue;
        n[count++] = (struct mq_notice){
            .event = "media.added",
            .user_id = user_id,
            .dedupe_key = mq_arena_printf(a, "media.added:%s", x->id),
            .vars = json_pack("{s:s,s:s}", "library", w->lib.name, "title", x->title),
            .link = mq_arena_printf(a, "/media/%s", x->id),
            .media_id = x->id};
    }
    for (size_t i = 0; !err && i < count; i++)
        if (!n[i].vars || !n[i].dedupe_key || !n[i].link) err = MQ_ENOMEM;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_notify_each(ctx, db, a, n, count, &made);
    for (size_t i = 0; i < count; i++) json_decref(n[i].vars);
    return db ? mq_store_finish(db, err) : err;
}

static mq_err announce_job(struct mq_job_run *run)
{
    json_t *p = run->payload;
    const char *library_id = json_string_value(json_object_get(p, "library_id"));
    struct news w = {.scan_id = json_string_value(json_object_get(p, "scan_id")),
                     .added = (long long)json_integer_value(json_object_get(p, "new")),
                     .changed = (long long)json_integer_value(json_object_get(p, "changed")),
                     .removed = (long long)json_integer_value(json_object_get(p, "removed"))};
    const char **members = NULL;
    size_t n = 0;
    struct mq_db *db = NULL;
    if (!library_id || !w.scan_id) {
        snprintf(run->error, sizeof(run->error), "the payload names no library_id or scan_id");
        return MQ_EINVAL;
    }
    mq_err err = read_news(run->ctx, run->arena, library_id,
                           (int64_t)json_integer_value(json_object_get(p, "since")), &w);
    if (err == MQ_ENOTFOUND) return MQ_OK; /* the library went meanwhile */
    if (!err) err = mq_store_begin(run->ctx->store, MQ_DB_READ, &db);
    if (!err) {
        err = mq_store_users_active_ids(db, run->arena, &members, &n);
        mq_store_rollback(db);
    }
    /* A member at a time, each in a transaction of their own, as the
     * monitor does: never holding the writer for the whole household. */
    for (size_t i = 0; !err && i < n; i++) {
        struct mq_arena *ma = mq_arena_new(16 * 1024);
        err = ma ? tell_member(run->ctx, ma, &w, members[i]) : MQ_ENOMEM;
        mq_arena_free(ma);
    }
    if (err) snprintf(run->error, sizeof(run->error), "announce failed: %s", mq_err_name(err));
    return err;
}

mq_err mq_announce_register(struct mq_jobs *jobs)
{
    return mq_jobs_register(jobs, KIND, announce_job);
}
