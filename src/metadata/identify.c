#include "metadata/identify.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/uuid.h"
#include "media/images.h"
#include "media/names.h"
#include "media/paths.h"
#include "media/probe.h"
#include "metadata/apply.h"
#include "metadata/conf.h"
#include "metadata/fetch.h"
#include "metadata/score.h"
#include "store/libraries.h"
#include "system/conf.h"

#define DAY_MS           (86400LL * 1000)
#define SEASONS_MAX      60
#define BATCH            50
#define REVIEW_KEEP      5
#define IMAGE_BYTES_MAX  (64u << 20)
#define METADATA_NICE    10
#define MQ_PART_NFOS_MAX 500

/* ---- what identification starts from ------------------------------------------ */

struct subject {
    struct mq_item_row item;
    struct mq_library_row lib;
    bool has_lib;
    struct mq_match_row match; /* match.state NULL when none yet */
    json_t *local;             /* the NFO's document, or NULL */
    /* A series' seasons' and episodes' own NFO files. */
    struct mq_part_doc parts[MQ_PART_NFOS_MAX];
    size_t nparts;
    const char *order[8];
    size_t norder;
    int64_t duration_min; /* the longest main file */
};

static void order_of(struct subject *s, struct mq_arena *a)
{
    const char *text = s->lib.metadata_order
                           ? s->lib.metadata_order
                           : mq_provider_default_order(s->has_lib ? s->lib.kind : NULL);
    json_t *arr = json_loads(text, 0, NULL);
    size_t i;
    json_t *v;
    s->norder = 0;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && s->norder < 8)
            s->order[s->norder++] = mq_arena_strdup(a, json_string_value(v));
    }
    json_decref(arr);
}

/* The item's NFO file, read by a probe helper (the file is anyone's
 * XML). A refused or unreadable file is logged and left out. */
static json_t *read_local(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_file_row *files,
                          size_t n)
{
    for (size_t i = 0; i < n && ctx->prober; i++) {
        int fd = mq_path_open_same(a, files[i].path, files[i].dev, files[i].ino);
        if (fd < 0) continue;
        const char *json = NULL;
        char why[256];
        mq_err err = mq_prober_read_nfo(ctx->prober, fd, files[i].path, a, &json, why, sizeof(why));
        close(fd);
        if (err) {
            mq_log_warn(ctx->log, "metadata", "NFO file %s left out: %s", files[i].path,
                        why[0] ? why : mq_err_name(err));
            continue;
        }
        json_t *doc = json_loads(json, 0, NULL);
        if (json_is_object(doc)) return doc;
        json_decref(doc);
    }
    return NULL;
}

static mq_err load_subject(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                           struct subject *s)
{
    struct mq_db *db = NULL;
    struct mq_file_row *nfos = NULL;
    size_t nn = 0;
    memset(s, 0, sizeof(*s));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, item_id, &s->item);
    if (!err && s->item.deleted_at) err = MQ_ENOTFOUND;
    if (!err && s->item.library_id) {
        err = mq_store_library_get(db, a, s->item.library_id, &s->lib);
        s->has_lib = !err;
    }
    if (!err) {
        err = mq_store_match_get(db, a, item_id, &s->match);
        if (err == MQ_ENOTFOUND) err = MQ_OK, memset(&s->match, 0, sizeof(s->match));
    }
    if (!err) err = mq_store_item_files_role(db, a, item_id, "nfo", &nfos, &nn);
    int64_t ms = 0;
    if (!err) err = mq_store_item_duration(db, item_id, &ms);
    mq_store_rollback(db);
    if (err) return err;
    s->duration_min = ms / 60000;
    order_of(s, a);
    bool local = false;
    for (size_t i = 0; i < s->norder; i++) local |= !strcmp(s->order[i], "local");
    if (local && nn) s->local = read_local(ctx, a, nfos, nn);
    if (!local || strcmp(s->item.kind, "series")) return MQ_OK;
    struct mq_file_row *parts = NULL;
    size_t np = 0;
    err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_descendant_nfos(db, a, item_id, MQ_PART_NFOS_MAX, &parts, &np);
    mq_store_rollback(db);
    for (size_t i = 0; !err && i < np; i++) {
        json_t *doc = read_local(ctx, a, &parts[i], 1);
        if (!doc) continue;
        s->parts[s->nparts++] = (struct mq_part_doc){.item_id = parts[i].item_id, .doc = doc};
    }
    return err;
}

/* ---- asking a provider ---------------------------------------------------------- */

struct outcome {
    const char *state, *method, *provider, *provider_id, *reason;
    int confidence;
    json_t *doc; /* the details, when matched */
    json_t *seasons[SEASONS_MAX];
    size_t nseasons;
    json_t *collection;
    json_t *candidates; /* for review */
};

static void outcome_free(struct outcome *o)
{
    json_decref(o->doc);
    for (size_t i = 0; i < o->nseasons; i++) json_decref(o->seasons[i]);
    json_decref(o->collection);
    json_decref(o->candidates);
}

static const char *id_from(const json_t *ids, const char *key)
{
    const char *v = json_string_value(json_object_get(ids, key));
    return v && *v ? v : NULL;
}

static json_t *candidates_json(const struct mq_candidate *c, size_t n)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n && i < REVIEW_KEEP; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "provider", c[i].provider, "id", c[i].id,
                              "title", c[i].title, "confidence", c[i].score);
        if (c[i].year) json_object_set_new(o, "year", json_integer(c[i].year));
        if (c[i].original_title)
            json_object_set_new(o, "original_title", json_string(c[i].original_title));
        if (c[i].poster) json_object_set_new(o, "poster", json_string(c[i].poster));
        if (c[i].overview) json_object_set_new(o, "overview", json_string(c[i].overview));
        json_array_append_new(out, o);
    }
    return out;
}

static void failed(struct outcome *o, struct mq_arena *a, mq_err err, const char *why)
{
    o->state = "failed";
    o->reason = mq_arena_strdup(a, why && *why ? why : mq_err_name(err));
}

/* The provider's id for the subject: picked, named, found by another id,
 * or searched for. Sets o->confidence and o->method. */
