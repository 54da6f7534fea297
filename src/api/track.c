/* track.c - what a member watched and read: positions and plays of a work
 * (/api/v1/media/{id}/progress, /watched), Continue Watching, Next Up,
 * history, statistics and their own library under /api/v1/users/me/
 * (src/track/). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/uuid.h"
#include "http/page.h"
#include "track/export.h"
#include "track/history.h"
#include "track/progress.h"
#include "track/shelf.h"

#define DEVICE_MAX   64                /* bytes of a player's name */
#define LOCATOR_MAX  1024              /* bytes of a book's place, as JSON */
#define POSITION_MAX (31LL * 86400000) /* a month of playing is no real position */

static const char *const KINDS[] = {"movie", "series",    "season", "episode",
                                    "book",  "audiobook", NULL};

static mq_err item_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "media_not_found", NULL, "no media item has that id");
}

static mq_err visible(struct mq_req *req, struct mq_visible *vis)
{
    return mq_libraries_visible(req->ctx, req->arena, req->principal, vis);
}

static mq_err bad_field(struct mq_req *req, const char *field, const char *rule)
{
    return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", field), "%s %s", field,
                      rule);
}

static bool one_of(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], s)) return true;
    return false;
}

/* ---- cursors ----------------------------------------------------------- */

/* A position: a number (or, for title order, the sort title) and an id,
 * separated by a unit separator. */
static mq_err parse_after(struct mq_req *req, const struct mq_page *page, bool text_key,
                          struct mq_track_after *out)
{
    memset(out, 0, sizeof(*out));
    if (!page->after) return MQ_OK;
    const char *sep = strchr(page->after, '\x1f');
    if (!sep || !mq_uuid_valid(sep + 1, strlen(sep + 1))) goto bad;
    out->has = true;
    out->id = sep + 1;
    out->text = mq_arena_strndup(req->arena, page->after, (size_t)(sep - page->after));
    if (!out->text) return MQ_ENOMEM;
    if (!text_key) {
        char *end;
        out->key = strtoll(out->text, &end, 10);
        if (*end || end == out->text) goto bad;
    }
    return MQ_OK;
bad:
    return mq_problem(req, 400, "invalid_cursor", NULL, "cursor is not one this server handed out");
}

static const char *position_of(struct mq_arena *a, int64_t key, const char *id)
{
    return mq_arena_printf(a, "%lld\x1f%s", (long long)key, id);
}

/* ---- progress ---------------------------------------------------------- */

static json_t *locator_json(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *progress_json(const char *item_id, const struct mq_progress *p)
{
    const struct mq_progress_row *r = &p->row;
    json_t *o =
        json_pack("{s:s,s:o,s:I,s:o,s:f,s:b,s:I,s:I}", "item_id", item_id, "state",
                  mq_api_nullable(r->state), "position_ms", (json_int_t)r->position_ms,
                  "duration_ms", r->duration_ms ? json_integer(r->duration_ms) : json_null(),
                  "progress", (double)r->progress / 1000, "resumable", p->resumable, "resume_ms",
                  (json_int_t)p->resume_ms, "plays", (json_int_t)p->plays);
    json_object_set_new(o, "locator", locator_json(r->locator));
    json_object_set_new(o, "device", mq_api_nullable(r->device));
    json_object_set_new(o, "reported_at", mq_api_time(r->reported_at));
    json_object_set_new(o, "updated_at", mq_api_time(r->updated_at));
    return o;
}

static mq_err int_field(struct mq_req *req, json_t *doc, const char *name, int64_t lo, int64_t hi,
                        bool *has, int64_t *out)
{
    json_t *v = json_object_get(doc, name);
    *has = v && !json_is_null(v);
    if (!*has) return MQ_OK;
    /* Players report what they measure, in whole or fractional ms. */
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (!json_is_number(v) || !isfinite(d) || d < (double)lo || d > (double)hi)
        return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", name),
                          "%s is a number from %lld to %lld", name, (long long)lo, (long long)hi);
    *out = (int64_t)d;
    return MQ_OK;
}

