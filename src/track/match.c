#include "track/match.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strmap.h"
#include "metadata/apply.h"
#include "metadata/conf.h"
#include "metadata/identify.h"
#include "metadata/score.h"
#include "search/fold.h"
#include "search/search.h"
#include "store/imports.h"
#include "track/conf.h"
#include "track/netflix.h"
#include "track/progress.h"

#define TITLE_CANDIDATES 16

/* A remembered answer: works of a title, episodes of a series, or the work
 * of an alias (items[0], n 0 or 1). */
struct lookup {
    struct mq_item_row *items;
    struct mq_episode_row *eps;
    size_t n;
};

struct mq_matcher {
    struct mq_ctx *ctx;
    struct mq_arena *a;
    struct mq_visible vis;
    struct mq_track_view view;
    struct mq_strmap *done; /* a row's question -> index in results */
    struct mq_match *results;
    size_t nresults, cap;
    struct mq_strmap *shows; /* a folded show title -> 1 known, 0 not */
    /* What the database said, for the whole import: a title's works (by
     * kind and folded form), a series' episodes, an alias's work. */
    struct mq_strmap *lookups;
    struct lookup *found;
    size_t nfound, capfound;
    struct mq_db *db; /* the read transaction of the entry being matched */
    bool fuzzy;
    bool provider; /* look titles the catalogue lacks up with the metadata provider */
    int threshold;
};

mq_err mq_matcher_new(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                      const char *user_id, struct mq_matcher **out)
{
    struct mq_matcher *m = calloc(1, sizeof(*m));
    if (!m) return MQ_ENOMEM;
    m->ctx = ctx;
    m->a = a;
    m->vis = *vis;
    mq_track_view_of(&m->vis, user_id, &m->view);
    const struct mq_track_conf *conf = mq_track_conf(ctx->cfg);
    m->fuzzy = conf->match_fuzzy;
    m->provider = conf->match_provider && mq_metadata_conf(ctx->cfg)->metadata_enabled;
    m->threshold = conf->match_threshold;
    if (mq_strmap_new(256, &m->done) || mq_strmap_new(256, &m->shows) ||
        mq_strmap_new(256, &m->lookups)) {
        mq_matcher_free(m);
        return MQ_ENOMEM;
    }
    *out = m;
    return MQ_OK;
}

void mq_matcher_free(struct mq_matcher *m)
{
    if (!m) return;
    mq_strmap_free(m->done);
    mq_strmap_free(m->shows);
    mq_strmap_free(m->lookups);
    free(m);
}

/* ---- titles ----------------------------------------------------------------- */

static const char *compact(struct mq_arena *a, const char *title)
{
    struct mq_folded f;
    if (!title || mq_search_fold(a, title, strlen(title), 0, &f) || !f.compact[0]) return NULL;
    return f.compact;
}

/* The remembered answer to a question, or NULL. */
static struct lookup *recall(struct mq_matcher *m, const char *q)
{
    int64_t at = mq_strmap_get(m->lookups, q, strlen(q));
    return at >= 0 ? &m->found[at] : NULL;
}

static mq_err remember(struct mq_matcher *m, const char *q, const struct lookup *l)
{
    if (m->nfound == m->capfound) {
        size_t cap = m->capfound ? m->capfound * 2 : 64;
        struct lookup *f = mq_arena_alloc(m->a, cap * sizeof(*f));
        if (!f) return MQ_ENOMEM;
        if (m->nfound) memcpy(f, m->found, m->nfound * sizeof(*f));
        m->found = f;
        m->capfound = cap;
    }
    m->found[m->nfound] = *l;
    return mq_strmap_put(m->lookups, q, strlen(q), (int64_t)m->nfound++);
}

/* The works of a kind (NULL: any work) whose folded title is `key`. */
static mq_err works_titled(struct mq_matcher *m, const char *kind, const char *key,
                           struct lookup **out)
{
    const char *q = mq_arena_printf(m->a, "t\x1f%s\x1f%s", kind ? kind : "", key);
    if (!q) return MQ_ENOMEM;
    if ((*out = recall(m, q))) return MQ_OK;
    struct lookup l = {0};
    mq_err err =
        mq_store_match_by_title(m->db, m->a, &m->view, key, kind, TITLE_CANDIDATES, &l.items, &l.n);
    if (!err) err = remember(m, q, &l);
    if (!err) *out = recall(m, q);
    return err;
}

