#include "metadata/tmdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "metadata/conf.h"
#include "metadata/fetch.h"
#include "metadata/provider.h"

#define CAST_MAX      30
#define CREW_MAX      30
#define TEXT_MAX      20000
#define SEARCH_TTL_MS (24LL * 3600 * 1000)
#define FIND_TTL_MS   (30LL * 24 * 3600 * 1000)

/* ---- reading TMDb's JSON ---------------------------------------------------- */

/* A string member, valid UTF-8 and not empty, or NULL. */
static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s && strlen(s) <= TEXT_MAX && mq_utf8_valid(s, strlen(s)) ? s : NULL;
}

static void put_str(json_t *doc, const char *key, const char *v)
{
    if (v) json_object_set_new(doc, key, json_string(v));
}

/* A TMDb id: a positive integer, given back as text. */
static bool id_of(const json_t *o, const char *key, char out[24])
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return false;
    snprintf(out, 24, "%lld", (long long)json_integer_value(v));
    return true;
}

/* "1999-03-30": the year, or 0. */
static int year_of(const char *date)
{
    if (!date || strlen(date) < 4) return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (date[i] < '0' || date[i] > '9') return 0;
        y = y * 10 + date[i] - '0';
    }
    return y >= 1870 && y <= 2200 ? y : 0;
}

static bool date_ok(const char *d)
{
    return d && strlen(d) == 10 && year_of(d) && d[4] == '-' && d[7] == '-';
}

static void put_date(json_t *doc, const char *key, const char *d)
{
    if (date_ok(d)) json_object_set_new(doc, key, json_string(d));
}

/* A picture path: "/abc.jpg", no traversal or query. */
static const char *image_path(const json_t *o, const char *key)
{
    const char *p = str(o, key);
    if (!p || p[0] != '/' || strlen(p) > 200 || strstr(p, "..")) return NULL;
    for (const char *c = p + 1; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-'))
            return NULL;
    return p;
}

static void put_int(json_t *doc, const char *key, const json_t *v, long long lo, long long hi)
{
    if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi)
        json_object_set_new(doc, key, json_integer(json_integer_value(v)));
}

static void put_genres(json_t *doc, const json_t *tmdb)
{
    json_t *out = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(tmdb, "genres"), i, g)
    {
        const char *name = str(g, "name");
        if (name && strlen(name) <= 64 && json_array_size(out) < 32)
            json_array_append_new(out, json_string(name));
    }
    json_object_set_new(doc, "genres", out);
}

static void put_rating(json_t *doc, const json_t *tmdb)
{
    const json_t *avg = json_object_get(tmdb, "vote_average");
    const json_t *votes = json_object_get(tmdb, "vote_count");
    if (!json_is_number(avg) || !json_is_integer(votes) || json_integer_value(votes) <= 0) return;
    double r = json_number_value(avg);
    if (r < 0 || r > 10) return;
    json_object_set_new(doc, "rating", json_integer((long long)(r * 10 + 0.5)));
    json_object_set_new(doc, "votes", json_integer(json_integer_value(votes)));
}

