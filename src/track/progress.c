#include "track/progress.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/uuid.h"
#include "media/parental.h"
#include "track/conf.h"

void mq_track_view_of(const struct mq_visible *vis, const char *user_id, struct mq_track_view *v)
{
    v->user_id = user_id;
    v->visible_json = vis->json;
    v->max_level = vis->limits.max_level;
    v->block_unrated = vis->limits.block_unrated;
}

static bool valid_id(const char *id)
{
    return id && mq_uuid_valid(id, strlen(id));
}

static bool playable(const char *kind)
{
    return !strcmp(kind, "movie") || !strcmp(kind, "episode") || !strcmp(kind, "book") ||
           !strcmp(kind, "audiobook");
}

/* The work, when the member may see it: MQ_ENOTFOUND otherwise, as for
 * one that does not exist. */
static mq_err load(struct mq_db *db, struct mq_arena *a, const struct mq_visible *vis,
                   const char *id, struct mq_track_item *out)
{
    if (!valid_id(id)) return MQ_ENOTFOUND;
    mq_err err = mq_store_track_item(db, a, id, out);
    if (err) return err;
    if (out->deleted_at || (out->library_id && !mq_visible_has(vis, out->library_id)) ||
        !mq_restriction_allows(&vis->limits, (int)out->level))
        return MQ_ENOTFOUND;
    if (!out->work_id) out->work_id = out->parent_id ? out->parent_id : out->id;
    return MQ_OK;
}

static int64_t length_of(const struct mq_track_item *it)
{
    /* An audiobook's runtime adds its parts up; a file is one of them. */
    if (!strcmp(it->kind, "audiobook") && it->runtime_min) return it->runtime_min * 60000;
    return it->file_ms ? it->file_ms : it->runtime_min * 60000;
}

static mq_err publish(struct mq_ctx *ctx, struct mq_db *db, const char *user_id,
                      const char *item_id, const char *state, int64_t position_ms, int64_t progress,
                      const char *device)
{
    json_t *d = json_pack("{s:s,s:s,s:I,s:f}", "item_id", item_id, "state", state, "position_ms",
                          (json_int_t)position_ms, "progress", (double)progress / 1000);
    if (!d) return MQ_ENOMEM;
    if (device) json_object_set_new(d, "device", json_string(device));
    char *text = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    if (!text) return MQ_ENOMEM;
    struct mq_event e = {
        .kind = "progress.updated", .subject = item_id, .user_id = user_id, .detail = text};
    mq_err err = mq_db_publish(db, ctx->events, &e);
    free(text);
    return err;
}

/* Whether every numbered episode the member may see of the series is
 * played (specials, season 0, do not count). */
static mq_err series_done(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                          const char *series_id, bool *done)
{
    struct mq_episode_row *eps = NULL;
    size_t n = 0;
    *done = false;
    mq_err err = mq_store_episodes(db, a, v, series_id, &eps, &n);
    if (err) return err;
    size_t counted = 0, watched = 0;
    for (size_t i = 0; i < n; i++) {
        if (eps[i].season == 0) continue;
        counted++;
        watched += eps[i].watched;
    }
    *done = counted && watched == counted;
    return MQ_OK;
}

/* The member's library follows what they play: the work (a series for
 * its episodes) is in progress, or completed once finished. */
static mq_err touch_work(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                         const struct mq_track_item *it, bool finished, int64_t at,
                         const char *platform)
{
    const char *status = finished ? "completed" : "in_progress";
    bool is_series = strcmp(it->work_id, it->id) != 0;
    if (is_series && finished) {
        bool done = false;
        mq_err err = series_done(db, a, v, it->work_id, &done);
        if (err) return err;
        status = done ? "completed" : "in_progress";
    }
    struct mq_shelf_row r = {.user_id = v->user_id,
                             .item_id = it->work_id,
                             .status = status,
                             .platform = platform,
                             .consumed_at = !strcmp(status, "completed") ? at : 0,
                             .source = "marquee",
                             .activity_at = at};
    return mq_store_shelf_touch(db, &r);
}

