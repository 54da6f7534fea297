#include "track/monitor.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strmap.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "media/libraries.h"
#include "metadata/conf.h"
#include "notify/notify.h"
#include "store/users.h"
#include "track/conf.h"
#include "track/relations.h"

#define KIND "track.monitor"

bool mq_platform_matches(const char *offered, const char *used)
{
    char a[128], b[128];
    size_t na = 0, nb = 0;
    for (const char *p = offered; *p && na < sizeof(a) - 1; p++)
        if (isalnum((unsigned char)*p)) a[na++] = (char)tolower((unsigned char)*p);
    for (const char *p = used; *p && nb < sizeof(b) - 1; p++)
        if (isalnum((unsigned char)*p)) b[nb++] = (char)tolower((unsigned char)*p);
    a[na] = b[nb] = 0;
    if (!na || !nb) return false;
    return na < nb ? !strncmp(a, b, na) : !strncmp(a, b, nb);
}

/* One member's view for a run. */
struct member {
    const char *id;
    struct mq_visible vis;
    struct mq_notify_prefs prefs;
    const char **platforms;
    size_t n_platforms;
    const char *region;
};

/* A notice found while reading, told once the reading is done. */
struct found {
    const char *event, *key, *item_id, *url;
    json_t *vars;
};

#define FOUND_MAX 256 /* a member's in one run; more wait for the next */

struct run {
    struct found found[FOUND_MAX];
    size_t nfound;
    struct mq_ctx *ctx;
    struct mq_arena *a;
    int64_t now;
    char today[11], new_since[11]; /* "YYYY-MM-DD" */
    struct mq_monitor_run_row row;
};

/* Where the member can have what reach says, given the item's offers:
 * "in your library", "on Netflix"; NULL when nowhere. complete asks for
 * every unit (a whole season). */
static const char *where_from(struct run *r, const struct member *m, const struct mq_reach *reach,
                              const struct mq_offer_row *offers, size_t n, bool complete,
                              const char **url)
{
    *url = NULL;
    if (!reach->units || (complete ? reach->released < reach->units : reach->released < 1))
        return NULL;
    if (complete ? reach->in_library == reach->units : reach->in_library > 0)
        return "in your library";
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m->n_platforms; k++)
            if (mq_platform_matches(offers[i].platform, m->platforms[k])) {
                *url = offers[i].url;
                return mq_arena_printf(r->a, "on %s", offers[i].platform);
            }
    return NULL;
}

/* The same for one item, read now: where all of it can be had (*all,
 * for a whole season) and where some can (*some). */
static mq_err where_now(struct run *r, struct mq_db *db, const struct member *m,
                        const char *item_id, const char **all, const char **all_url,
                        const char **some, const char **some_url)
{
    struct mq_reach reach = {0};
    struct mq_reach_of *of = NULL;
    struct mq_offer_row *offers = NULL;
    size_t n = 0;
    const char *ids = mq_arena_printf(r->a, "[\"%s\"]", item_id); /* an id: no quoting needed */
    mq_err err = ids ? mq_store_monitor_reach_many(db, r->a, ids, m->vis.json, r->today, &of, &n)
                     : MQ_ENOMEM;
    if (!err && n) reach = of[0].reach;
    n = 0;
    /* Offers only when they could matter: out, and not all in a library. */
    if (!err && reach.released > 0 && reach.in_library < reach.units)
        err = mq_store_monitor_offers(db, r->a, item_id, m->region, r->now, &offers, &n);
    if (err) return err;
    if (all) *all = where_from(r, m, &reach, offers, n, true, all_url);
    if (some) *some = where_from(r, m, &reach, offers, n, false, some_url);
    return MQ_OK;
}

/* Keeps a notice, told once the reading is done. */
static mq_err keep(struct run *r, const char *event, const char *key, const char *item_id,
                   json_t *vars, const char *url)
{
    r->row.candidates++;
    if (!key || !vars || r->nfound == FOUND_MAX) {
        json_decref(vars);
        return key && vars ? MQ_OK : MQ_ENOMEM;
    }
    r->found[r->nfound++] =
        (struct found){.event = event, .key = key, .item_id = item_id, .url = url, .vars = vars};
    return MQ_OK;
}