static mq_err provider_id(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_provider *p,
                          const struct subject *s, const struct mq_identify_opts *io, json_t *ids,
                          struct outcome *o, const char **id, char *why, size_t whylen)
{
    const char *kind = s->item.kind;
    *id = NULL;
    if (io->provider_id && io->provider && !strcmp(io->provider, p->name)) {
        *id = io->provider_id;
        o->method = "manual";
        o->confidence = 1000;
        return MQ_OK;
    }
    if (s->match.matched_by && s->match.provider && !strcmp(s->match.provider, p->name) &&
        s->match.provider_id) {
        *id = s->match.provider_id; /* an admin's pick stays */
        o->method = "manual";
        o->confidence = 1000;
        return MQ_OK;
    }
    const char *own = id_from(ids, !strcmp(p->name, "tmdb") ? "tmdb" : "openlibrary");
    if (own) {
        *id = mq_arena_strdup(a, own); /* ids is the caller's, freed soon */
        o->method = "id";
        o->confidence = 1000;
        return MQ_OK;
    }
    static const char *const OTHER[] = {"imdb", "tvdb", "isbn", NULL};
    for (int k = 0; OTHER[k] && p->find; k++) {
        const char *v = id_from(ids, OTHER[k]);
        if (!v) continue;
        mq_err err = p->find(ctx, a, kind, OTHER[k], v, id, why, whylen);
        if (!err) {
            o->method = "external_id";
            o->confidence = 1000;
            return MQ_OK;
        }
        if (err != MQ_ENOTFOUND) return err;
    }
    /* A search by the title the NFO or the name gives. */
    const char *title = json_string_value(json_object_get(s->local, "title"));
    int year = (int)json_integer_value(json_object_get(s->local, "year"));
    struct mq_md_query q = {.kind = kind,
                            .title = title ? title : s->item.title,
                            .year = year ? year : (int)s->item.year};
    struct mq_candidate *c = NULL;
    size_t n = 0;
    mq_err err = p->search(ctx, a, &q, io->fresh, &c, &n, why, whylen);
    if (err) return err;
    mq_score_candidates(&q, c, n);
    int best = mq_score_confidence(c, n);
    /* Names often carry words no title has ("Alien DC", "Pacific Rim 3D",
     * "Battle Royale (Batoru Rowaiaru)"). With a year to hold the search
     * to, shorter forms of the title are tried; the year keeps them from
     * finding another film. */
    int threshold = mq_metadata_conf(ctx->cfg)->match_threshold * 10;
    char variants[4][MQ_VARIANT_MAX];
    size_t nv = q.year && best < threshold ? mq_title_variants(q.title, variants, 4) : 0;
    for (size_t v = 0; v < nv && best < threshold; v++) {
        struct mq_md_query vq = q;
        vq.title = variants[v];
        vq.year_only = true;
        struct mq_candidate *vc = NULL;
        size_t vn = 0;
        err = p->search(ctx, a, &vq, io->fresh, &vc, &vn, why, whylen);
        if (err) return err;
        mq_score_candidates(&vq, vc, vn);
        int conf = mq_score_confidence(vc, vn);
        if (vn && conf > best) c = vc, n = vn, best = conf;
    }
    o->method = "search";
    o->candidates = candidates_json(c, n);
    if (!n) {
        o->confidence = 0;
        return MQ_ENOTFOUND;
    }
    o->confidence = best;
    *id = c[0].id;
    return MQ_OK;
}

static mq_err ask_provider(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_provider *p,
                           const struct subject *s, const struct mq_identify_opts *io,
                           struct outcome *o)
{
    char why[512] = "";
    const char *kind = s->item.kind;
    int threshold = mq_metadata_conf(ctx->cfg)->match_threshold * 10;
    json_t *ids = json_loads(s->item.external_ids ? s->item.external_ids : "{}", 0, NULL);
    if (!json_is_object(ids)) json_decref(ids), ids = json_object();
    if (s->local) json_object_update(ids, json_object_get(s->local, "external_ids"));
    o->provider = p->name;
    if (!p->ready(ctx, why, sizeof(why))) {
        failed(o, a, MQ_EUNAVAILABLE, why);
        json_decref(ids);
        return MQ_OK;
    }
    const char *id = NULL;
    mq_err err = provider_id(ctx, a, p, s, io, ids, o, &id, why, sizeof(why));
    json_decref(ids);
    if (err == MQ_ENOTFOUND) {
        o->state = "unmatched";
        o->reason = "the provider found nothing by that title";
        return MQ_OK;
    }
    if (err) {
        failed(o, a, err, why);
        return MQ_OK;
    }
    if (o->confidence < threshold) {
        o->state = "review";
        o->reason = mq_arena_printf(a, "the best result is %d%% sure, below the %d%% threshold",
                                    o->confidence / 10, threshold / 10);
        return MQ_OK;
    }
    err = p->details(ctx, a, kind, id, io->fresh, &o->doc, why, sizeof(why));
    if (err == MQ_ENOTFOUND && !strcmp(o->method, "id")) {
        /* A stale id in a name: the title decides instead. */
        struct subject plain = *s;
        plain.item.external_ids = "{}";
        plain.local = NULL;
        struct mq_identify_opts again = *io;
        again.provider_id = NULL;
        return ask_provider(ctx, a, p, &plain, &again, o);
    }
    if (err == MQ_ENOTFOUND) {
        snprintf(why, sizeof(why), "%s has no %s %s", p->name, kind, id);
        failed(o, a, err, why);
        return MQ_OK;
    }
    if (err) {
        failed(o, a, err, why);
        return MQ_OK;
    }
    if (!strcmp(o->method, "search")) {
        o->confidence = mq_score_runtime(o->confidence,
                                         json_integer_value(json_object_get(o->doc, "runtime_min")),
                                         !strcmp(kind, "movie") ? s->duration_min : 0);
        if (o->confidence < threshold) {
            o->state = "review";
            o->reason = "the runtime does not fit the file's duration";
            json_decref(o->doc);
            o->doc = NULL;
            return MQ_OK;
        }
    }
    o->provider_id = mq_arena_strdup(a, id);
    o->state = "matched";
    o->reason = NULL;
    /* A series' seasons, a film's collection. */
    bool failing = false;
    size_t i;
    json_t *season;
    json_array_foreach(json_object_get(o->doc, "seasons"), i, season)
    {
        if (!p->season || o->nseasons >= SEASONS_MAX) break;
        int num = (int)json_integer_value(json_object_get(season, "number"));
        json_t *sd = NULL;
        err = failing ? MQ_EUNAVAILABLE
                      : p->season(ctx, a, id, num, io->fresh, &sd, why, sizeof(why));
        if (err && err != MQ_ENOTFOUND && !failing) {
            /* The rest as the series lists them; the next refresh fills them. */
            mq_log_warn(ctx->log, "metadata", "%s season %d: %s", s->item.title, num, why);
            failing = true;
        }
        /* Without its own answer, a season is what the series says of it:
         * number, name, air date, episode count. */
        o->seasons[o->nseasons++] = err ? json_incref(season) : sd;
    }
    const char *cid =
        json_string_value(json_object_get(json_object_get(o->doc, "collection"), "id"));
    if (cid && p->collection &&
        p->collection(ctx, a, cid, io->fresh, &o->collection, why, sizeof(why)))
        mq_log_warn(ctx->log, "metadata", "%s's collection: %s", s->item.title, why);
    return MQ_OK;
}