static void put_credits(json_t *doc, const json_t *credits)
{
    json_t *cast = json_array(), *crew = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(credits, "cast"), i, c)
    {
        char id[24];
        const char *name = str(c, "name");
        if (!name || strlen(name) > 200 || !id_of(c, "id", id) || json_array_size(cast) >= CAST_MAX)
            continue;
        json_t *p = json_pack("{s:s, s:s}", "name", name, "id", id);
        const char *role = str(c, "character");
        /* Aggregate credits (series) name the roles in a list. */
        if (!role) role = str(json_array_get(json_object_get(c, "roles"), 0), "character");
        if (role && strlen(role) <= 200) json_object_set_new(p, "role", json_string(role));
        put_str(p, "photo", image_path(c, "profile_path"));
        json_array_append_new(cast, p);
    }
    static const char *const JOBS[] = {"Director",
                                       "Screenplay",
                                       "Writer",
                                       "Novel",
                                       "Creator",
                                       "Producer",
                                       "Executive Producer",
                                       "Original Music Composer",
                                       "Director of Photography",
                                       "Editor",
                                       NULL};
    for (int j = 0; JOBS[j]; j++) json_array_foreach(json_object_get(credits, "crew"), i, c)
        {
            char id[24];
            const char *name = str(c, "name"), *job = str(c, "job");
            if (!job) job = str(json_array_get(json_object_get(c, "jobs"), 0), "job");
            if (!name || !job || strcmp(job, JOBS[j]) || strlen(name) > 200 ||
                !id_of(c, "id", id) || json_array_size(crew) >= CREW_MAX)
                continue;
            json_t *p = json_pack("{s:s, s:s, s:s}", "name", name, "id", id, "role", job);
            const char *dept = str(c, "department");
            if (dept && strlen(dept) <= 64) json_object_set_new(p, "department", json_string(dept));
            put_str(p, "photo", image_path(c, "profile_path"));
            json_array_append_new(crew, p);
        }
    json_object_set_new(doc, "cast", cast);
    json_object_set_new(doc, "crew", crew);
}

static bool region_ok(const char *r)
{
    return r && strlen(r) == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
}

/* Films: release_dates.results[].release_dates[].certification, the
 * theatrical one first; series: content_ratings.results[].rating. */
static void put_certifications(json_t *doc, const json_t *tmdb)
{
    json_t *out = json_object();
    size_t i, k;
    json_t *r, *d;
    json_array_foreach(json_object_get(json_object_get(tmdb, "release_dates"), "results"), i, r)
    {
        const char *region = str(r, "iso_3166_1");
        if (!region_ok(region)) continue;
        const char *best = NULL;
        json_array_foreach(json_object_get(r, "release_dates"), k, d)
        {
            const char *cert = str(d, "certification");
            if (!cert || strlen(cert) > 16) continue;
            if (!best || json_integer_value(json_object_get(d, "type")) == 3) best = cert;
        }
        if (best) json_object_set_new(out, region, json_string(best));
    }
    json_array_foreach(json_object_get(json_object_get(tmdb, "content_ratings"), "results"), i, r)
    {
        const char *region = str(r, "iso_3166_1"), *rating = str(r, "rating");
        if (region_ok(region) && rating && strlen(rating) <= 16)
            json_object_set_new(out, region, json_string(rating));
    }
    json_object_set_new(doc, "content_ratings", out);
}

static void put_external_ids(json_t *doc, const json_t *tmdb, const char *id)
{
    json_t *ids = json_pack("{s:s}", "tmdb", id);
    const json_t *ext = json_object_get(tmdb, "external_ids");
    const char *imdb = str(ext, "imdb_id");
    if (!imdb) imdb = str(tmdb, "imdb_id");
    if (imdb && strlen(imdb) <= 16 && !strncmp(imdb, "tt", 2)) put_str(ids, "imdb", imdb);
    char tvdb[24];
    if (id_of(ext, "tvdb_id", tvdb)) put_str(ids, "tvdb", tvdb);
    const char *wikidata = str(ext, "wikidata_id");
    if (wikidata && strlen(wikidata) <= 16 && wikidata[0] == 'Q')
        put_str(ids, "wikidata", wikidata);
    json_object_set_new(doc, "external_ids", ids);
}

/* Posters and backdrops are the response's own; a logo is the first
 * of images.logos (English or without text first, as TMDb orders them). */
static void put_images(json_t *doc, const json_t *tmdb)
{
    json_t *img = json_object();
    put_str(img, "poster", image_path(tmdb, "poster_path"));
    put_str(img, "backdrop", image_path(tmdb, "backdrop_path"));
    const json_t *logos = json_object_get(json_object_get(tmdb, "images"), "logos");
    size_t i;
    json_t *l;
    json_array_foreach(logos, i, l)
    {
        const char *p = image_path(l, "file_path");
        const char *lang = str(l, "iso_639_1");
        if (p && (!lang || !strcmp(lang, "en"))) {
            put_str(img, "logo", p);
            break;
        }
    }
    json_object_set_new(doc, "images", img);
}