static mq_err add_play(struct mq_ctx *ctx, struct mq_db *db, const char *user_id,
                       const struct mq_track_item *it, int64_t at, int64_t duration_ms,
                       const char *source, const char *platform, const char *device)
{
    char id[37];
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    struct mq_play_row p = {.id = id,
                            .user_id = user_id,
                            .item_id = it->id,
                            .work_id = it->work_id,
                            .kind = it->kind,
                            .title = it->title,
                            .watched_at = at,
                            .duration_ms = duration_ms,
                            .source = source,
                            .platform = platform,
                            .device = device,
                            .created_at = mq_clock_now_ms(ctx->clock)};
    return mq_store_play_insert(db, &p, NULL);
}

static void describe(const struct mq_track_item *it, struct mq_progress *out)
{
    const struct mq_progress_row *r = &out->row;
    out->resumable = r->state && !strcmp(r->state, "in_progress");
    out->resume_ms = out->resumable && strcmp(it->kind, "book") ? r->position_ms : 0;
}

mq_err mq_progress_report(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                          const char *user_id, const char *item_id,
                          const struct mq_progress_report *r, struct mq_progress *out,
                          struct mq_refusal *why)
{
    const struct mq_track_conf *conf = mq_track_conf(ctx->cfg);
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_track_view v;
    struct mq_track_item it;
    struct mq_progress_row old = {0};
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));
    mq_track_view_of(vis, user_id, &v);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, vis, item_id, &it);
    if (err) goto done;
    if (!playable(it.kind)) {
        err = mq_refuse(why, MQ_EINVAL, "not_playable", NULL,
                        "a %s has no position of its own: report its episodes", it.kind);
        goto done;
    }
    err = mq_store_progress_get(db, a, user_id, it.id, &old);
    if (err == MQ_ENOTFOUND) {
        memset(&old, 0, sizeof(old));
        err = MQ_OK;
    }
    if (err) goto done;

    /* A clock ahead of the server's counts as now, so one wrong device
     * cannot lock every other one out. */
    int64_t at = r->reported_at && r->reported_at < now ? r->reported_at : now;
    int64_t length = r->duration_ms ? r->duration_ms : length_of(&it);
    int64_t pos = r->position_ms;
    if (length && pos > length) pos = length;
    int64_t share = r->progress >= 0 ? r->progress : length ? pos * 1000 / length : 0;
    bool timed = strcmp(it.kind, "book") != 0 && length > 0;
    bool finished =
        share * 100 >= (int64_t)conf->complete_percent * 1000 ||
        (timed && conf->complete_credits && share >= 500 && length - pos < conf->complete_credits);
    /* A film under a minute or 5% in starts again from the beginning; a
     * book is worth resuming from its first page turned. */
    bool resumable =
        !finished && (timed ? pos >= conf->resume_min_ms &&
                                  share * 100 >= (int64_t)conf->resume_min_percent * 1000
                            : share > 0 || r->locator);

    struct mq_progress_row row = {.user_id = user_id,
                                  .item_id = it.id,
                                  .state = finished    ? "completed"
                                           : resumable ? "in_progress"
                                                       : "started",
                                  .position_ms = pos,
                                  .duration_ms = length,
                                  .progress = share > 1000 ? 1000 : share,
                                  .locator = r->locator,
                                  .device = r->device,
                                  .reported_at = at,
                                  .updated_at = now};
    bool applied = false;
    err = mq_store_progress_put(db, &row, &applied);
    if (err) goto done;
    out->applied = applied;
    if (!applied) {
        /* A later report is already in: it stands, and is what we show. */
        out->row = old;
        goto count;
    }
    out->row = row;
    bool was_finished = old.state && !strcmp(old.state, "completed");
    if (finished && !was_finished) {
        err = add_play(ctx, db, user_id, &it, at, length, "marquee", "marquee", r->device);
        if (!err) err = touch_work(db, a, &v, &it, true, at, "marquee");
    } else if (!finished && !old.state) {
        err = touch_work(db, a, &v, &it, false, at, "marquee");
    }
    if (!err)
        err = publish(ctx, db, user_id, it.id, row.state, row.position_ms, row.progress, r->device);
count:
    if (!err) err = mq_store_plays_count(db, user_id, it.id, &out->plays);
    describe(&it, out);
done:
    return mq_store_finish(db, err);
}