/* ---- when next ------------------------------------------------------------------- */

static int64_t next_refresh(struct mq_ctx *ctx, const struct outcome *o, int64_t attempts,
                            int64_t now)
{
    (void)ctx;
    if (!strcmp(o->state, "failed")) {
        int64_t wait = 3600000LL << (attempts < 5 ? attempts : 5);
        return now + (wait < DAY_MS ? wait : DAY_MS);
    }
    if (strcmp(o->state, "matched")) return 0;
    const char *status = json_string_value(json_object_get(o->doc, "status"));
    const char *date = json_string_value(json_object_get(o->doc, "release_date"));
    bool airing = json_object_get(o->doc, "next_episode") ||
                  (status && (!strcmp(status, "Returning Series") ||
                              !strcmp(status, "In Production") || !strcmp(status, "Planned") ||
                              !strcmp(status, "Post Production") || !strcmp(status, "Rumored")));
    char today[16];
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    bool upcoming = date && strcmp(date, today) > 0;
    int year = date ? (int)strtol(date, NULL, 10) : 0;
    if (airing || upcoming) return now + DAY_MS;
    if (year && year >= tm.tm_year + 1900 - 1) return now + 7 * DAY_MS;
    return now + 30 * DAY_MS;
}

/* ---- writing --------------------------------------------------------------------- */

static mq_err write_outcome(struct mq_ctx *ctx, struct mq_arena *a, struct subject *s,
                            const struct mq_identify_opts *io, struct outcome *o,
                            struct mq_identify_result *out)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    json_t *changed = json_array();
    struct mq_apply ap = {.ctx = ctx, .a = a, .now = now, .changed = changed};
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) {
        json_decref(changed);
        return err;
    }
    ap.db = db;
    /* Read again inside the transaction: an admin may have edited it. */
    err = mq_store_item_get(db, a, s->item.id, &s->item);
    json_t *docs[3];
    size_t nd = 0;
    for (size_t i = 0; i < s->norder && nd < 3; i++) {
        if (!strcmp(s->order[i], "local") && s->local)
            docs[nd++] = s->local;
        else if (o->doc && o->provider && !strcmp(s->order[i], o->provider))
            docs[nd++] = o->doc;
    }
    if (!err && o->doc && s->item.library_id) {
        /* One provider id is one work: a catalogue-only one made before
         * (by a collection, an import) becomes this one. */
        struct mq_item_row dup;
        mq_err e =
            mq_store_item_by_external(db, a, s->item.kind, o->provider, o->provider_id, "", &dup);
        if (!e && strcmp(dup.id, s->item.id)) e = mq_store_item_merge(db, dup.id, s->item.id);
        if (e && e != MQ_ENOTFOUND) err = e;
    }
    if (!err && nd) err = mq_apply_item(&ap, &s->item, docs, nd);
    if (!err && o->nseasons)
        err = mq_apply_seasons(&ap, &s->item, o->provider, o->seasons, o->nseasons, s->parts,
                               s->nparts);
    /* An NFO of a season or episode the provider does not list, alone. */
    for (size_t i = 0; !err && i < s->nparts; i++) {
        if (s->parts[i].used) continue;
        struct mq_item_row part;
        err = mq_store_item_get(db, a, s->parts[i].item_id, &part);
        if (!err) err = mq_apply_item(&ap, &part, &s->parts[i].doc, 1);
        if (err == MQ_ENOTFOUND) err = MQ_OK;
    }
    if (!err && o->collection) err = mq_apply_collection(&ap, &s->item, o->provider, o->collection);
    char *cands = NULL;
    if (!err) {
        const char *state = o->state;
        /* Offline with an NFO: the work is what the NFO says, and stays
         * due for the provider. */
        int64_t attempts = !strcmp(state, "failed") ? s->match.attempts + 1 : 0;
        cands = o->candidates ? json_dumps(o->candidates, JSON_COMPACT) : NULL;
        struct mq_match_row m = {.item_id = s->item.id,
                                 .library_id = s->item.library_id,
                                 .state = state,
                                 .provider = o->provider,
                                 .provider_id = o->provider_id,
                                 .confidence = o->confidence,
                                 .method = o->method ? o->method : (s->local ? "nfo" : NULL),
                                 .candidates = cands ? cands : "[]",
                                 .reason = o->reason,
                                 .matched_by =
                                     !strcmp(state, "matched") &&
                                             (io->by || (s->match.matched_by && o->method &&
                                                         !strcmp(o->method, "manual")))
                                         ? (io->by ? io->by : s->match.matched_by)
                                         : NULL,
                                 .attempts = attempts,
                                 .next_refresh_at = next_refresh(ctx, o, attempts, now),
                                 .updated_at = now};
        err = mq_store_match_put(db, &m);
    }
    free(cands);
    if (!err && json_array_size(changed)) {
        char *detail = mq_arena_printf(a, "{\"change\":\"identified\",\"state\":\"%s\"}", o->state);
        struct mq_event ev = {.kind = "media.changed", .subject = s->item.id, .detail = detail};
        err = detail ? mq_db_publish(db, ctx->events, &ev) : MQ_ENOMEM;
        struct mq_job_spec img = {.kind = "metadata.images",
                                  .queue = "metadata",
                                  .max_attempts = 3,
                                  .unique_key = "metadata.images"};
        char job[37];
        if (!err && mq_metadata_conf(ctx->cfg)->metadata_images)
            err = mq_jobs_enqueue(ctx, db, &img, job, NULL);
    }
    err = mq_store_finish(db, err);
    if (err) {
        json_decref(changed);
        return err;
    }
    out->state = o->state;
    out->confidence = o->confidence;
    out->reason = o->reason;
    out->changed = changed;
    return MQ_OK;
}