/* "watch/providers": {"results": {"US": {"link", "flatrate": [...], ...}}} */
static void put_availability(json_t *doc, const json_t *tmdb, const char *only_region)
{
    static const char *const KINDS[] = {"flatrate", "free", "ads", "rent", "buy", NULL};
    json_t *out = json_array();
    const json_t *results = json_object_get(json_object_get(tmdb, "watch/providers"), "results");
    const char *region;
    json_t *r;
    json_object_foreach((json_t *)results, region, r)
    {
        if (!region_ok(region) || (only_region && strcmp(region, only_region))) continue;
        const char *link = str(r, "link");
        if (link && strncmp(link, "https://", 8)) link = NULL;
        for (int k = 0; KINDS[k]; k++) {
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(r, KINDS[k]), i, p)
            {
                const char *name = str(p, "provider_name");
                if (!name || strlen(name) > 100 || json_array_size(out) >= 200) continue;
                json_t *a = json_pack("{s:s, s:s, s:s}", "platform", name, "region", region, "kind",
                                      KINDS[k]);
                put_str(a, "url", link);
                json_array_append_new(out, a);
            }
        }
    }
    json_object_set_new(doc, "availability", out);
}

static void put_recommendations(json_t *doc, const json_t *tmdb, const char *kind)
{
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(json_object_get(tmdb, "recommendations"), "results"), i, r)
    {
        char id[24];
        const char *title = str(r, !strcmp(kind, "movie") ? "title" : "name");
        if (!id_of(r, "id", id) || !title || json_array_size(out) >= 20) continue;
        json_t *o = json_pack("{s:s, s:s}", "id", id, "title", title);
        int y = year_of(str(r, !strcmp(kind, "movie") ? "release_date" : "first_air_date"));
        if (y) json_object_set_new(o, "year", json_integer(y));
        json_array_append_new(out, o);
    }
    json_object_set_new(doc, "recommendations", out);
}

static json_t *common(const json_t *tmdb, const char *kind, const char *region, char id[24])
{
    if (!json_is_object(tmdb) || !id_of(tmdb, "id", id)) return NULL;
    bool movie = !strcmp(kind, "movie");
    const char *title = str(tmdb, movie ? "title" : "name");
    if (!title || strlen(title) > 500) return NULL;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "provider", "tmdb", "id", id, "kind", kind,
                            "title", title);
    const char *orig = str(tmdb, movie ? "original_title" : "original_name");
    if (orig && strlen(orig) <= 500) put_str(doc, "original_title", orig);
    put_str(doc, "overview", str(tmdb, "overview"));
    const char *tagline = str(tmdb, "tagline");
    if (tagline && strlen(tagline) <= 500) put_str(doc, "tagline", tagline);
    const char *date = str(tmdb, movie ? "release_date" : "first_air_date");
    put_date(doc, "release_date", date);
    if (year_of(date)) json_object_set_new(doc, "year", json_integer(year_of(date)));
    const char *status = str(tmdb, "status");
    if (status && strlen(status) <= 40) put_str(doc, "status", status);
    put_genres(doc, tmdb);
    put_rating(doc, tmdb);
    put_certifications(doc, tmdb);
    put_external_ids(doc, tmdb, id);
    put_images(doc, tmdb);
    put_availability(doc, tmdb, region);
    put_recommendations(doc, tmdb, kind);
    json_t *credits = json_object_get(tmdb, "aggregate_credits");
    put_credits(doc, credits ? credits : json_object_get(tmdb, "credits"));
    char link[96];
    snprintf(link, sizeof(link), "https://www.themoviedb.org/%s/%s", movie ? "movie" : "tv", id);
    put_str(doc, "link", link);
    return doc;
}