mq_err mq_progress_get(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                       const char *user_id, const char *item_id, struct mq_progress *out)
{
    struct mq_track_item it = {0};
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = load(db, a, vis, item_id, &it);
    if (err) goto done;
    err = mq_store_progress_get(db, a, user_id, it.id, &out->row);
    if (err == MQ_ENOTFOUND) {
        memset(&out->row, 0, sizeof(out->row));
        err = MQ_OK;
    }
    if (!err) err = mq_store_plays_count(db, user_id, it.id, &out->plays);
done:
    mq_store_rollback(db);
    if (!err) describe(&it, out);
    out->applied = true;
    return err;
}

mq_err mq_progress_clear(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         const char *user_id, const char *item_id)
{
    struct mq_track_item it;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, vis, item_id, &it);
    if (!err) err = mq_store_progress_delete(db, user_id, it.id);
    if (!err) err = publish(ctx, db, user_id, it.id, "cleared", 0, 0, NULL);
    return mq_store_finish(db, err);
}

/* Marks one playable work finished at `at`: a play, and a completed
 * position so that a late report from a device that was still playing
 * cannot put it back in Continue Watching. */
static mq_err finish_one(struct mq_ctx *ctx, struct mq_db *db, const char *user_id,
                         const struct mq_track_item *it, int64_t at, const char *platform)
{
    int64_t length = length_of(it), now = mq_clock_now_ms(ctx->clock);
    struct mq_progress_row row = {.user_id = user_id,
                                  .item_id = it->id,
                                  .state = "completed",
                                  .position_ms = length,
                                  .duration_ms = length,
                                  .progress = 1000,
                                  .reported_at = now,
                                  .updated_at = now};
    bool applied = false;
    mq_err err = add_play(ctx, db, user_id, it, at, length, "manual", platform, NULL);
    if (!err) err = mq_store_progress_put(db, &row, &applied);
    return err;
}

/* An episode of a series or season, as tracking sees it. */
static void item_of_episode(const struct mq_episode_row *e, const struct mq_track_item *parent,
                            struct mq_track_item *out)
{
    memset(out, 0, sizeof(*out));
    out->id = e->item.id;
    out->kind = "episode";
    out->title = e->item.title;
    out->library_id = e->item.library_id;
    out->parent_id = e->item.parent_id;
    out->work_id = !strcmp(parent->kind, "series") ? parent->id : parent->work_id;
    out->runtime_min = e->item.runtime_min;
}

mq_err mq_watched_mark(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                       const char *user_id, const char *item_id, int64_t at, const char *platform,
                       int64_t *marked, struct mq_refusal *why)
{
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_track_view v;
    struct mq_track_item it;
    struct mq_db *db = NULL;
    *marked = 0;
    if (!at) at = now;
    if (at > now + 60000)
        return mq_refuse(why, MQ_EINVAL, "invalid_watched_at", "watched_at",
                         "watched_at is in the future");
    if (!platform) platform = "marquee";
    mq_track_view_of(vis, user_id, &v);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, vis, item_id, &it);
    if (err) goto done;
    if (playable(it.kind)) {
        err = finish_one(ctx, db, user_id, &it, at, platform);
        if (!err) *marked = 1;
        if (!err) err = touch_work(db, a, &v, &it, true, at, platform);
    } else {
        struct mq_episode_row *eps = NULL;
        size_t n = 0;
        err = mq_store_episodes(db, a, &v, it.id, &eps, &n);
        struct mq_track_item ep = {0};
        for (size_t i = 0; !err && i < n; i++) {
            if (eps[i].watched) continue;
            item_of_episode(&eps[i], &it, &ep);
            err = finish_one(ctx, db, user_id, &ep, at, platform);
            if (!err) ++*marked;
        }
        if (!err && *marked) err = touch_work(db, a, &v, &ep, true, at, platform);
    }
    if (!err) err = publish(ctx, db, user_id, it.id, "completed", 0, 1000, NULL);
done:
    return mq_store_finish(db, err);
}

/* After an unwatch: an entry that playing made goes with the work's last
 * play; one with plays left is in progress again. An entry the member
 * made stays as they made it, unless it said completed. */