static mq_err time_field(struct mq_req *req, json_t *doc, const char *name, int64_t *out)
{
    json_t *v = json_object_get(doc, name);
    *out = 0;
    if (!v || json_is_null(v)) return MQ_OK;
    if (!json_is_string(v) || mq_time_parse_rfc3339(json_string_value(v), out) || *out <= 0)
        return mq_problem(req, 422, "invalid_body", json_pack("{s:s}", "field", name),
                          "%s is an RFC 3339 instant after 1970", name);
    return MQ_OK;
}

static mq_err read_report(struct mq_req *req, struct mq_progress_report *r)
{
    static const char *const known[] = {"position_ms", "duration_ms", "progress", "locator",
                                        "device",      "reported_at", NULL};
    json_t *doc = NULL, *v;
    const char *key;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    json_object_foreach(doc, key, v)
    {
        if (!one_of(known, key))
            return mq_problem(req, 422, "unknown_field", json_pack("{s:s}", "field", key),
                              "%s is not a part of a progress report", key);
    }
    memset(r, 0, sizeof(*r));
    r->progress = -1;
    bool has_pos = false, has = false;
    err = int_field(req, doc, "position_ms", 0, POSITION_MAX, &has_pos, &r->position_ms);
    if (!err) err = int_field(req, doc, "duration_ms", 1, POSITION_MAX, &has, &r->duration_ms);
    if (err) return err;
    v = json_object_get(doc, "progress");
    if (v && !json_is_null(v)) {
        double d = json_number_value(v);
        if (!json_is_number(v) || !isfinite(d) || d < 0 || d > 1)
            return bad_field(req, "progress", "is a number from 0 to 1");
        r->progress = (int)lround(d * 1000);
    }
    v = json_object_get(doc, "locator");
    if (v && !json_is_null(v)) {
        char *text = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
        bool ok = text && strlen(text) <= LOCATOR_MAX;
        r->locator = ok ? mq_arena_strdup(req->arena, text) : NULL;
        free(text);
        if (!ok) return bad_field(req, "locator", "is an object of at most 1024 bytes as JSON");
        if (!r->locator) return MQ_ENOMEM;
    }
    if (!has_pos && r->progress < 0 && !r->locator)
        return bad_field(req, "position_ms", "is required (or progress or locator, for a book)");
    err = mq_api_string_field(req, doc, "device", false, &r->device);
    if (err) return err;
    const char *why = NULL;
    if (r->device && (strlen(r->device) > DEVICE_MAX || !mq_display_name_valid(r->device, &why)))
        return bad_field(req, "device", "is 1 to 64 bytes without control characters");
    return time_field(req, doc, "reported_at", &r->reported_at);
}

/* PUT (or POST, for navigator.sendBeacon) /api/v1/media/{id}/progress */
mq_err mq_api_progress_put(struct mq_req *req)
{
    struct mq_progress_report r;
    struct mq_visible vis;
    struct mq_progress p;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    mq_err err = read_report(req, &r);
    if (!err) err = visible(req, &vis);
    if (err) return err;
    err = mq_progress_report(req->ctx, req->arena, &vis, req->principal->user_id, id, &r, &p, &why);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *o = progress_json(id, &p);
    json_object_set_new(o, "applied", json_boolean(p.applied));
    return mq_reply_json(req, 200, o);
}

/* GET /api/v1/media/{id}/progress */
mq_err mq_api_progress_get(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_progress p;
    const char *id = mq_req_param(req, "id");
    mq_err err = visible(req, &vis);
    if (!err) err = mq_progress_get(req->ctx, req->arena, &vis, req->principal->user_id, id, &p);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    return mq_reply_json(req, 200, progress_json(id, &p));
}

/* DELETE /api/v1/media/{id}/progress */
mq_err mq_api_progress_delete(struct mq_req *req)
{
    struct mq_visible vis;
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_progress_clear(req->ctx, req->arena, &vis, req->principal->user_id,
                                mq_req_param(req, "id"));
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    return mq_reply_empty(req, 204);
}