json_t *mq_tmdb_movie_doc(const json_t *tmdb, const char *region)
{
    char id[24];
    json_t *doc = common(tmdb, "movie", region, id);
    if (!doc) return NULL;
    put_int(doc, "runtime_min", json_object_get(tmdb, "runtime"), 1, 6000);
    const json_t *c = json_object_get(tmdb, "belongs_to_collection");
    char cid[24];
    const char *cname = str(c, "name");
    if (id_of(c, "id", cid) && cname && strlen(cname) <= 500) {
        json_t *coll = json_pack("{s:s, s:s}", "id", cid, "name", cname);
        put_str(coll, "poster", image_path(c, "poster_path"));
        put_str(coll, "backdrop", image_path(c, "backdrop_path"));
        json_object_set_new(doc, "collection", coll);
    }
    return doc;
}

json_t *mq_tmdb_series_doc(const json_t *tmdb, const char *region)
{
    char id[24];
    json_t *doc = common(tmdb, "series", region, id);
    if (!doc) return NULL;
    put_int(doc, "runtime_min", json_array_get(json_object_get(tmdb, "episode_run_time"), 0), 1,
            6000);
    json_t *seasons = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(tmdb, "seasons"), i, s)
    {
        const json_t *n = json_object_get(s, "season_number");
        if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > 3000 ||
            json_array_size(seasons) >= 200)
            continue;
        json_t *o = json_pack("{s:I}", "number", (json_int_t)json_integer_value(n));
        const char *name = str(s, "name");
        if (name && strlen(name) <= 200) put_str(o, "title", name);
        put_str(o, "overview", str(s, "overview"));
        put_date(o, "air_date", str(s, "air_date"));
        put_str(o, "poster", image_path(s, "poster_path"));
        put_int(o, "episodes", json_object_get(s, "episode_count"), 0, 100000);
        json_array_append_new(seasons, o);
    }
    json_object_set_new(doc, "seasons", seasons);
    const json_t *next = json_object_get(tmdb, "next_episode_to_air");
    if (json_is_object(next) && json_is_integer(json_object_get(next, "season_number")) &&
        json_is_integer(json_object_get(next, "episode_number"))) {
        json_t *o = json_object();
        put_int(o, "season", json_object_get(next, "season_number"), 0, 3000);
        put_int(o, "episode", json_object_get(next, "episode_number"), 0, 100000);
        put_date(o, "air_date", str(next, "air_date"));
        const char *name = str(next, "name");
        if (name && strlen(name) <= 500) put_str(o, "title", name);
        json_object_set_new(doc, "next_episode", o);
    }
    return doc;
}

json_t *mq_tmdb_season_doc(const json_t *tmdb)
{
    const json_t *n = json_object_get(tmdb, "season_number");
    if (!json_is_object(tmdb) || !json_is_integer(n) || json_integer_value(n) < 0 ||
        json_integer_value(n) > 3000)
        return NULL;
    json_t *doc = json_pack("{s:I}", "number", (json_int_t)json_integer_value(n));
    const char *name = str(tmdb, "name");
    if (name && strlen(name) <= 200) put_str(doc, "title", name);
    put_str(doc, "overview", str(tmdb, "overview"));
    put_date(doc, "air_date", str(tmdb, "air_date"));
    put_str(doc, "poster", image_path(tmdb, "poster_path"));
    json_t *eps = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(tmdb, "episodes"), i, e)
    {
        const json_t *en = json_object_get(e, "episode_number");
        if (!json_is_integer(en) || json_integer_value(en) < 0 || json_integer_value(en) > 100000 ||
            json_array_size(eps) >= 2000)
            continue;
        json_t *o = json_pack("{s:I}", "number", (json_int_t)json_integer_value(en));
        char id[24];
        if (id_of(e, "id", id)) put_str(o, "id", id);
        const char *title = str(e, "name");
        if (title && strlen(title) <= 500) put_str(o, "title", title);
        put_str(o, "overview", str(e, "overview"));
        put_date(o, "air_date", str(e, "air_date"));
        put_int(o, "runtime_min", json_object_get(e, "runtime"), 1, 6000);
        put_str(o, "still", image_path(e, "still_path"));
        put_rating(o, e);
        json_array_append_new(eps, o);
    }
    json_object_set_new(doc, "episodes", eps);
    return doc;
}