mq_err mq_identify_item(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                        const struct mq_identify_opts *io, struct mq_identify_result *out)
{
    struct subject s;
    struct outcome o = {.state = "unmatched", .reason = "no provider knows works of this kind"};
    memset(out, 0, sizeof(*out));
    mq_err err = load_subject(ctx, a, item_id, &s);
    if (err) return err;
    if (s.local) {
        /* An NFO alone identifies the work (offline, or no provider). */
        o.state = "matched";
        o.reason = NULL;
        o.method = "nfo";
        o.confidence = 1000;
    }
    bool enabled = mq_metadata_conf(ctx->cfg)->metadata_enabled;
    for (size_t i = 0; i < s.norder && enabled; i++) {
        const struct mq_provider *p = mq_provider_find(s.order[i]);
        if (!p || !p->handles(s.item.kind)) continue;
        struct outcome r = {0};
        err = ask_provider(ctx, a, p, &s, io, &r);
        if (err) {
            outcome_free(&r);
            break;
        }
        /* A local match stays a match when the provider cannot be asked;
         * the provider's outcome is what is recorded otherwise. */
        if (s.local && strcmp(r.state, "matched")) {
            o.provider = r.provider;
            o.candidates = r.candidates;
            r.candidates = NULL;
            if (!strcmp(r.state, "failed")) o.state = "failed", o.reason = r.reason;
            outcome_free(&r);
        } else {
            outcome_free(&o);
            o = r;
        }
        break;
    }
    /* MQ_ECONFLICT: the pictures job finished while this write queued the
     * next one (jobs/queue.h asks to try again); nothing was written. */
    for (int tries = 0; !err && tries < 3; tries++) {
        for (size_t i = 0; i < s.nparts; i++) s.parts[i].used = false;
        err = write_outcome(ctx, a, &s, io, &o, out);
        if (err != MQ_ECONFLICT) break;
        if (tries < 2) err = MQ_OK;
    }
    outcome_free(&o);
    json_decref(s.local);
    for (size_t i = 0; i < s.nparts; i++) json_decref(s.parts[i].doc);
    return err;
}

/* ---- requests from the API -------------------------------------------------------- */

mq_err mq_metadata_request(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                           const char *provider, const char *provider_id, const char *by,
                           struct mq_job *out, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_item_row item;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_item_get(db, a, item_id, &item);
    if (!err && item.deleted_at) err = MQ_ENOTFOUND;
    const struct mq_provider *p = provider ? mq_provider_find(provider) : NULL;
    if (!err && provider && (!p || !p->handles(item.kind)))
        err = mq_refuse(why, MQ_EINVAL, "invalid_provider", "provider",
                        "no provider called \"%s\" knows works of kind %s", provider, item.kind);
    if (!err && provider && (!provider_id || !*provider_id || strlen(provider_id) > 32))
        err = mq_refuse(why, MQ_EINVAL, "invalid_provider_id", "id", "id is the provider's id");
    if (!err && !provider && strcmp(item.kind, "movie") && strcmp(item.kind, "series") &&
        strcmp(item.kind, "book") && strcmp(item.kind, "audiobook"))
        err = mq_refuse(why, MQ_EINVAL, "not_identifiable", NULL,
                        "seasons and episodes are refreshed with their series");
    json_t *payload = err ? NULL : json_pack("{s:s, s:b}", "item_id", item.id, "fresh", 1);
    if (payload && provider) {
        json_object_set_new(payload, "provider", json_string(provider));
        json_object_set_new(payload, "id", json_string(provider_id));
    }
    if (payload && by) json_object_set_new(payload, "by", json_string(by));
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    char key[80], job[37];
    snprintf(key, sizeof(key), "metadata.item:%s", item_id);
    struct mq_job_spec spec = {.kind = "metadata.item",
                               .payload = text,
                               .queue = "metadata",
                               .priority = 10,
                               .max_attempts = 3,
                               .owner_id = by,
                               .unique_key = provider ? NULL : key};
    if (!err && !text) err = MQ_ENOMEM;
    if (!err) err = mq_jobs_enqueue(ctx, db, &spec, job, NULL);
    free(text);
    err = mq_store_finish(db, err);
    if (!err) err = mq_jobs_get(ctx, a, job, out);
    return err;
}

mq_err mq_metadata_search(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_md_query *q,
                          struct mq_candidate **out, size_t *n, char *why, size_t whylen)
{
    *out = NULL;
    *n = 0;
    why[0] = 0;
    const char *order = mq_provider_default_order(!strcmp(q->kind, "movie")    ? "movies"
                                                  : !strcmp(q->kind, "series") ? "tv"
                                                                               : "books");
    json_t *arr = json_loads(order, 0, NULL);
    mq_err err = MQ_EUNAVAILABLE;
    snprintf(why, whylen, "no provider knows works of kind %s", q->kind);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const struct mq_provider *p = mq_provider_find(json_string_value(v));
        if (!p || !p->handles(q->kind)) continue;
        if (!mq_metadata_conf(ctx->cfg)->metadata_enabled) {
            snprintf(why, whylen, "metadata providers are turned off (metadata_enabled)");
            break;
        }
        if (!p->ready(ctx, why, whylen)) break;
        err = p->search(ctx, a, q, false, out, n, why, whylen);
        if (!err) mq_score_candidates(q, *out, *n);
        break;
    }
    json_decref(arr);
    return err;
}