/* POST /api/v1/media/{id}/watched {"watched_at"?, "platform"?} */
mq_err mq_api_watched_mark(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_refusal why = {0};
    json_t *doc = NULL;
    int64_t at = 0, marked = 0;
    const char *platform = NULL, *bad = NULL;
    /* An empty body marks it watched now. */
    mq_err err = req->body_len ? mq_api_body_object(req, &doc) : MQ_OK;
    if (!err && doc) err = time_field(req, doc, "watched_at", &at);
    if (!err && doc) err = mq_api_string_field(req, doc, "platform", false, &platform);
    if (err) return err;
    if (platform &&
        (strlen(platform) > MQ_SHELF_PLATFORM_MAX || !mq_display_name_valid(platform, &bad)))
        return bad_field(req, "platform", "is 1 to 64 bytes without control characters");
    err = visible(req, &vis);
    if (!err)
        err = mq_watched_mark(req->ctx, req->arena, &vis, req->principal->user_id,
                              mq_req_param(req, "id"), at, platform, &marked, &why);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    return mq_reply_json(req, 200, json_pack("{s:I}", "marked", (json_int_t)marked));
}

/* DELETE /api/v1/media/{id}/watched */
mq_err mq_api_watched_unmark(struct mq_req *req)
{
    struct mq_visible vis;
    int64_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err)
        err = mq_watched_unmark(req->ctx, req->arena, &vis, req->principal->user_id,
                                mq_req_param(req, "id"), &n);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:I}", "forgotten", (json_int_t)n));
}

/* ---- Continue Watching and Next Up ------------------------------------- */

static json_t *episode_of_json(json_t *o, const char *series_title, int64_t season, int64_t episode)
{
    if (series_title) json_object_set_new(o, "series_title", json_string(series_title));
    if (season >= 0) json_object_set_new(o, "season", json_integer(season));
    if (episode >= 0) json_object_set_new(o, "episode", json_integer(episode));
    return o;
}

static json_t *continue_item(const void *row, void *arg)
{
    const struct mq_progress_item *r = row;
    (void)arg;
    struct mq_progress p = {.row = r->p, .resumable = true, .resume_ms = r->p.position_ms};
    if (!strcmp(r->item.kind, "book")) p.resume_ms = 0;
    json_t *item = mq_api_item_json(&r->item);
    if (!strcmp(r->item.kind, "episode"))
        episode_of_json(item, r->work_title, r->season, r->item.position);
    json_t *o = json_pack("{s:o,s:o}", "item", item, "progress", progress_json(r->item.id, &p));
    json_object_del(json_object_get(o, "progress"), "plays");
    return o;
}

static const char *continue_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_progress_item *r = row;
    (void)arg;
    return position_of(a, r->p.updated_at, r->item.id);
}

/* GET /api/v1/users/me/continue-watching */
mq_err mq_api_continue_watching(struct mq_req *req)
{
    struct mq_page page;
    struct mq_track_after after;
    struct mq_visible vis;
    struct mq_progress_item *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = parse_after(req, &page, false, &after);
    if (!err) err = visible(req, &vis);
    if (!err)
        err = mq_continue_watching(req->ctx, req->arena, &vis, req->principal->user_id, &after,
                                   page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), continue_item, continue_position, NULL};
    return mq_page_answer(req, &page, &r);
}

static json_t *next_up_item(const void *row, void *arg)
{
    const struct mq_next_up *u = row;
    (void)arg;
    json_t *ep = mq_api_item_json(&u->next.item);
    episode_of_json(ep, u->series.title, u->next.season, u->next.item.position);
    json_object_set_new(ep, "in_library", json_boolean(u->next.in_library));
    return json_pack("{s:o,s:o,s:o}", "series", mq_api_item_json(&u->series), "episode", ep,
                     "last_played_at", mq_api_time(u->last_played_at));
}

static const char *next_up_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_next_up *u = row;
    (void)arg;
    return position_of(a, u->last_played_at, u->series.id);
}