json_t *mq_tmdb_collection_doc(const json_t *tmdb)
{
    char id[24];
    const char *name = str(tmdb, "name");
    if (!json_is_object(tmdb) || !id_of(tmdb, "id", id) || !name || strlen(name) > 500) return NULL;
    json_t *doc = json_pack("{s:s, s:s}", "id", id, "name", name);
    put_str(doc, "overview", str(tmdb, "overview"));
    put_str(doc, "poster", image_path(tmdb, "poster_path"));
    put_str(doc, "backdrop", image_path(tmdb, "backdrop_path"));
    json_t *parts = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(tmdb, "parts"), i, p)
    {
        char pid[24];
        const char *title = str(p, "title");
        if (!id_of(p, "id", pid) || !title || strlen(title) > 500 || json_array_size(parts) >= 100)
            continue;
        json_t *o = json_pack("{s:s, s:s}", "id", pid, "title", title);
        const char *date = str(p, "release_date");
        put_date(o, "release_date", date);
        if (year_of(date)) json_object_set_new(o, "year", json_integer(year_of(date)));
        put_str(o, "overview", str(p, "overview"));
        put_str(o, "poster", image_path(p, "poster_path"));
        json_array_append_new(parts, o);
    }
    /* Release order; undated parts (announced) last, in TMDb's order. */
    size_t n = json_array_size(parts);
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0; b--) {
            const char *x =
                json_string_value(json_object_get(json_array_get(parts, b - 1), "release_date"));
            const char *y =
                json_string_value(json_object_get(json_array_get(parts, b), "release_date"));
            if (!y || (x && strcmp(x, y) <= 0)) break;
            json_t *tmp = json_incref(json_array_get(parts, b - 1));
            json_array_set(parts, b - 1, json_array_get(parts, b));
            json_array_set_new(parts, b, tmp);
        }
    json_object_set_new(doc, "parts", parts);
    return doc;
}

json_t *mq_tmdb_results(const json_t *tmdb, const char *kind, size_t max)
{
    json_t *out = json_array();
    bool movie = !strcmp(kind, "movie");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(tmdb, "results"), i, r)
    {
        char id[24];
        const char *title = str(r, movie ? "title" : "name");
        if (!id_of(r, "id", id) || !title || strlen(title) > 500 || json_array_size(out) >= max)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s}", "id", id, "kind", kind, "title", title);
        const char *orig = str(r, movie ? "original_title" : "original_name");
        if (orig && strlen(orig) <= 500) put_str(o, "original_title", orig);
        int y = year_of(str(r, movie ? "release_date" : "first_air_date"));
        if (y) json_object_set_new(o, "year", json_integer(y));
        const json_t *pop = json_object_get(r, "popularity");
        if (json_is_number(pop) && json_number_value(pop) >= 0)
            json_object_set_new(o, "popularity", json_real(json_number_value(pop)));
        put_str(o, "poster", image_path(r, "poster_path"));
        put_str(o, "overview", str(r, "overview"));
        json_array_append_new(out, o);
    }
    return out;
}

/* ---- asking TMDb ---------------------------------------------------------- */

static bool tmdb_handles(const char *kind)
{
    return kind && (!strcmp(kind, "movie") || !strcmp(kind, "series"));
}

static bool tmdb_ready(struct mq_ctx *ctx, char *why, size_t whylen)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    bool ok = (c->tmdb_api_key && *c->tmdb_api_key) || (c->tmdb_read_token && *c->tmdb_read_token);
    if (!ok) snprintf(why, whylen, "no TMDb key is set (tmdb_api_key or tmdb_read_token)");
    return ok;
}

/* GET base + path_query (which starts with '/' and may hold '?'); the key
 * is added to the URL only, never to the cache key. */