const char *mq_match_alias_key(struct mq_arena *a, const char *kind, const char *title)
{
    const char *c = compact(a, title);
    return c ? mq_arena_printf(a, "%s:%s", kind ? kind : "any", c) : NULL;
}

/* The forms a title is looked up by: as folded, without a leading
 * article, with "the" when it has none, and "Matrix, The" turned round. */
static size_t title_keys(struct mq_arena *a, const char *title, const char *keys[4])
{
    size_t n = 0;
    struct mq_folded f;
    if (!title || mq_search_fold(a, title, strlen(title), 0, &f) || !f.compact[0]) return 0;
    keys[n++] = f.compact;
    const char *t = f.tokens;
    static const char *const articles[] = {"the ", "a ", "an ", NULL};
    bool had = false;
    for (int i = 0; articles[i]; i++) {
        size_t k = strlen(articles[i]);
        if (!strncmp(t, articles[i], k) && t[k]) {
            const char *rest = compact(a, t + k);
            if (rest) keys[n++] = rest;
            had = true;
            break;
        }
    }
    if (!had) {
        const char *with = mq_arena_printf(a, "the%s", f.compact);
        if (with) keys[n++] = with;
    }
    size_t len = strlen(title);
    if (len > 5 && !strcmp(title + len - 5, ", The")) {
        const char *turned = compact(a, mq_arena_printf(a, "The %.*s", (int)(len - 5), title));
        if (turned) keys[n++] = turned;
    }
    return n;
}

/* ---- choosing between works of one title ----------------------------------- */

