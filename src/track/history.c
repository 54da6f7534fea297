#include "track/history.h"

#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/zone.h"
#include "store/users.h"

mq_err mq_history_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_history_filter *f,
                       struct mq_history_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_history(db, a, f, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_history_delete(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_play_delete(db, user_id, id);
    return mq_store_finish(db, err);
}

/* Adds a play to the bucket of that name, making it when new: the lists
 * are short (a handful of types and platforms, a month per month). */
static void add_to(struct mq_stat_bucket *b, size_t *n, const char *name, int64_t ms)
{
    size_t i = 0;
    while (i < *n && strcmp(b[i].name, name)) i++;
    if (i == *n) b[(*n)++] = (struct mq_stat_bucket){name, 0, 0};
    b[i].plays++;
    b[i].ms += ms;
}

static const char *month_of(struct mq_arena *a, int64_t day)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    return mq_arena_printf(a, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

/* The member's time zone, from their preferences (NULL = UTC). */
static const char *zone_of(struct mq_db *db, struct mq_arena *a, const char *user_id)
{
    struct mq_user_row u;
    if (mq_store_user_by_id(db, a, user_id, &u) || !u.preferences) return NULL;
    json_t *prefs = json_loads(u.preferences, 0, NULL);
    const char *zone = json_string_value(json_object_get(prefs, "time_zone"));
    zone = zone ? mq_arena_strdup(a, zone) : NULL;
    json_decref(prefs);
    return zone;
}

static void streak(struct mq_track_stats *out, const int64_t *days, size_t n)
{
    int64_t run = 0, from = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && days[i] == days[i - 1]) continue;
        if (i && days[i] == days[i - 1] + 1) {
            run++;
        } else {
            run = 1;
            from = days[i];
        }
        if (run > out->streak_days) {
            out->streak_days = run;
            out->streak_from = from * 86400000;
            out->streak_to = days[i] * 86400000;
        }
    }
}

mq_err mq_track_stats(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                      struct mq_track_stats *out)
{
    struct mq_db *db = NULL;
    struct mq_stat_play *plays = NULL;
    struct mq_store_count *genres = NULL, *statuses = NULL;
    size_t n = 0, ng = 0, nst = 0;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    const char *zone = zone_of(db, a, user_id);
    err = mq_store_stat_plays(db, a, user_id, &plays, &n);
    if (!err) err = mq_store_stat_genres(db, a, user_id, 10, &genres, &ng);
    if (!err) err = mq_store_stat_statuses(db, a, user_id, &statuses, &nst);
    mq_store_rollback(db);
    if (err) return err;

    size_t room = n ? n : 1;
    int64_t *ms = mq_arena_calloc(a, room, sizeof(*ms)), *days = mq_arena_calloc(a, room, 8);
    out->types = mq_arena_calloc(a, room, sizeof(*out->types));
    out->months = mq_arena_calloc(a, room, sizeof(*out->months));
    out->platforms = mq_arena_calloc(a, room, sizeof(*out->platforms));
    out->genres = mq_arena_calloc(a, ng ? ng : 1, sizeof(*out->genres));
    if (!ms || !days || !out->types || !out->months || !out->platforms || !out->genres)
        return MQ_ENOMEM;
    for (size_t i = 0; i < n; i++) ms[i] = plays[i].watched_at;
    (void)mq_zone_days(zone, ms, days, n);
    for (size_t i = 0; i < n; i++) {
        const struct mq_stat_play *p = &plays[i];
        const char *month = month_of(a, days[i]);
        if (!month) return MQ_ENOMEM;
        out->plays++;
        out->ms += p->duration_ms;
        add_to(out->types, &out->ntypes, p->kind, p->duration_ms);
        add_to(out->platforms, &out->nplatforms, p->platform, p->duration_ms);
        add_to(out->months, &out->nmonths, month, p->duration_ms);
    }
    streak(out, days, n);
    for (size_t i = 0; i < ng; i++)
        out->genres[out->ngenres++] = (struct mq_stat_bucket){genres[i].name, genres[i].n, 0};
    for (size_t i = 0; i < nst; i++) {
        if (!strcmp(statuses[i].name, "planned")) continue;
        out->started += statuses[i].n;
        if (!strcmp(statuses[i].name, "completed")) out->completed += statuses[i].n;
    }
    return MQ_OK;
}