/* Keeps a notice for the member unless they were told already (the
 * common case on every run after the first, decided in the read). */
static mq_err tell(struct run *r, struct mq_db *db, const struct member *m, const char *event,
                   const char *key, const char *item_id, json_t *vars, const char *url)
{
    bool known = false;
    mq_err err = key && vars ? mq_store_notification_known(db, m->id, key, &known) : MQ_ENOMEM;
    if (err || known) {
        if (known) r->row.candidates++;
        json_decref(vars);
        return err;
    }
    return keep(r, event, key, item_id, vars, url);
}

static mq_err tell_found(struct run *r, const struct member *m)
{
    struct mq_db *db = NULL;
    struct mq_notice *n = r->nfound ? mq_arena_alloc(r->a, r->nfound * sizeof(*n)) : NULL;
    size_t made = 0;
    mq_err err = !r->nfound ? MQ_OK
                 : n        ? mq_store_begin(r->ctx->store, MQ_DB_WRITE, &db)
                            : MQ_ENOMEM;
    for (size_t i = 0; !err && i < r->nfound; i++) {
        const struct found *f = &r->found[i];
        n[i] = (struct mq_notice){.event = f->event,
                                  .user_id = m->id,
                                  .dedupe_key = f->key,
                                  .vars = f->vars,
                                  .link = mq_arena_printf(r->a, "/media/%s", f->item_id),
                                  .external_url = f->url,
                                  .media_id = f->item_id};
        if (!n[i].link) err = MQ_ENOMEM;
    }
    /* One member's findings together: their preferences and channels
     * read once, not once a notice. Lost in a crash of the database's
     * machine, they would be found and told by the next run. */
    if (!err && r->nfound) err = mq_db_redoable(db);
    if (!err && r->nfound) err = mq_notify_each(r->ctx, db, r->a, n, r->nfound, &made);
    r->row.notified += (int64_t)made;
    for (size_t i = 0; i < r->nfound; i++) json_decref(r->found[i].vars);
    r->nfound = 0;
    return db ? mq_store_finish(db, err) : err;
}

static const char *event_of(const struct mq_next_row *x)
{
    if (!strcmp(x->relation, "next_in_series") || !strcmp(x->relation, "book_series"))
        return "book.next_available";
    if (!strcmp(x->relation, "part_of") || !strcmp(x->relation, "collection"))
        return "collection.next_available";
    if (!strcmp(x->relation, "person")) return "person.new_work";
    return "sequel.available";
}

/* A work that follows one the member finished, on its way to a notice. */
struct candidate {
    const struct mq_next_row *x;
    struct mq_reach reach;
    const char *where, *url;
    bool known;
};

/* A JSON array of the candidates' ids (prefixed: their dedupe keys) for
 * which wanted() holds. */
static const char *id_list(struct run *r, const struct candidate *c, size_t n, const char *prefix,
                           bool (*wanted)(const struct candidate *))
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (wanted(&c[i]))
            json_array_append_new(list, json_sprintf("%s%s", prefix, c[i].x->item_id));
    char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
    const char *copy = text ? mq_arena_strdup(r->a, text) : NULL;
    free(text);
    json_decref(list);
    return copy;
}

/* A series' reach is its episodes': not in the row, asked after. */
static bool needs_reach(const struct candidate *c)
{
    return !c->known && !c->reach.units;
}
static bool needs_offers(const struct candidate *c)
{
    return !c->known && c->reach.released > 0 && !c->reach.in_library;
}
static bool any(const struct candidate *c)
{
    (void)c;
    return true;
}

/* Works that follow what the member finished: whether each was told
 * already, how far each can be had (in their row for films and books,
 * asked for series), and where each streams, a query each for all of
 * them rather than three for each (a member of a big household has
 * hundreds). */
