#include "track/import.h"

#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/uuid.h"
#include "jobs/queue.h"
#include "media/parental.h"
#include "notify/notify.h"
#include "store/track.h"
#include "store/users.h"
#include "track/conf.h"
#include "track/csv.h"
#include "track/formats.h"
#include "track/libzip.h"
#include "track/match.h"
#include "track/progress.h"

#define BATCH 100 /* rows written per transaction */

/* ---- entries as rows keep them ------------------------------------------- */

static const char *const ID_NAMES[MQ_ID_COUNT] = {"tmdb", "imdb", "tvdb", "isbn", "trakt"};

static char *entry_json(const struct mq_import_entry *e)
{
    json_t *o = json_object(), *ids = json_object();
    if (!o || !ids) {
        json_decref(o);
        json_decref(ids);
        return NULL;
    }
    if (e->kind) json_object_set_new(o, "kind", json_string(e->kind));
    if (e->title) json_object_set_new(o, "title", json_string(e->title));
    if (e->year) json_object_set_new(o, "year", json_integer(e->year));
    if (e->season >= 0) json_object_set_new(o, "season", json_integer(e->season));
    if (e->episode >= 0) json_object_set_new(o, "episode", json_integer(e->episode));
    if (e->episode_title) json_object_set_new(o, "episode_title", json_string(e->episode_title));
    if (e->watched_at) json_object_set_new(o, "watched_at", json_integer(e->watched_at));
    if (e->duration_ms) json_object_set_new(o, "duration_ms", json_integer(e->duration_ms));
    if (e->rating) json_object_set_new(o, "rating", json_integer(e->rating));
    if (e->profile) json_object_set_new(o, "profile", json_string(e->profile));
    json_object_set_new(o, "play", json_boolean(e->play));
    json_object_set_new(o, "status", json_string(e->status ? e->status : "completed"));
    json_object_set_new(o, "platform", json_string(e->platform ? e->platform : "other"));
    for (int i = 0; i < MQ_ID_COUNT; i++)
        if (e->ids[i]) json_object_set_new(ids, ID_NAMES[i], json_string(e->ids[i]));
    json_object_set_new(o, "ids", ids);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static const char *str_of(struct mq_arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? mq_arena_strdup(a, s) : NULL;
}

static int int_of(json_t *o, const char *key, int none)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : none;
}

static bool entry_of(struct mq_arena *a, const char *text, struct mq_import_entry *e)
{
    json_t *o = json_loads(text, 0, NULL);
    memset(e, 0, sizeof(*e));
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    e->kind = str_of(a, o, "kind");
    e->title = str_of(a, o, "title");
    e->year = int_of(o, "year", 0);
    e->season = int_of(o, "season", -1);
    e->episode = int_of(o, "episode", -1);
    e->episode_title = str_of(a, o, "episode_title");
    e->watched_at = json_integer_value(json_object_get(o, "watched_at"));
    e->duration_ms = json_integer_value(json_object_get(o, "duration_ms"));
    e->rating = int_of(o, "rating", 0);
    e->profile = str_of(a, o, "profile");
    e->play = json_is_true(json_object_get(o, "play"));
    e->status = str_of(a, o, "status");
    e->platform = str_of(a, o, "platform");
    json_t *ids = json_object_get(o, "ids");
    for (int i = 0; i < MQ_ID_COUNT; i++) e->ids[i] = str_of(a, ids, ID_NAMES[i]);
    json_decref(o);
    return true;
}

static char *candidates_json(const struct mq_match *m)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < m->ncand; i++) {
        const struct mq_match_candidate *c = &m->cand[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:f}", "item_id", c->item_id, "title", c->title, "type",
                              c->kind, "confidence", (double)c->confidence / 1000);
        if (o && c->year) json_object_set_new(o, "year", json_integer(c->year));
        json_array_append_new(arr, o);
    }
    char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return text;
}

/* ---- recording what a row says -------------------------------------------- */

/* A row's identity: where it came from, whose profile, the title and the
 * time, so the same viewing imported twice is one play. */