static mq_err get(struct mq_ctx *ctx, struct mq_arena *a, const char *path_query, int64_t ttl,
                  bool fresh, json_t **out, long *status, char *why, size_t whylen)
{
    const struct mq_metadata_conf *c = mq_metadata_conf(ctx->cfg);
    *out = NULL;
    if (!tmdb_ready(ctx, why, whylen)) return MQ_EUNAVAILABLE;
    bool bearer = c->tmdb_read_token && *c->tmdb_read_token;
    const char *sep = strchr(path_query, '?') ? "&" : "?";
    char *url = bearer ? mq_arena_printf(a, "%s%s", c->tmdb_base_url, path_query)
                       : mq_arena_printf(a, "%s%s%sapi_key=%s", c->tmdb_base_url, path_query, sep,
                                         mq_url_escape(a, c->tmdb_api_key));
    char *key = mq_arena_printf(a, "tmdb GET %s", path_query);
    if (!url || !key) return MQ_ENOMEM;
    struct mq_fetch f = {.provider = MQ_PROVIDER_TMDB,
                         .url = url,
                         .cache_key = key,
                         .ttl_ms = ttl,
                         .bearer = bearer ? c->tmdb_read_token : NULL,
                         .fresh = fresh};
    struct mq_fetched r;
    mq_err err = mq_fetch(ctx, a, &f, &r, why, whylen);
    if (err) return err;
    *status = r.status;
    if (r.status == 404) return MQ_ENOTFOUND;
    if (r.status == 401 || r.status == 403) {
        snprintf(why, whylen,
                 "TMDb refused the key (HTTP %ld): check tmdb_api_key or "
                 "tmdb_read_token",
                 r.status);
        return MQ_EPERM;
    }
    if (r.status != 200) {
        snprintf(why, whylen, "TMDb answered HTTP %ld", r.status);
        return MQ_EUNAVAILABLE;
    }
    json_error_t jerr;
    *out = json_loadb(r.body, r.len, 0, &jerr);
    if (!*out) {
        snprintf(why, whylen, "TMDb's answer is not JSON: %s", jerr.text);
        return MQ_EPARSE;
    }
    return MQ_OK;
}

static const char *lang(struct mq_ctx *ctx)
{
    return mq_metadata_conf(ctx->cfg)->metadata_language;
}

static mq_err tmdb_search(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_md_query *q,
                          bool fresh, struct mq_candidate **out, size_t *n, char *why,
                          size_t whylen)
{
    bool movie = !strcmp(q->kind, "movie");
    *out = NULL;
    *n = 0;
    const char *query = mq_url_escape(a, q->title);
    if (!query) return MQ_ENOMEM;
    json_t *body = NULL, *results = NULL;
    mq_err err = MQ_OK;
    /* With the year first; a festival year or an off-by-one name finds
     * nothing that way, so then without. */
    for (int pass = q->year ? 0 : 1; pass < 2; pass++) {
        char year[32] = "";
        if (!pass)
            snprintf(year, sizeof(year), "&%s=%d", movie ? "year" : "first_air_date_year", q->year);
        char *pq = mq_arena_printf(a, "/search/%s?query=%s%s&include_adult=false&language=%s",
                                   movie ? "movie" : "tv", query, year, lang(ctx));
        long status = 0;
        if (!pq) return MQ_ENOMEM;
        json_decref(body);
        err = get(ctx, a, pq, SEARCH_TTL_MS, fresh, &body, &status, why, whylen);
        if (err == MQ_ENOTFOUND) err = MQ_OK;
        if (err) break;
        json_decref(results);
        results = mq_tmdb_results(body, q->kind, MQ_CANDIDATES_MAX);
        if (json_array_size(results) || q->year_only) break;
    }
    size_t k = json_array_size(results);
    struct mq_candidate *c = k ? mq_arena_calloc(a, k, sizeof(*c)) : NULL;
    if (!err && k && !c) err = MQ_ENOMEM;
    for (size_t i = 0; !err && i < k; i++) {
        json_t *r = json_array_get(results, i);
#define DUP(key)                                                                                   \
    (json_string_value(json_object_get(r, key))                                                    \
         ? mq_arena_strdup(a, json_string_value(json_object_get(r, key)))                          \
         : NULL)
        c[i] = (struct mq_candidate){.provider = "tmdb",
                                     .id = DUP("id"),
                                     .kind = q->kind,
                                     .title = DUP("title"),
                                     .original_title = DUP("original_title"),
                                     .overview = DUP("overview"),
                                     .poster = DUP("poster"),
                                     .year = (int)json_integer_value(json_object_get(r, "year")),
                                     .popularity =
                                         json_number_value(json_object_get(r, "popularity"))};
#undef DUP
    }
    json_decref(body);
    json_decref(results);
    if (!err) *out = c, *n = k;
    return err;
}