static mq_err tell_next(struct run *r, struct mq_db *db, const struct member *m,
                        const struct mq_next_row *rows, size_t n)
{
    struct candidate *c = n ? mq_arena_alloc(r->a, n * sizeof(*c)) : NULL;
    struct mq_strmap *at = NULL;
    const char **known = NULL, *ids;
    struct mq_reach_of *reach = NULL;
    struct mq_offer_row *offers = NULL;
    size_t nc = 0, nk = 0, nr = 0, no = 0;
    if (!n) return MQ_OK;
    mq_err err = c ? mq_strmap_new(n, &at) : MQ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        const char *id = rows[i].item_id;
        if (mq_strmap_get(at, id, strlen(id)) >= 0) continue; /* one per work */
        c[nc] = (struct candidate){.x = &rows[i], .reach = rows[i].reach};
        err = mq_strmap_put(at, id, strlen(id), (int64_t)nc++);
    }
    if (!err) err = (ids = id_list(r, c, nc, "next:", any)) ? MQ_OK : MQ_ENOMEM;
    if (!err) err = mq_store_notifications_known(db, r->a, m->id, ids, &known, &nk);
    for (size_t i = 0; !err && i < nk; i++) {
        int64_t k = mq_strmap_get(at, known[i] + 5, strlen(known[i] + 5));
        if (k >= 0) c[k].known = true;
    }
    if (!err) err = (ids = id_list(r, c, nc, "", needs_reach)) ? MQ_OK : MQ_ENOMEM;
    if (!err && strcmp(ids, "[]"))
        err = mq_store_monitor_reach_many(db, r->a, ids, m->vis.json, r->today, &reach, &nr);
    for (size_t i = 0; !err && i < nr; i++) {
        int64_t k = mq_strmap_get(at, reach[i].item_id, strlen(reach[i].item_id));
        if (k >= 0) c[k].reach = reach[i].reach;
    }
    if (!err) err = (ids = id_list(r, c, nc, "", needs_offers)) ? MQ_OK : MQ_ENOMEM;
    if (!err && strcmp(ids, "[]"))
        err = mq_store_monitor_offers_many(db, r->a, ids, m->region, r->now, &offers, &no);
    /* Offers come by item: each item's run of rows at once. */
    for (size_t i = 0, end; !err && i < no; i = end) {
        for (end = i; end < no && !strcmp(offers[end].item_id, offers[i].item_id);) end++;
        int64_t k = mq_strmap_get(at, offers[i].item_id, strlen(offers[i].item_id));
        if (k >= 0)
            c[k].where = where_from(r, m, &c[k].reach, &offers[i], end - i, false, &c[k].url);
    }
    for (size_t i = 0; !err && i < nc; i++) {
        const struct mq_next_row *x = c[i].x;
        if (c[i].known) {
            r->row.candidates++;
            continue;
        }
        if (!c[i].where) c[i].where = where_from(r, m, &c[i].reach, NULL, 0, false, &c[i].url);
        if (!c[i].where) continue;
        const char *group = x->group_name ? x->group_name : x->after_title;
        json_t *vars = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "title", x->title, "after",
                                 x->after_title, "where", c[i].where, "collection", group, "series",
                                 group, "person", x->after_title);
        err = keep(r, event_of(x), mq_arena_printf(r->a, "next:%s", x->item_id), x->item_id, vars,
                   c[i].url);
    }
    mq_strmap_free(at);
    return err;
}

static bool whole_season(const struct member *m, const char *series_id)
{
    if (m->prefs.whole_season) return true;
    for (size_t i = 0; i < m->prefs.n_series; i++)
        if (!strcmp(m->prefs.series[i], series_id)) return true;
    return false;
}

/* In a season the member is part way through, the episode after the
 * last they saw, once they can have it, if it is new (out within
 * EPISODE_NEW_DAYS): someone catching up on an old series is not told of
 * each episode they have yet to reach. Not in whole-season mode either,
 * whose point is not to hear of each episode. */
#define EPISODE_NEW_DAYS 30