static void dedup_of(const struct mq_import_entry *e, const char *format, char out[33])
{
    unsigned char h[16];
    crypto_generichash_state st;
    char year[24];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    const char *parts[] = {format, e->profile ? e->profile : "", e->title ? e->title : "",
                           e->episode_title ? e->episode_title : ""};
    for (size_t i = 0; i < 4; i++)
        crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    snprintf(year, sizeof(year), "%lld|%d|%d", (long long)e->watched_at, e->season, e->episode);
    crypto_generichash_update(&st, (const unsigned char *)year, strlen(year));
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 33, h, sizeof(h));
}

static bool playable(const char *kind)
{
    return kind && (!strcmp(kind, "movie") || !strcmp(kind, "episode") || !strcmp(kind, "book") ||
                    !strcmp(kind, "audiobook"));
}

/* Records a matched row for `user_id`: a play (or, for a viewing that
 * stopped short, a position), the library entry and its rating. *state
 * is matched, or duplicate when the play was there already. */
static mq_err record(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a, const char *user_id,
                     const char *format, const struct mq_import_entry *e, const struct mq_match *m,
                     const char **state, const char **play_id)
{
    const struct mq_track_conf *conf = mq_track_conf(ctx->cfg);
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_track_item it;
    mq_err err = mq_store_track_item(db, a, m->item_id, &it);
    if (err) return err;
    if (!it.work_id) it.work_id = it.parent_id ? it.parent_id : it.id;
    int64_t length = it.file_ms ? it.file_ms : it.runtime_min * 60000;
    int64_t at = e->watched_at ? e->watched_at : 0;
    *state = "matched";
    *play_id = NULL;
    bool partial =
        e->duration_ms && length && e->duration_ms * 100 < length * (int64_t)conf->complete_percent;
    if (e->play && playable(it.kind) && !partial && at) {
        char dedup[33], *id = mq_arena_alloc(a, 37);
        if (!id) return MQ_ENOMEM;
        dedup_of(e, format, dedup);
        mq_uuid7_new(ctx->clock, ctx->rng, id);
        struct mq_play_row p = {.id = id,
                                .user_id = user_id,
                                .item_id = it.id,
                                .work_id = it.work_id,
                                .kind = it.kind,
                                .title = it.title,
                                .watched_at = at,
                                .duration_ms = e->duration_ms ? e->duration_ms : length,
                                .source = format,
                                .platform = e->platform ? e->platform : "other",
                                .dedup = dedup,
                                .created_at = now};
        bool added = false;
        err = mq_store_play_insert(db, &p, &added);
        if (err) return err;
        if (!added) *state = "duplicate";
        *play_id = added ? id : NULL;
    } else if (e->play && playable(it.kind) && partial && at) {
        /* Stopped short: where it stopped, unless a later report is in;
         * resumable past the same thresholds as the player's reports. */
        bool resumable = e->duration_ms >= conf->resume_min_ms &&
                         e->duration_ms * 100 >= length * (int64_t)conf->resume_min_percent;
        struct mq_progress_row r = {.user_id = user_id,
                                    .item_id = it.id,
                                    .state = resumable ? "in_progress" : "started",
                                    .position_ms = e->duration_ms,
                                    .duration_ms = length,
                                    .progress = e->duration_ms * 1000 / length,
                                    .device = e->platform,
                                    .reported_at = at,
                                    .updated_at = now};
        bool applied = false;
        err = mq_store_progress_put(db, &r, &applied);
        if (err) return err;
    }
    bool episode = strcmp(it.work_id, it.id) != 0;
    const char *status = e->status ? e->status : "completed";
    if (episode && !strcmp(status, "completed")) status = "in_progress";
    if (partial) status = "in_progress";
    struct mq_shelf_row s = {.user_id = user_id,
                             .item_id = it.work_id,
                             .status = status,
                             .platform = e->platform,
                             .consumed_at = !strcmp(status, "completed") ? at : 0,
                             .source = format,
                             .activity_at = at ? at : now};
    err = mq_store_shelf_touch(db, &s);
    if (!err && e->rating) err = mq_store_shelf_rate(db, user_id, it.work_id, e->rating, now);
    return err;
}

/* ---- reading an upload -------------------------------------------------------- */

/* Letterboxd's export zip: the files this server reads, by name. */
static const struct {
    const char *name, *format;
} LETTERBOXD[] = {{"diary.csv", "letterboxd_diary"},
                  {"ratings.csv", "letterboxd_ratings"},
                  {"watched.csv", "letterboxd_watched"},
                  {"watchlist.csv", "letterboxd_watchlist"}};