mq_err mq_metadata_unidentified(struct mq_ctx *ctx, struct mq_arena *a, const char *after,
                                int limit, struct mq_match_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_matches_waiting(db, a, after, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_metadata_match(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                         struct mq_match_row *out)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_match_get(db, a, item_id, out);
    mq_store_rollback(db);
    return err;
}

mq_err mq_metadata_runs(struct mq_ctx *ctx, struct mq_arena *a, int limit,
                        struct mq_md_run_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_md_runs_recent(db, a, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_metadata_counts(struct mq_ctx *ctx, const char *library_id, int64_t counts[5])
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_match_counts(db, library_id, counts);
    mq_store_rollback(db);
    return err;
}

json_t *mq_metadata_providers_json(struct mq_ctx *ctx)
{
    static const struct {
        const char *name;
        enum mq_provider_id id;
    } ALL[] = {{"tmdb", MQ_PROVIDER_TMDB}, {"openlibrary", MQ_PROVIDER_OPENLIBRARY}};
    json_t *out = json_object();
    int64_t now = mq_clock_now_ms(ctx->clock);
    for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
        const struct mq_provider *p = mq_provider_find(ALL[i].name);
        char why[256] = "";
        bool ready =
            mq_metadata_conf(ctx->cfg)->metadata_enabled && p->ready(ctx, why, sizeof(why));
        if (!mq_metadata_conf(ctx->cfg)->metadata_enabled)
            snprintf(why, sizeof(why), "metadata providers are turned off");
        json_t *o = json_pack("{s:b}", "ready", ready);
        if (!ready) json_object_set_new(o, "reason", json_string(why));
        if (ctx->metadata) {
            struct mq_breaker_state b;
            mq_metadata_breaker(ctx->metadata, ALL[i].id, now, &b);
            json_t *bj = json_pack("{s:s, s:i}", "state", b.open ? "open" : "closed", "failures",
                                   b.failures);
            if (b.open) json_object_set_new(bj, "until_ms", json_integer(b.until));
            if (b.last_error[0] && b.failures)
                json_object_set_new(bj, "last_error", json_string(b.last_error));
            json_object_set_new(o, "breaker", bj);
        }
        json_object_set_new(out, ALL[i].name, o);
    }
    return out;
}

mq_err mq_metadata_test(struct mq_ctx *ctx, struct mq_arena *a, const char *provider, char *why,
                        size_t whylen)
{
    const struct mq_provider *p = mq_provider_find(provider);
    why[0] = 0;
    if (!p) return MQ_ENOTFOUND;
    if (!p->ready(ctx, why, whylen)) return MQ_EUNAVAILABLE;
    /* A search nobody caches: the key, the address and the network at once. */
    struct mq_md_query q = {.kind = !strcmp(provider, "tmdb") ? "movie" : "book",
                            .title = !strcmp(provider, "tmdb") ? "The Matrix" : "Dune"};
    struct mq_candidate *c = NULL;
    size_t n = 0;
    return p->search(ctx, a, &q, true, &c, &n, why, whylen);
}

/* ---- refresh ---------------------------------------------------------------------- */

struct run {
    struct mq_md_run_row row;
    json_t *details;
};

static mq_err run_save(struct mq_ctx *ctx, struct mq_arena *a, struct run *r)
{
    struct mq_db *db = NULL;
    char *text = json_dumps(r->details, JSON_COMPACT);
    r->row.details = text ? mq_arena_strdup(a, text) : "[]";
    free(text);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_md_run_put(db, &r->row);
    return mq_store_finish(db, err);
}

/* Field names once each. */
static json_t *unique(const json_t *names)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(names, i, v)
    {
        bool seen = false;
        json_array_foreach(out, j, w) seen |= json_equal(v, w);
        if (!seen) json_array_append(out, v);
    }
    return out;
}

static void run_one(struct mq_ctx *ctx, struct run *r, const char *item_id, const char *title,
                    bool fresh)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_identify_result res;
    struct mq_identify_opts io = {.fresh = fresh};
    mq_err err = a ? mq_identify_item(ctx, a, item_id, &io, &res) : MQ_ENOMEM;
    r->row.done++;
    if (err || !strcmp(res.state, "failed")) {
        r->row.failed++;
        if (json_array_size(r->details) < 500)
            json_array_append_new(r->details, json_pack("{s:s, s:s?, s:s}", "item_id", item_id,
                                                        "title", title, "error",
                                                        err          ? mq_err_name(err)
                                                        : res.reason ? res.reason
                                                                     : "failed"));
    } else if (json_array_size(res.changed)) {
        r->row.changed++;
        if (json_array_size(r->details) < 500)
            json_array_append_new(r->details,
                                  json_pack("{s:s, s:s?, s:o}", "item_id", item_id, "title", title,
                                            "changed", unique(res.changed)));
    } else {
        r->row.unchanged++;
    }
    if (!err) json_decref(res.changed);
    mq_arena_free(a);
}

static void run_begin(struct mq_ctx *ctx, struct run *r, const char *kind, const char *job_id)
{
    memset(r, 0, sizeof(*r));
    char *id = malloc(37);
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    r->row.id = id;
    r->row.kind = kind;
    r->row.job_id = job_id;
    r->row.state = "running";
    r->row.started_at = mq_clock_now_ms(ctx->clock);
    r->details = json_array();
}

static void run_end(struct run *r)
{
    free((char *)r->row.id);
    json_decref(r->details);
}

/* The due works, skipping those the provider says did not change (their
 * due time moves on without a request). */