static int year_of_ms(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

/* When the work came out, as "YYYY-MM-DD" compares, or its year's end
 * when only the year is known. */
static void released(const struct mq_item_row *r, char out[11])
{
    if (r->release_date && strlen(r->release_date) >= 10)
        snprintf(out, 11, "%.10s", r->release_date);
    else if (r->year)
        snprintf(out, 11, "%04d-01-01", (int)r->year);
    else
        out[0] = '\0';
}

static void add_candidate(struct mq_match *out, struct mq_arena *a, const struct mq_item_row *r,
                          int confidence)
{
    for (size_t i = 0; i < out->ncand; i++)
        if (!strcmp(out->cand[i].item_id, r->id)) {
            if (confidence > out->cand[i].confidence) out->cand[i].confidence = confidence;
            return;
        }
    size_t at = out->ncand;
    if (at == MQ_MATCH_CANDIDATES) {
        at = MQ_MATCH_CANDIDATES - 1;
        if (out->cand[at].confidence >= confidence) return;
    } else {
        out->ncand++;
    }
    out->cand[at] =
        (struct mq_match_candidate){mq_arena_strdup(a, r->id), mq_arena_strdup(a, r->title),
                                    mq_arena_strdup(a, r->kind), (int)r->year, confidence};
    /* Kept best first. */
    while (at > 0 && out->cand[at].confidence > out->cand[at - 1].confidence) {
        struct mq_match_candidate t = out->cand[at];
        out->cand[at] = out->cand[at - 1];
        out->cand[at - 1] = t;
        at--;
    }
}

/* Scores works that share the title: by the row's year, else by the
 * viewing's date (released closest before it; never after), else alone.
 * `base` is the method's confidence for a sure pick. */
static void choose(struct mq_match *out, struct mq_arena *a, const struct mq_item_row *c, size_t n,
                   const struct mq_import_entry *e, int base)
{
    char watched[11] = "";
    if (e->watched_at) {
        time_t t = (time_t)(e->watched_at / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(watched, sizeof(watched), "%Y-%m-%d", &tm);
    }
    /* The latest release before the viewing. */
    char best_before[11] = "";
    for (size_t i = 0; i < n && watched[0] && !e->year; i++) {
        char r[11];
        released(&c[i], r);
        if (r[0] && strcmp(r, watched) <= 0 && strcmp(r, best_before) > 0)
            memcpy(best_before, r, 11);
    }
    for (size_t i = 0; i < n; i++) {
        int conf = base;
        char r[11];
        released(&c[i], r);
        if (e->year) {
            int d = c[i].year ? abs((int)c[i].year - e->year) : 99;
            conf = d == 0 ? base : d == 1 ? base - 80 : c[i].year ? base / 2 : base - 150;
        } else if (watched[0] && r[0] && strcmp(r, watched) > 0) {
            conf = 300; /* out after the viewing: not what was watched */
        } else if (n > 1) {
            /* Several of one title: the latest before the viewing is the
             * likely one; with no date to go by, none is sure. */
            conf = best_before[0] && !strcmp(r, best_before) ? base - 60 : watched[0] ? 500 : 600;
        }
        add_candidate(out, a, &c[i], conf);
    }
}

static void take_best(struct mq_match *out, int threshold, const char *method)
{
    if (!out->ncand) {
        out->reason = "no_candidates";
        return;
    }
    const struct mq_match_candidate *b = &out->cand[0];
    bool clear = out->ncand == 1 || out->cand[1].confidence < b->confidence - 50;
    if (b->confidence >= threshold && clear) {
        out->work_id = out->item_id = b->item_id;
        out->kind = b->kind;
        out->title = b->title;
        out->confidence = b->confidence;
        out->method = method;
        out->reason = NULL;
    } else {
        out->reason = !clear                 ? "ambiguous"
                      : b->confidence == 300 ? "released_after_viewing"
                                             : "below_threshold";
    }
}

/* ---- the stages ---------------------------------------------------------- */

static mq_err by_ids(struct mq_matcher *m, const struct mq_import_entry *e, struct mq_match *out)
{
    static const struct {
        int entry;
        enum mq_match_id store;
        const char *name;
    } order[] = {{MQ_ID_IMDB, MQ_MATCH_IMDB, "imdb"},
                 {MQ_ID_TMDB, MQ_MATCH_TMDB, "tmdb"},
                 {MQ_ID_TVDB, MQ_MATCH_TVDB, "tvdb"},
                 {MQ_ID_ISBN, MQ_MATCH_ISBN, "isbn"}};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *v = e->ids[order[i].entry];
        /* TMDb numbers films and series apart: only with the kind. */
        if (!v || (order[i].store == MQ_MATCH_TMDB && !e->kind)) continue;
        struct mq_item_row *rows = NULL;
        size_t n = 0;
        mq_err err =
            mq_store_match_by_id(m->db, m->a, &m->view, order[i].store, v, e->kind, 2, &rows, &n);
        if (err) return err;
        if (n == 1) {
            add_candidate(out, m->a, &rows[0], 1000);
            take_best(out, 0, order[i].name);
            return MQ_OK;
        }
    }
    return MQ_OK;
}

static mq_err by_alias(struct mq_matcher *m, const char *kind, const char *title,
                       struct mq_match *out)
{
    const char *key = mq_match_alias_key(m->a, kind, title);
    if (!key) return MQ_OK;
    const char *q = mq_arena_printf(m->a, "a\x1f%s", key);
    if (!q) return MQ_ENOMEM;
    struct lookup *l = recall(m, q);
    if (!l) {
        struct mq_alias_row al;
        struct lookup got = {0};
        mq_err err = mq_store_alias_get(m->db, m->a, key, &al);
        if (!err) {
            got.items = mq_arena_calloc(m->a, 1, sizeof(*got.items));
            if (!got.items) return MQ_ENOMEM;
            err = mq_store_item_get(m->db, m->a, al.item_id, got.items);
            got.n = !err;
        }
        if (err && err != MQ_ENOTFOUND) return err;
        err = remember(m, q, &got);
        if (err) return err;
        l = recall(m, q);
    }
    if (!l->n) return MQ_OK;
    const struct mq_item_row *it = &l->items[0];
    if (it->deleted_at || (it->library_id && !mq_visible_has(&m->vis, it->library_id)))
        return MQ_OK;
    add_candidate(out, m->a, it, 990);
    take_best(out, 0, "alias");
    return MQ_OK;
}

/* Exact after folding: the title's forms against titles and original
 * titles. "exact" when the catalogue's title is the row's letter for
 * letter, "normalised" otherwise. */
static mq_err by_title(struct mq_matcher *m, const struct mq_import_entry *e, const char *kind,
                       const char *title, struct mq_match *out)
{
    const char *keys[4];
    size_t nk = title_keys(m->a, title, keys);
    struct mq_item_row all[TITLE_CANDIDATES];
    size_t nall = 0;
    for (size_t k = 0; k < nk; k++) {
        struct lookup *l = NULL;
        mq_err err = works_titled(m, kind, keys[k], &l);
        if (err) return err;
        for (size_t i = 0; i < l->n && nall < TITLE_CANDIDATES; i++) {
            size_t j = 0;
            while (j < nall && strcmp(all[j].id, l->items[i].id)) j++;
            if (j == nall) all[nall++] = l->items[i];
        }
    }
    if (!nall) return MQ_OK;
    bool same = false;
    for (size_t i = 0; i < nall && !same; i++) same = !strcmp(all[i].title, title);
    choose(out, m->a, all, nall, e, 1000);
    take_best(out, m->threshold, same ? "exact" : "normalised");
    return MQ_OK;
}

/* Fuzzy: what search finds for the title, scored by how alike the titles
 * are and by the year. Runs outside the entry's transaction. */
static mq_err by_search(struct mq_matcher *m, const struct mq_import_entry *e, const char *kind,
                        const char *title, struct mq_match *out)
{
    struct mq_search_request r = {.q = title, .qlen = strlen(title), .limit = 8};
    struct mq_search_response res;
    struct mq_refusal why = {0};
    r.filter.kind = kind;
    r.filter.has_file = r.filter.hdr = -1;
    if (r.qlen > 256) r.qlen = 256;
    mq_err err = mq_search_run(m->ctx, m->a, &m->vis, &r, &res, &why);
    if (err == MQ_EINVAL) return MQ_OK; /* nothing searchable in it */
    if (err) return err;
    int watch_year = e->watched_at ? year_of_ms(e->watched_at) : 0;
    for (size_t i = 0; i < res.n; i++) {
        const struct mq_item_row *c = &res.hits[i].item;
        if (!c->id || (!kind && strcmp(c->kind, "movie") && strcmp(c->kind, "series"))) continue;
        int sim = mq_title_similarity(title, c->title);
        if (c->original_title) {
            int o = mq_title_similarity(title, c->original_title);
            if (o > sim) sim = o;
        }
        int conf = sim;
        if (e->year && c->year) {
            int d = abs((int)c->year - e->year);
            conf = d == 0 ? conf : d == 1 ? conf * 9 / 10 : conf * 6 / 10;
        } else if (watch_year && c->year > watch_year) {
            conf = conf * 3 / 10;
        }
        add_candidate(out, m->a, c, conf);
    }
    take_best(out, m->threshold, "fuzzy");
    return MQ_OK;
}

/* A title the catalogue lacks: the metadata provider's search (its
 * answers are cached by the metadata layer), scored as identification
 * scores a file's name; a sure answer becomes a catalogue-only work by
 * its provider id (found again if one exists), which the next refresh
 * completes. The provider offline is "needs review", never a failure. */
static mq_err by_provider(struct mq_matcher *m, const struct mq_import_entry *e, const char *kind,
                          const char *title, struct mq_match *out)
{
    struct mq_md_query q = {.kind = kind ? kind : "movie", .title = title, .year = e->year};
    struct mq_candidate *c = NULL;
    size_t n = 0;
    char why[256];
    if (mq_metadata_search(m->ctx, m->a, &q, &c, &n, why, sizeof(why))) {
        out->reason = "provider_unavailable";
        return MQ_OK;
    }
    /* Nothing released after the viewing was what was watched. */
    int watch_year = e->watched_at ? year_of_ms(e->watched_at) : 0;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!watch_year || !c[i].year || c[i].year <= watch_year) c[kept++] = c[i];
    int conf = kept ? mq_score_confidence(c, kept) : 0;
    if (!kept || conf < m->threshold) {
        if (!out->reason) out->reason = kept ? "below_threshold" : "no_candidates";
        return MQ_OK;
    }
    json_t *part =
        json_pack("{s:s,s:s,s:i}", "id", c[0].id, "title", c[0].title, "year", c[0].year);
    if (!part) return MQ_ENOMEM;
    if (c[0].overview) json_object_set_new(part, "overview", json_string(c[0].overview));
    if (c[0].poster) json_object_set_new(part, "poster", json_string(c[0].poster));
    struct mq_db *db = NULL;
    char id[37];
    struct mq_item_row it;
    mq_err err = mq_store_begin(m->ctx->store, MQ_DB_WRITE, &db);
    if (!err) {
        struct mq_apply ap = {.ctx = m->ctx,
                              .db = db,
                              .a = m->a,
                              .now = mq_clock_now_ms(m->ctx->clock),
                              .changed = json_array()};
        err = mq_apply_catalogue_item(&ap, c[0].provider, part, q.kind, id);
        if (!err) err = mq_store_item_get(db, m->a, id, &it);
        json_decref(ap.changed);
        err = mq_store_finish(db, err);
    }
    json_decref(part);
    if (err) return err;
    memset(out, 0, sizeof(*out));
    add_candidate(out, m->a, &it, conf);
    take_best(out, 0, "provider");
    return MQ_OK;
}