#define NLETTERBOXD (sizeof(LETTERBOXD) / sizeof(LETTERBOXD[0]))
/* A row's line in a zip's import: the file's place, then its line. */
#define ZIP_LINES 1000000

static int letterboxd_index(const char *name)
{
    for (size_t i = 0; i < NLETTERBOXD; i++)
        if (!strcmp(name, LETTERBOXD[i].name)) return (int)i;
    return -1;
}

static bool letterboxd_file(const char *name)
{
    return letterboxd_index(name) >= 0;
}

/* An upload as entries: text (csv.h makes it UTF-8), or Letterboxd's zip,
 * whose CSVs are read each in its format into one list. */
static mq_err read_upload(struct mq_arena *a, const char *data, size_t n, const char *format,
                          json_t *mapping, const struct mq_track_conf *conf,
                          struct mq_import_file *out, const char **why, const char **detail)
{
    const char *text = NULL;
    size_t tn = 0;
    *detail = NULL;
    if (!mq_is_zip(data, n)) {
        if (format && !strcmp(format, "letterboxd")) {
            *why = "unknown_format";
            *detail = "format letterboxd is the export's zip; name the CSV's own format";
            return MQ_EINVAL;
        }
        mq_err err = mq_csv_text(a, data, n, &text, &tn, why);
        if (err == MQ_EINVAL) *why = "not_text";
        return err ? err
                   : mq_import_read(a, text, tn, format, mapping, conf->import_max_rows, out, why,
                                    detail);
    }
    struct mq_unzipped files[MQ_UNZIP_FILES];
    size_t nf = 0;
    mq_err err = mq_unzip(a, data, n, (size_t)conf->import_max_size, letterboxd_file, files, &nf);
    if (err == MQ_ETOOBIG) {
        *why = "too_large";
        *detail = mq_arena_printf(a, "the zip's files come to more than %ld bytes",
                                  conf->import_max_size);
        return MQ_EINVAL;
    }
    if (err == MQ_EPARSE || (!err && !nf)) {
        *why = "unknown_format";
        *detail = "a zip is read as Letterboxd's export: it holds none of diary.csv, "
                  "ratings.csv, watched.csv, watchlist.csv";
        return MQ_EINVAL;
    }
    if (err) return err;
    memset(out, 0, sizeof(*out));
    out->format = "letterboxd";
    size_t total = 0;
    struct mq_import_file parts[MQ_UNZIP_FILES];
    for (size_t i = 0; i < nf; i++) {
        int k = letterboxd_index(files[i].name);
        err = mq_csv_text(a, files[i].data, files[i].len, &text, &tn, why);
        if (err == MQ_EINVAL) *why = "not_text";
        if (!err)
            err = mq_import_read(a, text, tn, LETTERBOXD[k].format, NULL,
                                 conf->import_max_rows - (int64_t)total, &parts[i], why, detail);
        if (err) return err;
        for (size_t j = 0; j < parts[i].n; j++)
            parts[i].entries[j].line += (int64_t)(k + 1) * ZIP_LINES;
        total += parts[i].n;
    }
    out->entries = mq_arena_calloc(a, total ? total : 1, sizeof(*out->entries));
    if (!out->entries) return MQ_ENOMEM;
    for (size_t i = 0; i < nf; i++) {
        memcpy(out->entries + out->n, parts[i].entries, parts[i].n * sizeof(*out->entries));
        out->n += parts[i].n;
    }
    return MQ_OK;
}

/* ---- starting ---------------------------------------------------------------- */

static bool textual(const char *data, size_t len)
{
    /* libmagic handles are not shared between threads: one per call. */
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
    const char *type = NULL;
    if (m && magic_load(m, NULL) == 0) type = magic_buffer(m, data, len < 65536 ? len : 65536);
    bool ok = type && (!strncmp(type, "text/", 5) || !strcmp(type, "application/json") ||
                       !strcmp(type, "application/csv"));
    magic_close(m);
    return ok;
}