static mq_err unfinish_work(struct mq_db *db, struct mq_arena *a, const char *user_id,
                            const char *work_id, bool plays_left)
{
    struct mq_shelf_row e;
    mq_err err = mq_store_shelf_get(db, a, user_id, work_id, &e);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (err) return err;
    if (!plays_left && !strcmp(e.source, "marquee"))
        return mq_store_shelf_delete(db, user_id, work_id);
    if (strcmp(e.status, "completed")) return MQ_OK;
    e.status = plays_left ? "in_progress" : "planned";
    e.consumed_at = 0;
    return mq_store_shelf_put(db, &e);
}

mq_err mq_watched_unmark(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         const char *user_id, const char *item_id, int64_t *forgotten)
{
    struct mq_track_view v;
    struct mq_track_item it;
    struct mq_db *db = NULL;
    int64_t n = 0;
    *forgotten = 0;
    mq_track_view_of(vis, user_id, &v);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, vis, item_id, &it);
    if (err) goto done;
    if (playable(it.kind)) {
        err = mq_store_plays_forget(db, user_id, it.id, &n);
        if (!err) err = mq_store_progress_delete(db, user_id, it.id);
        *forgotten = n;
    } else {
        struct mq_episode_row *eps = NULL;
        size_t neps = 0;
        err = mq_store_episodes(db, a, &v, it.id, &eps, &neps);
        for (size_t i = 0; !err && i < neps; i++) {
            err = mq_store_plays_forget(db, user_id, eps[i].item.id, &n);
            if (!err) err = mq_store_progress_delete(db, user_id, eps[i].item.id);
            *forgotten += n;
        }
    }
    bool left = false;
    if (!err && strcmp(it.work_id, it.id)) {
        struct mq_episode_row *eps = NULL;
        size_t neps = 0;
        err = mq_store_episodes(db, a, &v, it.work_id, &eps, &neps);
        for (size_t i = 0; !err && i < neps && !left; i++) left = eps[i].watched;
    }
    if (!err) err = unfinish_work(db, a, user_id, it.work_id, left);
    if (!err) err = publish(ctx, db, user_id, it.id, "cleared", 0, 0, NULL);
done:
    return mq_store_finish(db, err);
}

mq_err mq_continue_watching(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                            const char *user_id, const struct mq_track_after *after, int limit,
                            struct mq_progress_item **out, size_t *n)
{
    struct mq_track_view v;
    struct mq_db *db = NULL;
    mq_track_view_of(vis, user_id, &v);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_progress_list(db, a, &v, after, limit, out, n);
    mq_store_rollback(db);
    return err;
}

/* The episode after the furthest one played (specials aside), if any. */
static const struct mq_episode_row *next_of(const struct mq_episode_row *eps, size_t n)
{
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        if (eps[i].watched && eps[i].season > 0) last = i;
    if (last == n) return NULL;
    for (size_t i = last + 1; i < n; i++)
        if (eps[i].season > 0) return &eps[i];
    return NULL;
}

/* Series read per page at most: caught-up ones are skipped, so a page may
 * need more than `limit` of them, but never the whole history. */
#define NEXT_UP_SCAN 200

mq_err mq_next_up(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                  const char *user_id, const struct mq_track_after *after, int limit,
                  struct mq_next_up **out, size_t *n)
{
    struct mq_track_view v;
    struct mq_db *db = NULL;
    struct mq_store_count *series = NULL;
    size_t ns = 0;
    *out = NULL;
    *n = 0;
    mq_track_view_of(vis, user_id, &v);
    struct mq_next_up *list = mq_arena_calloc(a, (size_t)limit, sizeof(*list));
    if (!list) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_series_played(db, a, user_id, after, NEXT_UP_SCAN, &series, &ns);
    for (size_t i = 0; !err && i < ns && *n < (size_t)limit; i++) {
        struct mq_track_item it;
        err = load(db, a, vis, series[i].name, &it);
        if (err == MQ_ENOTFOUND) {
            err = MQ_OK;
            continue;
        }
        struct mq_episode_row *eps = NULL;
        size_t neps = 0;
        if (!err) err = mq_store_episodes(db, a, &v, it.id, &eps, &neps);
        const struct mq_episode_row *next = err ? NULL : next_of(eps, neps);
        if (!next) continue;
        struct mq_next_up *u = &list[(*n)++];
        err = mq_store_item_get(db, a, it.id, &u->series);
        u->next = *next;
        u->last_played_at = series[i].n;
    }
    mq_store_rollback(db);
    if (err) return err;
    *out = list;
    return MQ_OK;
}