/* ---- Netflix: which prefix is a show ---------------------------------------- */

struct known_arg {
    struct mq_matcher *m;
    mq_err err;
};

static bool known_show(void *arg, const char *title, size_t len)
{
    struct known_arg *k = arg;
    struct mq_matcher *m = k->m;
    char *t = mq_arena_strndup(m->a, title, len);
    const char *c = compact(m->a, t);
    if (!c || k->err) return false;
    int64_t v = mq_strmap_get(m->shows, c, strlen(c));
    if (v >= 0) return v == 1;
    struct lookup *l = NULL;
    size_t n = 0;
    k->err = works_titled(m, "series", c, &l);
    if (!k->err) n = l->n;
    if (!k->err && !n) {
        const char *key = mq_match_alias_key(m->a, "series", t);
        struct mq_alias_row al;
        mq_err err = key ? mq_store_alias_get(m->db, m->a, key, &al) : MQ_ENOTFOUND;
        if (!err)
            n = 1;
        else if (err != MQ_ENOTFOUND)
            k->err = err;
    }
    if (!k->err) k->err = mq_strmap_put(m->shows, c, strlen(c), n ? 1 : 0);
    return n > 0;
}

/* ---- episodes ------------------------------------------------------------ */

static mq_err find_episode(struct mq_matcher *m, const struct mq_import_entry *e, int season,
                           int number, const char *title, struct mq_match *out)
{
    const char *q = mq_arena_printf(m->a, "e\x1f%s", out->work_id);
    if (!q) return MQ_ENOMEM;
    struct lookup *l = recall(m, q);
    if (!l) {
        struct lookup got = {0};
        mq_err err = mq_store_episodes(m->db, m->a, &m->view, out->work_id, &got.eps, &got.n);
        if (!err) err = remember(m, q, &got);
        if (err) return err;
        l = recall(m, q);
    }
    const struct mq_episode_row *eps = l->eps;
    size_t n = l->n;
    const struct mq_episode_row *hit = NULL;
    int best = 0;
    for (size_t i = 0; i < n && !hit; i++)
        if (season >= 0 && number >= 0 && eps[i].season == season && eps[i].item.position == number)
            hit = &eps[i];
    /* By title, whole or its last part ("Water: The Boy in the Iceberg"
     * names the episode after its book's name): in the season first, then
     * anywhere in the series. */
    const char *tail = title ? strrchr(title, ':') : NULL;
    tail = tail && tail[1] == ' ' && tail[2] ? tail + 2 : NULL;
    for (int pass = 0; pass < 2 && !hit && title; pass++)
        for (size_t i = 0; i < n; i++) {
            if (pass == 0 && season >= 0 && eps[i].season != season) continue;
            int sim = mq_title_similarity(title, eps[i].item.title);
            int t = tail ? mq_title_similarity(tail, eps[i].item.title) : 0;
            if (t > sim) sim = t;
            if (sim > best && sim >= 850) {
                best = sim;
                hit = &eps[i];
            }
        }
    for (size_t i = 0; i < n && !hit; i++)
        if (number >= 0 && eps[i].item.position == number &&
            (season < 0 || eps[i].season == season))
            hit = &eps[i];
    if (!hit) {
        /* The series is sure; which episode is not. */
        out->reason = "episode_not_found";
        out->item_id = NULL;
        out->work_id = NULL;
        out->confidence = out->confidence * 7 / 10;
        return MQ_OK;
    }
    (void)e;
    out->item_id = mq_arena_strdup(m->a, hit->item.id);
    out->kind = "episode";
    out->length_ms = hit->item.runtime_min * 60000;
    if (best && best < 1000) out->confidence = out->confidence * best / 1000;
    return MQ_OK;
}