static mq_err refresh_due(struct mq_ctx *ctx, struct mq_arena *a, const char *job_id)
{
    struct mq_db *db = NULL;
    struct mq_match_row *due = NULL;
    size_t n = 0;
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_matches_due(db, a, now, 500, &due, &n);
    int64_t last = 0;
    if (!err) {
        struct mq_md_run_row *runs = NULL;
        size_t nr = 0;
        err = mq_store_md_runs_recent(db, a, 1, &runs, &nr);
        if (!err && nr) last = runs[0].started_at;
    }
    mq_store_rollback(db);
    if (err || !n) return err;
    json_t *changed[2] = {NULL, NULL}; /* movie, series */
    char why[256];
    if (mq_provider_tmdb.ready(ctx, why, sizeof(why)) &&
        mq_metadata_conf(ctx->cfg)->metadata_enabled) {
        if (mq_provider_tmdb.changed(ctx, a, "movie", last, &changed[0], why, sizeof(why)))
            changed[0] = NULL;
        if (mq_provider_tmdb.changed(ctx, a, "series", last, &changed[1], why, sizeof(why)))
            changed[1] = NULL;
    }
    struct run r;
    run_begin(ctx, &r, "refresh", job_id);
    r.row.total = (int64_t)n;
    err = run_save(ctx, a, &r);
    for (size_t i = 0; !err && i < n; i++) {
        const struct mq_match_row *m = &due[i];
        json_t *list = m->provider && !strcmp(m->provider, "tmdb")
                           ? changed[!strcmp(m->kind, "series")]
                           : NULL;
        bool unchanged = false;
        if (list && m->provider_id && !strcmp(m->state, "matched")) {
            unchanged = true;
            size_t k;
            json_t *v;
            json_array_foreach(list, k, v) if (!strcmp(json_string_value(v), m->provider_id))
                unchanged = false;
        }
        if (unchanged) {
            /* Not changed at the provider: no request, the next due time. */
            struct mq_db *w = NULL;
            struct mq_match_row moved = *m;
            moved.next_refresh_at =
                now + (m->next_refresh_at - m->updated_at > 0 ? m->next_refresh_at - m->updated_at
                                                              : DAY_MS);
            moved.updated_at = now;
            err = mq_store_begin(ctx->store, MQ_DB_WRITE, &w);
            if (!err) err = mq_store_match_put(w, &moved);
            err = mq_store_finish(w, err);
            r.row.done++;
            r.row.unchanged++;
        } else {
            run_one(ctx, &r, m->item_id, m->title, true);
        }
        if (!err && (i % 20 == 19)) err = run_save(ctx, a, &r);
    }
    json_decref(changed[0]);
    json_decref(changed[1]);
    r.row.state = err ? "failed" : "completed";
    r.row.finished_at = mq_clock_now_ms(ctx->clock);
    mq_err e = run_save(ctx, a, &r);
    run_end(&r);
    return err ? err : e;
}

mq_err mq_metadata_refresh(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                           const char *library_id, void (*progress)(void *, int64_t, int64_t),
                           void *arg, struct mq_md_run_row *out)
{
    struct run r;
    run_begin(ctx, &r, "refresh", NULL);
    mq_err err = MQ_OK;
    const char **ids = NULL, **titles = NULL;
    size_t n = 0, cap = 0;
    if (item_id) {
        struct mq_db *db = NULL;
        struct mq_item_row it;
        err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
        if (!err) err = mq_store_item_get(db, a, item_id, &it);
        mq_store_rollback(db);
        if (err) {
            run_end(&r);
            return err;
        }
        ids = mq_arena_alloc(a, sizeof(*ids));
        titles = mq_arena_alloc(a, sizeof(*titles));
        if (!ids || !titles)
            err = MQ_ENOMEM;
        else
            ids[0] = item_id, titles[0] = it.title, n = 1;
    } else {
        /* Every matched work in scope, a page at a time. */
        const char *after = "";
        for (;;) {
            struct mq_db *db = NULL;
            struct mq_match_row *page = NULL;
            size_t k = 0;
            err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
            if (!err) err = mq_store_matches_of(db, a, library_id, after, 500, &page, &k);
            mq_store_rollback(db);
            if (err || !k) break;
            for (size_t i = 0; i < k; i++) {
                size_t c2 = cap;
                ids = mq_arena_grow(a, ids, n + 1, &cap, sizeof(*ids));
                titles = mq_arena_grow(a, titles, n + 1, &c2, sizeof(*titles));
                if (!ids || !titles) return MQ_ENOMEM;
                ids[n] = page[i].item_id;
                titles[n++] = page[i].title;
            }
            after = page[k - 1].item_id;
        }
    }
    r.row.total = (int64_t)n;
    if (!err) err = run_save(ctx, a, &r);
    for (size_t i = 0; !err && i < n; i++) {
        run_one(ctx, &r, ids[i], titles[i], true);
        if (progress) progress(arg, r.row.done, r.row.total);
    }
    r.row.state = err ? "failed" : "completed";
    r.row.finished_at = mq_clock_now_ms(ctx->clock);
    mq_err e = run_save(ctx, a, &r);
    if (out) {
        *out = r.row;
        out->id = mq_arena_strdup(a, r.row.id);
    }
    run_end(&r);
    return err ? err : e;
}

/* ---- pictures ----------------------------------------------------------------------- */

/* Fetched once into data_dir/pictures (beside the resized cache in
 * data_dir/images, which can be deleted; these are the originals) under a
 * name that is the hash
 * of its reference, written whole or not at all. */