#define APPEND_MOVIE "credits,images,release_dates,external_ids,watch/providers,recommendations"
#define APPEND_TV                                                                                  \
    "aggregate_credits,images,content_ratings,external_ids,watch/providers,recommendations"

static mq_err tmdb_details(struct mq_ctx *ctx, struct mq_arena *a, const char *kind, const char *id,
                           bool fresh, json_t **doc, char *why, size_t whylen)
{
    bool movie = !strcmp(kind, "movie");
    *doc = NULL;
    for (const char *p = id; *p; p++)
        if (*p < '0' || *p > '9') return MQ_ENOTFOUND;
    if (!*id || strlen(id) > 12) return MQ_ENOTFOUND;
    char *pq = mq_arena_printf(a,
                               "/%s/%s?append_to_response=%s&language=%s&"
                               "include_image_language=%.2s,null",
                               movie ? "movie" : "tv", id, movie ? APPEND_MOVIE : APPEND_TV,
                               lang(ctx), lang(ctx));
    if (!pq) return MQ_ENOMEM;
    json_t *body = NULL;
    long status = 0;
    int64_t ttl = mq_metadata_conf(ctx->cfg)->metadata_cache_ttl;
    mq_err err = get(ctx, a, pq, ttl, fresh, &body, &status, why, whylen);
    if (err) return err;
    const char *region = mq_metadata_conf(ctx->cfg)->metadata_region;
    *doc = movie ? mq_tmdb_movie_doc(body, region) : mq_tmdb_series_doc(body, region);
    json_decref(body);
    if (!*doc) {
        snprintf(why, whylen, "TMDb's answer for %s %s is not a %s", kind, id, kind);
        return MQ_EPARSE;
    }
    return MQ_OK;
}

static mq_err tmdb_find(struct mq_ctx *ctx, struct mq_arena *a, const char *kind, const char *key,
                        const char *value, const char **id, char *why, size_t whylen)
{
    const char *source = !strcmp(key, "imdb") ? "imdb_id" : !strcmp(key, "tvdb") ? "tvdb_id" : NULL;
    *id = NULL;
    if (!source) return MQ_ENOTFOUND;
    for (const char *p = value; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) return MQ_ENOTFOUND;
    char *pq = mq_arena_printf(a, "/find/%s?external_source=%s", value, source);
    json_t *body = NULL;
    long status = 0;
    if (!pq) return MQ_ENOMEM;
    mq_err err = get(ctx, a, pq, FIND_TTL_MS, false, &body, &status, why, whylen);
    if (err) return err;
    json_t *hits = json_object_get(body, !strcmp(kind, "movie") ? "movie_results" : "tv_results");
    char buf[24];
    if (id_of(json_array_get(hits, 0), "id", buf))
        *id = mq_arena_strdup(a, buf);
    else
        err = MQ_ENOTFOUND;
    json_decref(body);
    return err;
}

/* A details-like answer, mapped into its document. */
static mq_err get_doc(struct mq_ctx *ctx, struct mq_arena *a, const char *pq, bool fresh,
                      json_t *(*map)(const json_t *), json_t **doc, char *why, size_t whylen)
{
    json_t *body = NULL;
    long status = 0;
    *doc = NULL;
    if (!pq) return MQ_ENOMEM;
    mq_err err = get(ctx, a, pq, mq_metadata_conf(ctx->cfg)->metadata_cache_ttl, fresh, &body,
                     &status, why, whylen);
    if (err) return err;
    *doc = map(body);
    json_decref(body);
    return *doc ? MQ_OK : MQ_EPARSE;
}

static mq_err tmdb_season(struct mq_ctx *ctx, struct mq_arena *a, const char *series_id, int number,
                          bool fresh, json_t **doc, char *why, size_t whylen)
{
    return get_doc(ctx, a,
                   mq_arena_printf(a, "/tv/%s/season/%d?language=%s", series_id, number, lang(ctx)),
                   fresh, mq_tmdb_season_doc, doc, why, whylen);
}