/* ---- one entry ----------------------------------------------------------------- */

static mq_err stages(struct mq_matcher *m, const struct mq_import_entry *e, const char *kind,
                     const char *title, struct mq_match *out, bool *need_search)
{
    mq_err err = MQ_OK;
    if (!out->work_id) err = by_alias(m, kind, title, out);
    if (!err && !out->work_id) err = by_title(m, e, kind, title, out);
    /* Search only when the title met nothing: between works that share
     * it, search cannot tell better than the dates did. */
    *need_search = !err && !out->work_id && !out->ncand && m->fuzzy;
    return err;
}

static mq_err match_db(struct mq_matcher *m, const struct mq_import_entry *e, struct mq_match *out,
                       const char **kind, const char **title, bool *need_search,
                       struct mq_netflix_title *split)
{
    mq_err err = by_ids(m, e, out);
    if (err || out->work_id) return err;
    *kind = e->kind;
    *title = e->title;
    if (!e->kind) {
        /* Netflix: a film (or a show-level row) first, whole... */
        err = by_alias(m, NULL, e->title, out);
        if (!err && !out->work_id) err = stages(m, e, "movie", e->title, out, need_search);
        if (err || out->work_id) return err;
        /* ...then as "Show: Season: Episode". */
        struct known_arg k = {m, MQ_OK};
        err = mq_netflix_split(m->a, e->title, known_show, &k, split);
        if (!err) err = k.err;
        if (err) return err;
        struct mq_match film = *out;
        memset(out, 0, sizeof(*out));
        *kind = "series";
        *title = split->show;
        err = stages(m, e, "series", split->show, out, need_search);
        if (!err && !out->work_id && !split->episode) {
            /* A title with no episode in it that no series has: a film or
             * a show, as search finds it. */
            if (film.ncand) *out = film;
            *kind = NULL;
            *title = e->title;
        }
        return err;
    }
    return stages(m, e, e->kind, e->title, out, need_search);
}