static mq_err tell_episode(struct run *r, struct mq_db *db, const struct member *m,
                           const struct mq_season_row *season)
{
    struct mq_next_episode_row e;
    const char *url = NULL, *w = NULL;
    if (whole_season(m, season->series_id)) return MQ_OK;
    mq_err err = mq_store_monitor_next_episode(db, r->a, m->id, season->id, r->new_since,
                                               r->now - EPISODE_NEW_DAYS * 86400000LL, &e);
    if (err) return err == MQ_ENOTFOUND ? MQ_OK : err;
    if ((err = where_now(r, db, m, e.id, NULL, NULL, &w, &url)) || !w) return err;
    const char *name = e.title && *e.title
                           ? mq_arena_printf(r->a, "S%lld E%lld, %s", (long long)season->position,
                                             (long long)e.position, e.title)
                           : mq_arena_printf(r->a, "S%lld E%lld", (long long)season->position,
                                             (long long)e.position);
    if (!name) return MQ_ENOMEM;
    return tell(
        r, db, m, "episode.available", mq_arena_printf(r->a, "episode.available:%s", e.id), e.id,
        json_pack("{s:s,s:s,s:s}", "series", season->series_title, "episode", name, "where", w),
        url);
}

/* The season after the last one the member finished, per series: told
 * when its first episode can be had (season.available) and when all of
 * them can (season.complete); whole-season mode keeps only the second.
 * Within a season begun, each next episode (episode.available). */
static mq_err tell_seasons(struct run *r, struct mq_db *db, const struct member *m)
{
    struct mq_season_row *s = NULL;
    size_t n = 0;
    mq_err err = mq_store_monitor_seasons(db, r->a, m->id, r->today, &s, &n);
    for (size_t i = 0; !err && i < n;) {
        size_t end = i;
        int64_t done = 0;
        while (end < n && !strcmp(s[end].series_id, s[i].series_id)) {
            if (s[end].position > 0 && s[end].episodes > 0 && s[end].watched == s[end].episodes)
                done = s[end].position;
            else if (s[end].watched > 0 && !err)
                err = tell_episode(r, db, m, &s[end]);
            end++;
        }
        for (size_t k = i; !err && done && k < end; k++) {
            const struct mq_season_row *next = &s[k];
            if (next->position != done + 1 || (next->episodes && next->watched == next->episodes))
                continue;
            const char *season =
                next->title && *next->title
                    ? next->title
                    : mq_arena_printf(r->a, "Season %lld", (long long)next->position);
            bool whole = whole_season(m, next->series_id);
            const char *url = NULL, *w = NULL, *some = NULL, *some_url = NULL;
            err = where_now(r, db, m, next->id, &w, &url, &some, &some_url);
            /* All out at once (or in whole-season mode): one word, that
             * the whole season is there. */
            bool complete = w != NULL;
            if (!complete && !whole) {
                w = some;
                url = some_url;
            }
            if (!err && w)
                err = tell(r, db, m, complete ? "season.complete" : "season.available",
                           mq_arena_printf(r->a, "%s:%s",
                                           complete ? "season.complete" : "season.available",
                                           next->id),
                           next->id,
                           json_pack("{s:s,s:s,s:s}", "series", next->series_title, "season",
                                     season, "where", w),
                           url);
        }
        i = end;
    }
    return err;
}

static mq_err one_member(struct run *r, const char *user_id)
{
    struct member m = {.id = user_id};
    struct mq_db *db = NULL;
    struct mq_next_row *next = NULL, *followed = NULL;
    size_t nn = 0, nf = 0;
    mq_err err = mq_libraries_visible_to(r->ctx, r->a, user_id, &m.vis);
    if (err) return err == MQ_ENOTFOUND ? MQ_OK : err;
    err = mq_store_begin(r->ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_notify_prefs_load(db, r->a, user_id, &m.prefs);
    if (!err && m.prefs.platforms) {
        m.platforms = m.prefs.platforms;
        m.n_platforms = m.prefs.n_platforms;
    } else if (!err) {
        /* Where their imports came from: the platforms they use. */
        err = mq_store_monitor_platforms(db, r->a, user_id, &m.platforms, &m.n_platforms);
    }
    m.region = m.prefs.region ? m.prefs.region : mq_metadata_conf(r->ctx->cfg)->metadata_region;
    if (!m.region) m.region = "US";
    if (!err) err = mq_store_monitor_next(db, r->a, user_id, m.vis.json, r->today, &next, &nn);
    if (!err) err = tell_next(r, db, &m, next, nn);
    if (!err)
        err = mq_store_monitor_followed_works(db, r->a, user_id, m.vis.json, r->today, &followed,
                                              &nf);
    if (!err) err = tell_next(r, db, &m, followed, nf);
    if (!err) err = tell_seasons(r, db, &m);
    mq_store_rollback(db);
    /* Told in a transaction of its own, and only when there is news: a
     * run over a thousand members who know it all writes nothing. */
    mq_err terr = tell_found(r, &m);
    return err ? err : terr;
}

static mq_err save_run(struct run *r, bool insert)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(r->ctx->store, MQ_DB_WRITE, &db);
    if (!err)
        err = insert ? mq_store_monitor_run_insert(db, &r->row)
                     : mq_store_monitor_run_update(db, &r->row);
    return mq_store_finish(db, err);
}