/* GET /api/v1/users/me/next-up */
mq_err mq_api_next_up(struct mq_req *req)
{
    struct mq_page page;
    struct mq_track_after after;
    struct mq_visible vis;
    struct mq_next_up *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = parse_after(req, &page, false, &after);
    if (!err) err = visible(req, &vis);
    if (!err)
        err = mq_next_up(req->ctx, req->arena, &vis, req->principal->user_id, &after, page.fetch,
                         &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), next_up_item, next_up_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* ---- history and statistics -------------------------------------------- */

static json_t *history_item(const void *row, void *arg)
{
    const struct mq_history_row *h = row;
    const struct mq_play_row *p = &h->play;
    (void)arg;
    json_t *o = json_pack("{s:s,s:o,s:o,s:s,s:s,s:o,s:s,s:s}", "id", p->id, "item_id",
                          mq_api_nullable(p->item_id), "work_id", mq_api_nullable(p->work_id),
                          "type", p->kind, "title", p->title, "watched_at",
                          mq_api_time(p->watched_at), "source", p->source, "platform", p->platform);
    json_object_set_new(o, "duration_ms",
                        p->duration_ms ? json_integer(p->duration_ms) : json_null());
    json_object_set_new(o, "device", mq_api_nullable(p->device));
    if (!strcmp(p->kind, "episode")) episode_of_json(o, h->work_title, h->season, h->episode);
    return o;
}

static const char *history_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_history_row *h = row;
    (void)arg;
    return position_of(a, h->play.watched_at, h->play.id);
}

/* GET /api/v1/users/me/history?type=&platform=&source=&from=&to= */
mq_err mq_api_history(struct mq_req *req)
{
    struct mq_page page;
    struct mq_history_filter f = {.user_id = req->principal->user_id};
    struct mq_history_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_api_query_text(req, "type", &f.kind);
    if (!err) err = mq_api_query_text(req, "platform", &f.platform);
    if (!err) err = mq_api_query_text(req, "source", &f.source);
    if (!err) err = mq_api_query_time(req, "from", &f.from);
    if (!err) err = mq_api_query_time(req, "to", &f.to);
    if (err) return err;
    if (f.kind && !one_of(KINDS, f.kind))
        return mq_api_bad_filter(req, "type",
                                 "is one of movie, series, season, episode, book, audiobook");
    err = parse_after(req, &page, false, &f.after);
    f.limit = page.fetch;
    if (!err) err = mq_history_list(req->ctx, req->arena, &f, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), history_item, history_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* DELETE /api/v1/users/me/history/{entryId} */
mq_err mq_api_history_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "entryId");
    mq_err err = id && mq_uuid_valid(id, strlen(id))
                     ? mq_history_delete(req->ctx, req->principal->user_id, id)
                     : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "history_entry_not_found", NULL,
                          "no entry of your history has that id");
    if (err) return err;
    return mq_reply_empty(req, 204);
}

static json_t *buckets_json(const struct mq_stat_bucket *b, size_t n, const char *key,
                            bool with_hours)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:I}", key, b[i].name, "plays", (json_int_t)b[i].plays);
        if (with_hours)
            json_object_set_new(o, "hours", json_real(round((double)b[i].ms / 36000.0) / 100));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *day_json(int64_t ms)
{
    char text[40];
    if (!ms) return json_null();
    mq_time_format_rfc3339(ms, text, sizeof(text));
    text[10] = '\0'; /* the date part */
    return json_string(text);
}

/* GET /api/v1/users/me/stats */
mq_err mq_api_stats(struct mq_req *req)
{
    struct mq_track_stats s;
    mq_err err = mq_track_stats(req->ctx, req->arena, req->principal->user_id, &s);
    if (err) return err;
    json_t *o = json_pack("{s:I,s:f}", "plays", (json_int_t)s.plays, "hours",
                          round((double)s.ms / 36000.0) / 100);
    json_object_set_new(o, "by_type", buckets_json(s.types, s.ntypes, "type", true));
    json_object_set_new(o, "by_month", buckets_json(s.months, s.nmonths, "month", true));
    json_object_set_new(o, "by_platform",
                        buckets_json(s.platforms, s.nplatforms, "platform", true));
    json_object_set_new(o, "top_genres", buckets_json(s.genres, s.ngenres, "genre", false));
    json_object_set_new(o, "longest_streak",
                        json_pack("{s:I,s:o,s:o}", "days", (json_int_t)s.streak_days, "from",
                                  day_json(s.streak_from), "to", day_json(s.streak_to)));
    json_object_set_new(
        o, "completion",
        json_pack("{s:I,s:I,s:o}", "completed", (json_int_t)s.completed, "started",
                  (json_int_t)s.started, "share",
                  s.started
                      ? json_real(round((double)s.completed * 1000 / (double)s.started) / 1000)
                      : json_null()));
    return mq_reply_json(req, 200, o);
}