static mq_err options_json(struct mq_arena *a, const struct mq_import_request *r, char **out)
{
    json_t *o = json_object();
    if (!o) return MQ_ENOMEM;
    if (r->profile) json_object_set_new(o, "profile", json_string(r->profile));
    if (r->profiles) json_object_set(o, "profiles", r->profiles);
    if (r->mapping) json_object_set(o, "mapping", r->mapping);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *out = text ? mq_arena_strdup(a, text) : NULL;
    free(text);
    return *out ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_import_start(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_import_request *r,
                       struct mq_import_row *out, struct mq_refusal *why)
{
    const struct mq_track_conf *conf = mq_track_conf(ctx->cfg);
    int64_t now = mq_clock_now_ms(ctx->clock);
    memset(out, 0, sizeof(*out));
    if ((long)r->len > conf->import_max_size)
        return mq_refuse(why, MQ_ETOOBIG, "too_large", NULL, "an export is at most %ld bytes",
                         conf->import_max_size);
    if (r->format && !mq_import_format_valid(r->format))
        return mq_refuse(why, MQ_EINVAL, "invalid_format", "format",
                         "format is one of netflix, netflix_activity, amazon, letterboxd_diary, "
                         "letterboxd_watched, letterboxd_ratings, letterboxd_watchlist, "
                         "letterboxd_reviews, letterboxd (the export's zip), trakt, imdb, "
                         "goodreads, generic");
    const char *bad = NULL, *detail = NULL;
    bool zip = mq_is_zip(r->data, r->len);
    if (!r->len || (!zip && !textual(r->data, r->len)))
        return mq_refuse(why, MQ_EUNSUPPORTED, "not_text", NULL,
                         "an export is a text file (CSV, or JSON for Trakt) or Letterboxd's zip");
    /* Read once now, so that a file that is no export is refused while
     * the member waits, and the format is known. */
    struct mq_import_file f;
    mq_err err = read_upload(a, r->data, r->len, r->format, r->mapping, conf, &f, &bad, &detail);
    if (err == MQ_EINVAL && !strcmp(bad, "not_text"))
        return mq_refuse(why, MQ_EUNSUPPORTED, "not_text", NULL,
                         "an export is a text file (CSV, or JSON for Trakt) or Letterboxd's zip");
    if (err == MQ_EINVAL && !strcmp(bad, "too_large"))
        return mq_refuse(why, MQ_ETOOBIG, "too_large", NULL, "%s", detail);
    if (err == MQ_EINVAL)
        return mq_refuse(why, MQ_EINVAL, bad, NULL, "%s",
                         detail ? detail : "the file is no export this server reads");
    if (err == MQ_EUNSUPPORTED)
        return mq_refuse(why, MQ_EUNSUPPORTED, "zip_unavailable", NULL,
                         "libzip (Debian's libzip4) is not installed on the server");
    if (err) return err;
    if (r->profile) {
        size_t k = 0;
        while (k < f.nprofiles && strcmp(f.profiles[k], r->profile)) k++;
        if (k == f.nprofiles)
            return mq_refuse(why, MQ_EINVAL, "unknown_profile", "profile",
                             "no row of the file is of that profile");
    }
    /* Each member a profile goes to must exist (their plays are theirs). */
    const char *key;
    json_t *v;
    json_object_foreach(r->profiles, key, v)
    {
        struct mq_db *rdb = NULL;
        struct mq_user_row u;
        const char *uid = json_string_value(v);
        err = uid ? mq_store_begin(ctx->store, MQ_DB_READ, &rdb) : MQ_ENOTFOUND;
        if (!err) {
            err = mq_store_user_by_id(rdb, a, uid, &u);
            mq_store_rollback(rdb);
        }
        if (err == MQ_ENOTFOUND || (!err && u.deleted_at))
            return mq_refuse(why, MQ_EINVAL, "unknown_member", "profiles",
                             "profile %s maps to no member", key);
        if (err) return err;
    }
    char *options = NULL;
    err = options_json(a, r, &options);
    if (err) return err;
    /* The upload as it came (the job reads it the same way). */
    size_t b64len = sodium_base64_encoded_len(r->len, sodium_base64_VARIANT_ORIGINAL);
    char *body = mq_arena_alloc(a, b64len);
    if (!body) return MQ_ENOMEM;
    sodium_bin2base64(body, b64len, (const unsigned char *)r->data, r->len,
                      sodium_base64_VARIANT_ORIGINAL);

    char *id = mq_arena_alloc(a, 37);
    if (!id) return MQ_ENOMEM;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    *out = (struct mq_import_row){.id = id,
                                  .user_id = r->user_id,
                                  .format = f.format,
                                  .filename = r->filename,
                                  .options = options,
                                  .state = "queued",
                                  .c = {.total = (int64_t)f.n},
                                  .created_at = now};
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    int64_t recent = 0;
    err = mq_store_imports_since(db, r->user_id, now - 3600000, &recent);
    if (!err && recent >= conf->imports_per_hour)
        err = mq_refuse(why, MQ_ECONFLICT, "too_many_imports", NULL,
                        "at most %d imports an hour; try again later", conf->imports_per_hour);
    if (!err) err = mq_store_import_insert(db, out, body);
    char job[37];
    struct mq_job_spec spec = {.kind = "track.import",
                               .owner_id = r->user_id,
                               .max_attempts = 3,
                               .payload = mq_arena_printf(a, "{\"import_id\":\"%s\"}", id)};
    if (!err) err = mq_jobs_enqueue(ctx, db, &spec, job, NULL);
    if (!err) err = mq_store_import_job(db, id, job);
    if (!err) out->job_id = mq_arena_strdup(a, job);
    return mq_store_finish(db, err);
}

/* ---- the job -------------------------------------------------------------------- */

/* Whose a row is: the importer's, or with a profile map the member its
 * profile maps to (NULL: a profile left out). */
static const char *owner_of(const struct mq_import_row *imp, json_t *opts,
                            const struct mq_import_entry *e)
{
    const char *only = json_string_value(json_object_get(opts, "profile"));
    json_t *map = json_object_get(opts, "profiles");
    if (only) return e->profile && !strcmp(e->profile, only) ? imp->user_id : NULL;
    if (json_is_object(map))
        return e->profile ? json_string_value(json_object_get(map, e->profile)) : NULL;
    return imp->user_id;
}

struct pending {
    struct mq_import_line line;
    const struct mq_import_entry *e;
    struct mq_match m;
    const char *owner;
};

static mq_err write_batch(struct mq_ctx *ctx, struct mq_arena *a, struct mq_import_row *imp,
                          struct pending *p, size_t n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    for (size_t i = 0; !err && i < n; i++) {
        struct pending *r = &p[i];
        if (!strcmp(r->line.state, "matched")) {
            err = record(ctx, db, a, r->owner, imp->format, r->e, &r->m, &r->line.state,
                         &r->line.play_id);
            if (err == MQ_ENOTFOUND) { /* the work went meanwhile */
                err = MQ_OK;
                r->line.state = "review";
                r->line.reason = "no_candidates";
            }
        }
        if (!err) err = mq_store_import_line_put(db, &r->line);
        int64_t *c = !strcmp(r->line.state, "matched")     ? &imp->c.matched
                     : !strcmp(r->line.state, "duplicate") ? &imp->c.duplicates
                     : !strcmp(r->line.state, "review")    ? &imp->c.review
                     : !strcmp(r->line.state, "failed")    ? &imp->c.failed
                                                           : &imp->c.skipped;
        ++*c;
        imp->c.rows_read++;
    }
    if (!err) err = mq_store_import_update(db, imp, false);
    return mq_store_finish(db, err);
}

/* The member hears that their import is done, once (a job run again
 * after a crash tells nothing new: the import's id is the key). */
static mq_err tell_done(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                        const struct mq_import_row *imp)
{
    json_t *vars = json_pack("{s:s,s:s,s:s,s:s}", "format", imp->format, "matched",
                             mq_arena_printf(a, "%lld", (long long)imp->c.matched), "review",
                             mq_arena_printf(a, "%lld", (long long)imp->c.review), "failed",
                             mq_arena_printf(a, "%lld", (long long)imp->c.failed));
    struct mq_notice n = {.event = "import.done",
                          .user_id = imp->user_id,
                          .dedupe_key = mq_arena_printf(a, "import.done:%s", imp->id),
                          .vars = vars,
                          .link = imp->c.review ? mq_arena_printf(a, "/import/%s", imp->id)
                                                : "/my/library"};
    mq_err err = vars && n.dedupe_key ? mq_notify(ctx, db, a, &n, NULL) : MQ_ENOMEM;
    json_decref(vars);
    return err;
}

static mq_err run_import(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    struct mq_arena *a = run->arena;
    const char *id = json_string_value(json_object_get(run->payload, "import_id"));
    struct mq_import_row imp;
    const char *body = NULL;
    struct mq_db *db = NULL;
    if (!id) return MQ_EINVAL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_import_get(db, a, id, &imp);
    if (!err) err = mq_store_import_body(db, a, id, &body);
    mq_store_rollback(db);
    if (err == MQ_ENOTFOUND) return MQ_EINVAL; /* deleted with its member */
    if (err) return err;
    if (!strcmp(imp.state, "done") || !body) return MQ_OK;

    /* From the start again when run again: rows are written by line, so a
     * second run replaces what a first one wrote, and plays keep their
     * identity. */
    size_t blen = strlen(body), n = 0;
    unsigned char *text = mq_arena_alloc(a, blen + 1);
    if (!text ||
        sodium_base642bin(text, blen, body, blen, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL))
        return MQ_EINVAL;
    text[n] = '\0';
    json_t *opts = json_loads(imp.options, 0, NULL);
    struct mq_import_file f;
    const char *bad = NULL, *detail = NULL;
    err = read_upload(a, (const char *)text, n, imp.format, json_object_get(opts, "mapping"),
                      mq_track_conf(ctx->cfg), &f, &bad, &detail);
    struct mq_matcher *m = NULL;
    struct mq_visible vis;
    memset(&imp.c, 0, sizeof(imp.c));
    imp.c.total = (int64_t)f.n;
    imp.state = "running";
    imp.started_at = mq_clock_now_ms(ctx->clock);
    if (!err) err = mq_libraries_visible_to(ctx, a, imp.user_id, &vis);
    if (!err) err = mq_matcher_new(ctx, a, &vis, imp.user_id, &m);
    struct pending *batch = err ? NULL : mq_arena_calloc(a, BATCH, sizeof(*batch));
    if (!err && !batch) err = MQ_ENOMEM;
    size_t nb = 0;
    for (size_t i = 0; !err && i < f.n; i++) {
        const struct mq_import_entry *e = &f.entries[i];
        struct pending *p = &batch[nb++];
        memset(p, 0, sizeof(*p));
        p->e = e;
        p->line.import_id = id;
        p->line.line = e->line;
        p->line.raw = e->raw;
        p->line.title = e->title;
        char *entry = entry_json(e);
        p->line.entry = entry ? mq_arena_strdup(a, entry) : NULL;
        free(entry);
        p->owner = owner_of(&imp, opts, e);
        if (e->error) {
            p->line.state = "failed";
            p->line.reason = e->error;
        } else if (e->skip || !p->owner) {
            p->line.state = "skipped";
            p->line.reason = e->skip ? e->skip : "other_profile";
        } else {
            err = mq_match_entry(m, e, &p->m);
            if (!err && p->m.item_id) {
                p->line.state = "matched";
                p->line.item_id = p->m.item_id;
                p->line.confidence = p->m.confidence;
                p->line.method = p->m.method;
            } else if (!err) {
                p->line.state = "review";
                p->line.reason = p->m.reason;
                p->line.confidence = p->m.ncand ? p->m.cand[0].confidence : 0;
                char *c = candidates_json(&p->m);
                p->line.candidates = c ? mq_arena_strdup(a, c) : "[]";
                free(c);
            }
        }
        if (!err && (nb == BATCH || i + 1 == f.n)) {
            err = write_batch(ctx, a, &imp, batch, nb);
            nb = 0;
        }
    }
    mq_matcher_free(m);
    json_decref(opts);
    imp.finished_at = mq_clock_now_ms(ctx->clock);
    imp.state = err ? "failed" : "done";
    if (err) snprintf(run->error, sizeof(run->error), "import stopped: %s", mq_err_name(err));
    imp.error = err ? run->error : NULL;
    if (err == MQ_EINVAL && bad) imp.error = bad;
    struct mq_event ev = {.kind = "import.done", .subject = id, .user_id = imp.user_id};
    mq_err werr = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!werr) werr = mq_store_import_update(db, &imp, !err);
    if (!werr && !err) werr = mq_db_publish(db, ctx->events, &ev);
    if (!werr && !err) werr = tell_done(ctx, db, a, &imp);
    werr = mq_store_finish(db, werr);
    return err ? err : werr;
}