mq_err mq_match_entry(struct mq_matcher *m, const struct mq_import_entry *e, struct mq_match *out)
{
    memset(out, 0, sizeof(*out));
    if (!e->title && !e->ids[MQ_ID_IMDB] && !e->ids[MQ_ID_ISBN]) {
        out->reason = "no_candidates";
        return MQ_OK;
    }
    /* The question, for the cache: the row's kind, title, ids, year and
     * viewing year, and its episode. */
    const char *q = mq_arena_printf(
        m->a, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%d\x1f%d\x1f%d\x1f%s", e->kind ? e->kind : "",
        e->title ? e->title : "", e->ids[MQ_ID_IMDB] ? e->ids[MQ_ID_IMDB] : "",
        e->ids[MQ_ID_TMDB] ? e->ids[MQ_ID_TMDB] : "", e->ids[MQ_ID_ISBN] ? e->ids[MQ_ID_ISBN] : "",
        e->year, e->watched_at ? year_of_ms(e->watched_at) : 0, e->season, e->episode,
        e->episode_title ? e->episode_title : "");
    if (!q) return MQ_ENOMEM;
    int64_t at = mq_strmap_get(m->done, q, strlen(q));
    if (at >= 0) {
        *out = m->results[at];
        return MQ_OK;
    }

    const char *kind = NULL, *title = NULL;
    bool need_search = false;
    struct mq_netflix_title split = {.season = -1, .episode_no = -1};
    mq_err err = mq_store_begin(m->ctx->store, MQ_DB_READ, &m->db);
    if (err) return err;
    err = match_db(m, e, out, &kind, &title, &need_search, &split);
    mq_store_rollback(m->db);
    m->db = NULL;
    if (!err && need_search && title) err = by_search(m, e, kind, title, out);
    /* Not in the catalogue at all: the provider, for a film, series or
     * book (a Netflix title with no episode in it is tried as a film). */
    if (!err && !out->work_id && !out->ncand && m->provider && title)
        err = by_provider(m, e, kind, title, out);
    if (err) return err;

    /* An episode: in the matched series. */
    bool series = out->work_id && out->kind && !strcmp(out->kind, "series");
    int season = e->kind ? e->season : split.season;
    int number = e->kind ? e->episode : split.episode_no;
    const char *ep_title = e->kind ? e->episode_title : split.episode;
    if (series && (season >= 0 || number >= 0 || ep_title)) {
        err = mq_store_begin(m->ctx->store, MQ_DB_READ, &m->db);
        if (!err) err = find_episode(m, e, season, number, ep_title, out);
        mq_store_rollback(m->db);
        m->db = NULL;
        if (err) return err;
    }

    if (m->nresults == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct mq_match *r = mq_arena_alloc(m->a, cap * sizeof(*r));
        if (!r) return MQ_ENOMEM;
        if (m->nresults) memcpy(r, m->results, m->nresults * sizeof(*r));
        m->results = r;
        m->cap = cap;
    }
    m->results[m->nresults] = *out;
    return mq_strmap_put(m->done, q, strlen(q), (int64_t)m->nresults++);
}