static mq_err fetch_image(struct mq_ctx *ctx, struct mq_arena *a,
                          const struct mq_remote_image_row *r, const char **file, char *why,
                          size_t whylen)
{
    const struct mq_provider *p = mq_provider_find(r->provider);
    const char *url = p && p->image_url ? p->image_url(ctx, a, r->remote) : NULL;
    *file = NULL;
    if (!url) {
        snprintf(why, whylen, "no URL for the picture %s", r->remote);
        return MQ_EINVAL;
    }
    struct mq_fetch f = {
        .provider = MQ_PROVIDER_PICTURES, .url = url, .follow = true, .max_bytes = IMAGE_BYTES_MAX};
    struct mq_fetched got;
    mq_err err = mq_fetch(ctx, a, &f, &got, why, whylen);
    if (err) return err;
    if (got.status != 200 || got.len < 8) {
        snprintf(why, whylen, "the picture answered HTTP %ld", got.status);
        return got.status == 404 ? MQ_ENOTFOUND : MQ_EUNAVAILABLE;
    }
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof(h), (const unsigned char *)url, strlen(url), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    const char *data_dir = mq_system_conf(ctx->cfg)->data_dir;
    char *dir = mq_arena_printf(a, "%s/pictures", data_dir);
    char *path = mq_arena_printf(a, "%s/%s", dir, hex);
    char *tmp = mq_arena_printf(a, "%s.tmp%d", path, (int)gettid());
    if (!dir || !path || !tmp) return MQ_ENOMEM;
    if (mkdir(dir, 0700) && errno != EEXIST) return MQ_EIO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return MQ_EIO;
    size_t off = 0;
    while (off < got.len) {
        ssize_t w = write(fd, got.body + off, got.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    bool ok = off == got.len && !fsync(fd);
    close(fd);
    if (!ok || rename(tmp, path)) {
        unlink(tmp);
        return MQ_EIO;
    }
    *file = path;
    return MQ_OK;
}

mq_err mq_metadata_picture(struct mq_ctx *ctx, struct mq_arena *a, const char *provider,
                           const char *remote, int width, struct mq_image *out, char *why,
                           size_t whylen)
{
    const struct mq_provider *p = mq_provider_find(provider);
    why[0] = 0;
    if (!p || !p->image_url || !remote || strlen(remote) > 200) return MQ_ENOTFOUND;
    /* Only what the provider's own answers name: a picture path, or a
     * cover number; never a URL of the caller's. */
    for (const char *c = remote; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '/' || *c == '.' || *c == '_' || *c == '-' || *c == ':'))
            return MQ_ENOTFOUND;
    if (strstr(remote, "..") || strstr(remote, "//")) return MQ_ENOTFOUND;
    if (!strcmp(provider, "tmdb") && remote[0] != '/') return MQ_ENOTFOUND;
    const char *url = p->image_url(ctx, a, remote);
    if (!url) return MQ_ENOTFOUND;
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof(h), (const unsigned char *)url, strlen(url), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    char *path = mq_arena_printf(a, "%s/pictures/%s", mq_system_conf(ctx->cfg)->data_dir, hex);
    if (!path) return MQ_ENOMEM;
    if (access(path, R_OK)) {
        struct mq_remote_image_row r = {.provider = provider, .remote = remote};
        const char *file = NULL;
        mq_err err = fetch_image(ctx, a, &r, &file, why, whylen);
        if (err) return err;
    }
    return mq_images_from_file(ctx, a, path, "poster", width, out, why, whylen);
}

mq_err mq_metadata_fetch_images(struct mq_ctx *ctx, struct mq_arena *a, int64_t *fetched,
                                int64_t *failures)
{
    *fetched = *failures = 0;
    if (!mq_metadata_conf(ctx->cfg)->metadata_images) return MQ_OK;
    for (;;) {
        struct mq_db *db = NULL;
        struct mq_remote_image_row *rows = NULL;
        size_t n = 0;
        mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
        if (!err) err = mq_store_remote_images_pending(db, a, BATCH, &rows, &n);
        mq_store_rollback(db);
        if (err || !n) return err;
        for (size_t i = 0; i < n; i++) {
            char why[256] = "";
            const char *file = NULL;
            mq_err e = fetch_image(ctx, a, &rows[i], &file, why, sizeof(why));
            /* The provider is away (offline, failing, its breaker open):
             * the pictures stay pending and the job comes back later.
             * Anything else (gone, too large, refused) is this picture's. */
            if (e == MQ_EUNAVAILABLE || e == MQ_ETIMEOUT) {
                mq_log_warn(ctx->log, "metadata", "pictures wait: %s",
                            why[0] ? why : mq_err_name(e));
                return e;
            }
            e ? (*failures)++ : (*fetched)++;
            err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
            if (!err)
                err = mq_store_remote_image_done(db, rows[i].owner_id, rows[i].kind, rows[i].remote,
                                                 file, e ? (why[0] ? why : mq_err_name(e)) : NULL,
                                                 mq_clock_now_ms(ctx->clock));
            if (!err && !e) {
                char *detail =
                    mq_arena_printf(a, "{\"change\":\"image\",\"kind\":\"%s\"}", rows[i].kind);
                struct mq_event ev = {
                    .kind = "media.changed", .subject = rows[i].owner_id, .detail = detail};
                err = detail ? mq_db_publish(db, ctx->events, &ev) : MQ_ENOMEM;
            }
            err = mq_store_finish(db, err);
            if (err) return err;
        }
    }
}

/* ---- the catalogue sync ------------------------------------------------------------ */

mq_err mq_metadata_sync(struct mq_ctx *ctx, struct mq_arena *a, int64_t *added)
{
    char why[256];
    json_t *list = NULL;
    *added = 0;
    if (!mq_provider_tmdb.ready(ctx, why, sizeof(why))) return MQ_OK;
    mq_err err = mq_provider_tmdb.upcoming(ctx, a, &list, why, sizeof(why));
    if (err) {
        mq_log_warn(ctx->log, "metadata", "catalogue sync: %s", why);
        return err;
    }
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    struct mq_apply ap = {
        .ctx = ctx, .db = db, .a = a, .now = mq_clock_now_ms(ctx->clock), .changed = json_array()};
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w)
    {
        if (err) break;
        const char *kind = json_string_value(json_object_get(w, "kind"));
        const char *pid = json_string_value(json_object_get(w, "id"));
        struct mq_item_row have;
        if (!kind || !pid) continue;
        err = mq_store_item_by_external(db, a, kind, "tmdb", pid, "*", &have);
        if (err == MQ_ENOTFOUND) {
            char id[37];
            err = mq_apply_catalogue_item(&ap, "tmdb", w, kind, id);
            if (!err) {
                (*added)++;
                /* As any catalogue-only work, due at once; made by the sync. */
                struct mq_match_row m;
                err = mq_store_match_get(db, a, id, &m);
                if (!err) {
                    m.method = "sync";
                    err = mq_store_match_put(db, &m);
                }
            }
        }
    }
    json_decref(ap.changed);
    json_decref(list);
    return mq_store_finish(db, err);
}

/* ---- jobs ------------------------------------------------------------------------------ */

/* Identification is background work: its threads (the metadata queue's)
 * yield the CPU to requests. Linux's nice value is per thread. */
static void background(void)
{
    if (getpriority(PRIO_PROCESS, (id_t)gettid()) < METADATA_NICE)
        (void)setpriority(PRIO_PROCESS, (id_t)gettid(), METADATA_NICE);
}

/* A work whose identification could not be written is recorded as failed
 * (in a transaction of its own), so it is tried again later rather than
 * waiting for ever as pending. */