mq_err mq_import_register(struct mq_jobs *jobs)
{
    return mq_jobs_register(jobs, "track.import", run_import);
}

/* ---- reading and resolving -------------------------------------------------------- */

mq_err mq_import_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id, const char *id,
                     struct mq_import_row *out)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_import_get(db, a, id, out);
    mq_store_rollback(db);
    if (!err && strcmp(out->user_id, user_id)) err = MQ_ENOTFOUND;
    return err;
}

mq_err mq_import_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                      const struct mq_track_after *after, int limit, struct mq_import_row **out,
                      size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_imports_list(db, a, user_id, after, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_import_rows(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id, const char *id,
                      const char *state, int64_t after_line, int limit, struct mq_import_line **out,
                      size_t *n)
{
    struct mq_import_row imp;
    mq_err err = mq_import_get(ctx, a, user_id, id, &imp);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_import_lines(db, a, imp.id, state, after_line, limit, out, n);
    mq_store_rollback(db);
    return err;
}

static mq_err settle(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                     const struct mq_visible *vis, const char *user_id,
                     const struct mq_import_row *imp, struct mq_import_line *line,
                     const char *media_id, struct mq_refusal *why)
{
    struct mq_import_entry e;
    if (!entry_of(a, line->entry, &e)) return MQ_EINTERNAL;
    if (!media_id) {
        line->state = "dismissed";
        line->reason = "skipped_by_member";
        return mq_store_import_line_put(db, line);
    }
    struct mq_track_item it;
    mq_err err = mq_uuid_valid(media_id, strlen(media_id))
                     ? mq_store_track_item(db, a, media_id, &it)
                     : MQ_ENOTFOUND;
    if (err) return err;
    if (it.deleted_at || (it.library_id && !mq_visible_has(vis, it.library_id)) ||
        !mq_restriction_allows(&vis->limits, (int)it.level))
        return MQ_ENOTFOUND;
    struct mq_match m = {.item_id = it.id, .work_id = it.id, .kind = it.kind};
    const char *state = NULL, *play = NULL;
    err = record(ctx, db, a, user_id, imp->format, &e, &m, &state, &play);
    if (err) return err;
    /* The alias: the title as the source wrote it is this work. For an
     * episode chosen from a packed Netflix title, the title is the
     * episode's own line, and so is the alias. */
    const char *key = mq_match_alias_key(a, e.kind, e.title);
    if (key) {
        struct mq_alias_row al = {.key = key,
                                  .title = e.title,
                                  .item_id = it.id,
                                  .created_by = user_id,
                                  .created_at = mq_clock_now_ms(ctx->clock)};
        err = mq_store_alias_put(db, &al);
    }
    line->state = "resolved";
    line->item_id = it.id;
    line->confidence = 1000;
    line->method = "member";
    line->play_id = play;
    line->reason = NULL;
    (void)why;
    if (!err) err = mq_store_import_line_put(db, line);
    return err;
}

mq_err mq_import_resolve(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         const char *user_id, const char *id, int64_t line, const char *media_id,
                         struct mq_import_line *out, struct mq_refusal *why)
{
    struct mq_import_row imp;
    mq_err err = mq_import_get(ctx, a, user_id, id, &imp);
    struct mq_db *db = NULL;
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_import_line_get(db, a, imp.id, line, out);
    if (!err && strcmp(out->state, "review"))
        err = mq_refuse(why, MQ_ECONFLICT, "not_in_review", NULL,
                        "that row is %s, not waiting for review", out->state);
    if (!err) err = settle(ctx, db, a, vis, user_id, &imp, out, media_id, why);
    if (!err) err = mq_store_import_recount(db, imp.id);
    return mq_store_finish(db, err);
}

/* ---- a member's own entry ------------------------------------------------------ */

mq_err mq_import_manual(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                        const char *user_id, const struct mq_manual_entry *in,
                        struct mq_import_row *imp, struct mq_import_line *line,
                        struct mq_refusal *why)
{
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (!in->title || !*in->title || strlen(in->title) > 500)
        return mq_refuse(why, MQ_EINVAL, "invalid_title", "title", "title is 1 to 500 bytes");
    if (!in->kind || (strcmp(in->kind, "movie") && strcmp(in->kind, "series") &&
                      strcmp(in->kind, "book") && strcmp(in->kind, "audiobook")))
        return mq_refuse(why, MQ_EINVAL, "invalid_type", "type",
                         "type is one of movie, series, book, audiobook");
    if (in->year && (in->year < 1870 || in->year > 2200))
        return mq_refuse(why, MQ_EINVAL, "invalid_year", "year", "year is from 1870 to 2200");
    if (in->consumed_at > now + 60000)
        return mq_refuse(why, MQ_EINVAL, "invalid_consumed_at", "consumed_at",
                         "consumed_at is in the future");
    const char *status = in->status ? in->status : "completed";
    if (strcmp(status, "completed") && strcmp(status, "planned") && strcmp(status, "in_progress") &&
        strcmp(status, "dropped") && strcmp(status, "paused"))
        return mq_refuse(why, MQ_EINVAL, "invalid_status", "status",
                         "status is one of planned, in_progress, completed, dropped, paused");
    struct mq_import_entry e = {.line = 1,
                                .kind = in->kind,
                                .title = in->title,
                                .year = in->year,
                                .season = -1,
                                .episode = -1,
                                .watched_at = in->consumed_at,
                                .play = !strcmp(status, "completed") && in->consumed_at &&
                                        strcmp(in->kind, "series"),
                                .status = status,
                                .platform = in->platform ? in->platform : "other"};
    struct mq_matcher *m = NULL;
    struct mq_match mt;
    mq_err err = mq_matcher_new(ctx, a, vis, user_id, &m);
    if (!err) err = mq_match_entry(m, &e, &mt);
    mq_matcher_free(m);
    if (err) return err;

    char *id = mq_arena_alloc(a, 37);
    if (!id) return MQ_ENOMEM;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    *imp = (struct mq_import_row){.id = id,
                                  .user_id = user_id,
                                  .format = "manual",
                                  .options = "{}",
                                  .state = "done",
                                  .c = {.total = 1, .rows_read = 1},
                                  .created_at = now,
                                  .started_at = now,
                                  .finished_at = now};
    char *entry = entry_json(&e), *cands = candidates_json(&mt);
    *line = (struct mq_import_line){.import_id = id,
                                    .line = 1,
                                    .raw = in->title,
                                    .entry = entry ? mq_arena_strdup(a, entry) : "{}",
                                    .title = in->title,
                                    .state = mt.item_id ? "matched" : "review",
                                    .item_id = mt.item_id,
                                    .confidence = mt.item_id ? mt.confidence
                                                  : mt.ncand ? mt.cand[0].confidence
                                                             : 0,
                                    .method = mt.method,
                                    .candidates = cands ? mq_arena_strdup(a, cands) : "[]",
                                    .reason = mt.reason};
    free(entry);
    free(cands);
    if (mt.item_id)
        imp->c.matched = 1;
    else
        imp->c.review = 1;
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_import_insert(db, imp, NULL);
    if (!err && mt.item_id)
        err = record(ctx, db, a, user_id, "manual", &e, &mt, &line->state, &line->play_id);
    if (!err) err = mq_store_import_line_put(db, line);
    return mq_store_finish(db, err);
}

mq_err mq_import_record_one(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                            const char *source, const struct mq_import_entry *e,
                            const char *item_id, const char **state)
{
    struct mq_match m = {.item_id = item_id, .work_id = item_id};
    const char *play = NULL;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = record(ctx, db, a, user_id, source, e, &m, state, &play);
    return mq_store_finish(db, err);
}

/* ---- aliases ------------------------------------------------------------------ */

mq_err mq_alias_list(struct mq_ctx *ctx, struct mq_arena *a, const char *after, int limit,
                     struct mq_alias_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_aliases(db, a, after, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_alias_delete(struct mq_ctx *ctx, const char *key)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_alias_delete(db, key);
    return mq_store_finish(db, err);
}