/* ---- the member's library --------------------------------------------- */

static json_t *entry_json(const struct mq_shelf_row *e)
{
    json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:s}", "status", e->status, "platform",
                          mq_api_nullable(e->platform), "rating",
                          e->rating ? json_real((double)e->rating / 10) : json_null(), "notes",
                          mq_api_nullable(e->notes), "source", e->source);
    json_object_set_new(o, "consumed_at", mq_api_time(e->consumed_at));
    json_object_set_new(o, "added_at", mq_api_time(e->added_at));
    json_object_set_new(o, "updated_at", mq_api_time(e->updated_at));
    json_object_set_new(o, "last_activity_at", mq_api_time(e->activity_at));
    return o;
}

static json_t *shelf_item(const void *row, void *arg)
{
    const struct mq_shelf_item *r = row;
    (void)arg;
    json_t *o = entry_json(&r->e);
    json_object_set_new(o, "item", mq_api_item_json(&r->item));
    return o;
}

static const char *shelf_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_shelf_item *r = row;
    enum mq_shelf_sort sort = *(const enum mq_shelf_sort *)arg;
    switch (sort) {
    case MQ_SHELF_ACTIVITY: return position_of(a, r->e.activity_at, r->item.id);
    case MQ_SHELF_TITLE: return mq_arena_printf(a, "%s\x1f%s", r->item.sort_title, r->item.id);
    case MQ_SHELF_ADDED: return position_of(a, r->e.added_at, r->item.id);
    case MQ_SHELF_RATING: return position_of(a, r->e.rating, r->item.id);
    }
    return NULL;
}

static const char *const SHELF_SORTS[] = {"activity", "title", "added", "rating", NULL};

/* GET /api/v1/users/me/library?status=&type=&platform=&source=&rating=&sort= */
mq_err mq_api_library(struct mq_req *req)
{
    struct mq_page page;
    struct mq_visible vis;
    struct mq_shelf_filter f = {0};
    struct mq_shelf_item *rows = NULL;
    const char *sort = NULL;
    size_t n = 0;
    int rating = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_api_query_text(req, "status", &f.status);
    if (!err) err = mq_api_query_text(req, "type", &f.kind);
    if (!err) err = mq_api_query_text(req, "platform", &f.platform);
    if (!err) err = mq_api_query_text(req, "source", &f.source);
    if (!err) err = mq_api_query_int(req, "rating", 1, 10, &rating);
    if (!err) err = mq_api_query_text(req, "sort", &sort);
    if (err) return err;
    if (f.status && !mq_shelf_status_valid(f.status))
        return mq_api_bad_filter(req, "status",
                                 "is one of planned, in_progress, completed, dropped, paused");
    if (f.kind && !one_of(KINDS, f.kind))
        return mq_api_bad_filter(req, "type",
                                 "is one of movie, series, season, episode, book, audiobook");
    if (sort) {
        int k = 0;
        while (SHELF_SORTS[k] && strcmp(SHELF_SORTS[k], sort)) k++;
        if (!SHELF_SORTS[k])
            return mq_api_bad_filter(req, "sort", "is one of activity, title, added, rating");
        f.sort = (enum mq_shelf_sort)k;
    }
    f.min_rating = rating * 10;
    err = parse_after(req, &page, f.sort == MQ_SHELF_TITLE, &f.after);
    f.limit = page.fetch;
    if (!err) err = visible(req, &vis);
    if (!err)
        err = mq_shelf_list(req->ctx, req->arena, &vis, req->principal->user_id, &f, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), shelf_item, shelf_position, &f.sort};
    return mq_page_answer(req, &page, &r);
}