static void record_failure(struct mq_ctx *ctx, const struct mq_item_row *item, mq_err why)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    char reason[96];
    snprintf(reason, sizeof(reason), "the work could not be written: %s", mq_err_name(why));
    struct mq_match_row m = {.item_id = item->id,
                             .library_id = item->library_id,
                             .state = "failed",
                             .reason = reason,
                             .attempts = 1,
                             .next_refresh_at = now + 3600000,
                             .updated_at = now};
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_match_put(db, &m);
    err = mq_store_finish(db, err);
    if (err)
        mq_log_error(ctx->log, "metadata", "cannot record the failure of %s: %s", item->id,
                     mq_err_name(err));
}

/* One work that cannot be written (a bug, a constraint) must not hold up
 * the library's others: it is logged and passed over, and the job goes
 * on by id. Errors in a row are the database's, not a work's: the job
 * stops and is retried. */
#define ERRORS_IN_A_ROW 3

static mq_err identify_job(struct mq_job_run *run)
{
    background();
    const char *lib = json_string_value(json_object_get(run->payload, "library_id"));
    if (!lib) {
        snprintf(run->error, sizeof(run->error), "the payload names no library_id");
        return MQ_EINVAL;
    }
    char after[37] = "";
    int in_a_row = 0;
    for (;;) {
        struct mq_db *db = NULL;
        struct mq_item_row *items = NULL;
        size_t n = 0;
        mq_err err = mq_store_begin(run->ctx->store, MQ_DB_READ, &db);
        if (!err) err = mq_store_matches_new(db, run->arena, lib, after, BATCH, &items, &n);
        mq_store_rollback(db);
        if (err || !n) return err;
        for (size_t i = 0; i < n; i++) {
            struct mq_arena *a = mq_arena_new(0);
            struct mq_identify_result res;
            struct mq_identify_opts io = {0};
            err = a ? mq_identify_item(run->ctx, a, items[i].id, &io, &res) : MQ_ENOMEM;
            if (!err) json_decref(res.changed);
            mq_arena_free(a);
            snprintf(after, sizeof(after), "%s", items[i].id);
            if (!err || err == MQ_ENOTFOUND) {
                in_a_row = 0;
                continue;
            }
            mq_log_error(run->ctx->log, "metadata", "identifying %s (%s) failed: %s",
                         items[i].title, items[i].id, mq_err_name(err));
            record_failure(run->ctx, &items[i], err);
            if (++in_a_row >= ERRORS_IN_A_ROW) {
                snprintf(run->error, sizeof(run->error), "identifying %s: %s", items[i].title,
                         mq_err_name(err));
                return err;
            }
        }
    }
}

static mq_err item_job(struct mq_job_run *run)
{
    background();
    const char *id = json_string_value(json_object_get(run->payload, "item_id"));
    if (!id) return MQ_EINVAL;
    struct mq_identify_opts io = {
        .fresh = json_is_true(json_object_get(run->payload, "fresh")),
        .provider = json_string_value(json_object_get(run->payload, "provider")),
        .provider_id = json_string_value(json_object_get(run->payload, "id")),
        .by = json_string_value(json_object_get(run->payload, "by"))};
    struct mq_identify_result res;
    mq_err err = mq_identify_item(run->ctx, run->arena, id, &io, &res);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (err) {
        snprintf(run->error, sizeof(run->error), "%s", mq_err_name(err));
        return err;
    }
    json_decref(res.changed);
    if (!strcmp(res.state, "failed")) {
        snprintf(run->error, sizeof(run->error), "%s", res.reason ? res.reason : "failed");
        return MQ_EUNAVAILABLE; /* retried with backoff */
    }
    return MQ_OK;
}

static mq_err images_job(struct mq_job_run *run)
{
    background();
    int64_t ok = 0, bad = 0;
    mq_err err = mq_metadata_fetch_images(run->ctx, run->arena, &ok, &bad);
    if (err) snprintf(run->error, sizeof(run->error), "pictures: %s", mq_err_name(err));
    return err;
}

static mq_err refresh_job(struct mq_job_run *run)
{
    background();
    if (!mq_metadata_conf(run->ctx->cfg)->metadata_enabled) return MQ_OK;
    mq_err err = refresh_due(run->ctx, run->arena, run->job->id);
    if (err) snprintf(run->error, sizeof(run->error), "refresh: %s", mq_err_name(err));
    return err;
}

static mq_err sync_job(struct mq_job_run *run)
{
    background();
    int64_t added = 0;
    if (!mq_metadata_conf(run->ctx->cfg)->catalog_sync ||
        !mq_metadata_conf(run->ctx->cfg)->metadata_enabled)
        return MQ_OK;
    mq_err err = mq_metadata_sync(run->ctx, run->arena, &added);
    if (!err)
        mq_log_info(run->ctx->log, "metadata", "catalogue sync: %lld works added",
                    (long long)added);
    return err;
}

static mq_err prune_job(struct mq_job_run *run)
{
    struct mq_db *db = NULL;
    int64_t n = 0;
    mq_err err = mq_store_begin(run->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_md_cache_prune(db, mq_clock_now_ms(run->ctx->clock), &n);
    return mq_store_finish(db, err);
}

mq_err mq_metadata_register(struct mq_jobs *jobs)
{
    mq_err err = mq_jobs_register(jobs, "metadata.identify", identify_job);
    if (!err) err = mq_jobs_register(jobs, "metadata.item", item_job);
    if (!err) err = mq_jobs_register(jobs, "metadata.images", images_job);
    if (!err) err = mq_jobs_register(jobs, "metadata.refresh_due", refresh_job);
    if (!err) err = mq_jobs_register(jobs, "metadata.sync", sync_job);
    if (!err) err = mq_jobs_register(jobs, "metadata.cache_prune", prune_job);
    struct mq_job_spec due = {
        .kind = "metadata.refresh_due", .queue = "metadata", .max_attempts = 1};
    struct mq_job_spec sync = {.kind = "metadata.sync", .queue = "metadata", .max_attempts = 3};
    struct mq_job_spec prune = {
        .kind = "metadata.cache_prune", .queue = "maintenance", .max_attempts = 1};
    if (!err) err = mq_jobs_schedule(jobs, "metadata.refresh_due", "hourly", &due);
    if (!err) err = mq_jobs_schedule(jobs, "metadata.sync", "weekly on sun at 04:00", &sync);
    if (!err) err = mq_jobs_schedule(jobs, "metadata.cache_prune", "daily at 03:30", &prune);
    return err;
}