static mq_err run_monitor(struct mq_job_run *job)
{
    struct run r = {.ctx = job->ctx, .a = job->arena, .now = mq_clock_now_ms(job->ctx->clock)};
    const char **members = NULL;
    size_t n = 0;
    char *id = mq_arena_alloc(job->arena, 37);
    if (!id) return MQ_ENOMEM;
    time_t secs = (time_t)(r.now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(r.today, sizeof(r.today), "%Y-%m-%d", &tm);
    secs -= EPISODE_NEW_DAYS * 86400;
    gmtime_r(&secs, &tm);
    strftime(r.new_since, sizeof(r.new_since), "%Y-%m-%d", &tm);
    mq_uuid7_new(job->ctx->clock, job->ctx->rng, id);
    r.row = (struct mq_monitor_run_row){
        .id = id, .job_id = job->job->id, .state = "running", .started_at = r.now};
    mq_err err = save_run(&r, true);
    if (!err) err = mq_relations_derive(job->ctx, job->arena, &r.row.relations_derived);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(job->ctx->store, MQ_DB_READ, &db);
    if (!err) {
        err = mq_store_users_active_ids(db, job->arena, &members, &n);
        mq_store_rollback(db);
    }
    for (size_t i = 0; !err && i < n; i++) {
        /* Each member in their own transaction: a long run never holds
         * the writer, and what one member was told stays told. */
        struct mq_arena *ma = mq_arena_new(64 * 1024); /* a member's strings, then gone */
        r.a = ma;
        err = ma ? one_member(&r, members[i]) : MQ_ENOMEM;
        mq_arena_free(ma);
        r.a = job->arena;
        r.row.members++;
    }
    r.row.finished_at = mq_clock_now_ms(job->ctx->clock);
    r.row.state = err ? "failed" : "done";
    r.row.error = err ? mq_err_name(err) : NULL;
    mq_err serr = save_run(&r, false);
    if (!err)
        mq_log_info(job->ctx->log, "track",
                    "monitor: %lld members, %lld found, %lld told, %lld relations derived",
                    (long long)r.row.members, (long long)r.row.candidates,
                    (long long)r.row.notified, (long long)r.row.relations_derived);
    return err ? err : serr;
}

mq_err mq_monitor_run_now(struct mq_ctx *ctx, char job_id[37])
{
    struct mq_db *db = NULL;
    bool created = false;
    struct mq_job_spec spec = {.kind = KIND, .unique_key = KIND, .max_attempts = 3};
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_jobs_enqueue(ctx, db, &spec, job_id, &created);
    err = mq_store_finish(db, err);
    return !err && !created ? MQ_ECONFLICT : err;
}

mq_err mq_monitor_runs(struct mq_ctx *ctx, struct mq_arena *a, const char *before, int limit,
                       struct mq_monitor_run_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_monitor_runs(db, a, before, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_monitor_register(struct mq_jobs *jobs, const struct mq_config *cfg)
{
    struct mq_job_spec spec = {.kind = KIND, .unique_key = KIND, .max_attempts = 3};
    mq_err err = mq_jobs_register(jobs, KIND, run_monitor);
    if (!err) err = mq_jobs_schedule(jobs, KIND, mq_track_conf(cfg)->monitor_schedule, &spec);
    return err;
}