/* PUT /api/v1/users/me/library/{mediaId} */
mq_err mq_api_library_put(struct mq_req *req)
{
    static const char *const known[] = {"status", "platform", "consumed_at",
                                        "rating", "notes",    NULL};
    struct mq_visible vis;
    struct mq_shelf_change c = {0};
    struct mq_shelf_item out;
    struct mq_refusal why = {0};
    json_t *doc = NULL, *v;
    const char *key;
    bool created = false;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    json_object_foreach(doc, key, v)
    {
        if (!one_of(known, key))
            return mq_problem(req, 422, "unknown_field", json_pack("{s:s}", "field", key),
                              "%s is not a part of a library entry", key);
    }
    err = mq_api_string_field(req, doc, "status", true, &c.status);
    if (!err) err = mq_api_string_field(req, doc, "platform", false, &c.platform);
    if (!err) err = time_field(req, doc, "consumed_at", &c.consumed_at);
    if (err) return err;
    v = json_object_get(doc, "rating");
    if (v && !json_is_null(v)) {
        double d = json_number_value(v);
        if (!json_is_number(v) || !isfinite(d) || d < 0.5 || d > 10)
            return bad_field(req, "rating", "is a number from 0.5 to 10");
        c.rating = lround(d * 10);
    }
    v = json_object_get(doc, "notes");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return bad_field(req, "notes", "is a string");
        c.notes = json_string_value(v);
    }
    err = visible(req, &vis);
    if (!err)
        err = mq_shelf_put(req->ctx, req->arena, &vis, req->principal->user_id,
                           mq_req_param(req, "mediaId"), &c, &out, &created, &why);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *o = entry_json(&out.e);
    json_object_set_new(o, "item", mq_api_item_json(&out.item));
    return mq_reply_json(req, created ? 201 : 200, o);
}

/* GET /api/v1/users/me/library/{mediaId} */
mq_err mq_api_library_get(struct mq_req *req)
{
    struct mq_shelf_item out;
    mq_err err = mq_shelf_get(req->ctx, req->arena, req->principal->user_id,
                              mq_req_param(req, "mediaId"), &out);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "library_entry_not_found", NULL,
                          "that work is not in your library");
    if (err) return err;
    json_t *o = entry_json(&out.e);
    json_object_set_new(o, "item", mq_api_item_json(&out.item));
    return mq_reply_json(req, 200, o);
}

/* DELETE /api/v1/users/me/library/{mediaId} */
mq_err mq_api_library_delete(struct mq_req *req)
{
    mq_err err = mq_shelf_delete(req->ctx, req->principal->user_id, mq_req_param(req, "mediaId"));
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "library_entry_not_found", NULL,
                          "that work is not in your library");
    if (err) return err;
    return mq_reply_empty(req, 204);
}

/* ---- export --------------------------------------------------------------------- */

static long export_read(void *state, char *buf, size_t max)
{
    return mq_export_read(state, buf, max);
}

static void export_done(void *state)
{
    mq_export_free(state);
}

/* GET /api/v1/users/me/export?format=json|zip */
mq_err mq_api_export(struct mq_req *req)
{
    const char *format = NULL;
    mq_err err = mq_req_query(req, "format", &format);
    if (err) return err;
    if (format && strcmp(format, "json") && strcmp(format, "zip"))
        return mq_api_bad_filter(req, "format", "is json or zip");
    mq_req_audit(req, "user.exported", req->actor_kind, "user", req->principal->user_id,
                 json_pack("{s:s}", "format", format ? format : "json"));
    if (format && !strcmp(format, "zip")) {
        char *data = NULL;
        size_t len = 0;
        err = mq_export_zip(req->ctx, req->principal->user_id, &data, &len);
        if (err == MQ_EUNSUPPORTED)
            return mq_problem(req, 503, "zip_unavailable", NULL,
                              "libzip (Debian's libzip4) is not installed on the server");
        if (err) return err;
        /* The answer is sent after the handler returns: from the arena. */
        char *body = mq_arena_alloc(req->arena, len ? len : 1);
        if (body) memcpy(body, data, len);
        free(data);
        if (!body) return MQ_ENOMEM;
        (void)mq_reply_header(req, "Content-Disposition",
                              "attachment; filename=\"marquee-export.zip\"");
        return mq_reply_bytes(req, 200, "application/zip", body, len);
    }
    struct mq_export *x = NULL;
    err = mq_export_new(req->ctx, req->principal->user_id, &x);
    if (err) return err;
    (void)mq_reply_header(req, "Content-Disposition",
                          "attachment; filename=\"marquee-export.json\"");
    return mq_reply_stream(req, 200, "application/json", export_read, export_done, x);
}