static mq_err tmdb_collection(struct mq_ctx *ctx, struct mq_arena *a, const char *id, bool fresh,
                              json_t **doc, char *why, size_t whylen)
{
    return get_doc(ctx, a, mq_arena_printf(a, "/collection/%s?language=%s", id, lang(ctx)), fresh,
                   mq_tmdb_collection_doc, doc, why, whylen);
}

/* /movie/changes and /tv/changes, a page of 100 at a time; TMDb keeps 14
 * days of them, so a longer gap answers NULL (refresh everything due). */
static mq_err tmdb_changed(struct mq_ctx *ctx, struct mq_arena *a, const char *kind, int64_t since,
                           json_t **ids, char *why, size_t whylen)
{
    *ids = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (since <= 0 || now - since > 14LL * 86400000) return MQ_OK;
    time_t t = (time_t)(since / 1000);
    struct tm tm;
    char date[16];
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    json_t *out = json_array();
    mq_err err = MQ_OK;
    for (int page = 1; page <= 50 && !err; page++) {
        char *pq = mq_arena_printf(a, "/%s/changes?start_date=%s&page=%d",
                                   !strcmp(kind, "movie") ? "movie" : "tv", date, page);
        json_t *body = NULL;
        long status = 0;
        if (!pq) {
            err = MQ_ENOMEM;
            break;
        }
        err = get(ctx, a, pq, 0, true, &body, &status, why, whylen);
        if (err) break;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(body, "results"), i, r)
        {
            char id[24];
            if (id_of(r, "id", id)) json_array_append_new(out, json_string(id));
        }
        json_int_t pages = json_integer_value(json_object_get(body, "total_pages"));
        json_decref(body);
        if (page >= pages) break;
    }
    if (err) {
        json_decref(out);
        return err;
    }
    *ids = out;
    return MQ_OK;
}

static mq_err tmdb_upcoming(struct mq_ctx *ctx, struct mq_arena *a, json_t **out, char *why,
                            size_t whylen)
{
    const char *region = mq_metadata_conf(ctx->cfg)->metadata_region;
    static const char *const LISTS[][2] = {{"movie", "/movie/upcoming"},
                                           {"series", "/tv/on_the_air"}};
    *out = json_array();
    for (int l = 0; l < 2; l++)
        for (int page = 1; page <= 3; page++) {
            char *pq = mq_arena_printf(a, "%s?language=%s&region=%s&page=%d", LISTS[l][1],
                                       lang(ctx), region, page);
            json_t *body = NULL;
            long status = 0;
            if (!pq) return MQ_ENOMEM;
            mq_err err = get(ctx, a, pq, SEARCH_TTL_MS, false, &body, &status, why, whylen);
            if (err == MQ_ENOTFOUND) break;
            if (err) {
                json_decref(*out);
                *out = NULL;
                return err;
            }
            json_t *rs = mq_tmdb_results(body, LISTS[l][0], 100);
            json_array_extend(*out, rs);
            json_decref(rs);
            json_int_t pages = json_integer_value(json_object_get(body, "total_pages"));
            json_decref(body);
            if (page >= pages) break;
        }
    return MQ_OK;
}

static const char *tmdb_image_url(struct mq_ctx *ctx, struct mq_arena *a, const char *remote)
{
    return mq_arena_printf(a, "%s/original%s", mq_metadata_conf(ctx->cfg)->tmdb_image_base_url,
                           remote);
}

const struct mq_provider mq_provider_tmdb = {.name = "tmdb",
                                             .handles = tmdb_handles,
                                             .ready = tmdb_ready,
                                             .search = tmdb_search,
                                             .details = tmdb_details,
                                             .find = tmdb_find,
                                             .season = tmdb_season,
                                             .collection = tmdb_collection,
                                             .changed = tmdb_changed,
                                             .upcoming = tmdb_upcoming,
                                             .image_url = tmdb_image_url};
