/* search.c - /api/v1/search, its autocomplete and facets, a person's
 * page, and the index's administration (src/search/search.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "http/page.h"
#include "media/catalog.h"
#include "media/images.h"
#include "search/search.h"

#define SEARCH_PAGE_DEFAULT 20

static mq_err visible(struct mq_req *req, struct mq_visible *vis)
{
    return mq_libraries_visible(req->ctx, req->arena, req->principal, vis);
}

static mq_err choice_param(struct mq_req *req, const char *name, const char *const *choices,
                           const char *rule, const char **out)
{
    const char *v = NULL;
    mq_err err = mq_req_query(req, name, &v);
    if (err || !v) return err;
    for (int i = 0; choices[i]; i++)
        if (!strcmp(choices[i], v)) {
            *out = choices[i];
            return MQ_OK;
        }
    return mq_api_bad_filter(req, name, rule);
}

static const char *const KINDS[] = {"movie",     "series", "episode", "book",
                                    "audiobook", "person", NULL};
static const char *const RESOLUTIONS[] = {"4k", "1080p", "720p", "sd", NULL};
static const char *const SORTS[] = {"relevance", "popularity", "rating", "released",
                                    "added",     "title",      NULL};

/* The query, required: 400 query_empty when it is missing or blank. */
static mq_err query_text(struct mq_req *req, const char **q)
{
    return mq_req_query(req, "q", q);
}

/* Queries that cannot be run are the request's fault: 400, with the code
 * the parser gave (query_empty, query_too_long). */
static mq_err bad_query(struct mq_req *req, const struct mq_refusal *why)
{
    return mq_problem(req, 400, why->code, json_pack("{s:s}", "field", "q"), "%s", why->detail);
}

static const char *tier_name(int tier)
{
    static const char *const NAMES[] = {"other",  "other", "words", "phrase",
                                        "prefix", "exact", "exact"};
    return tier >= 0 && tier <= 6 ? NAMES[tier] : "other";
}

static json_t *person_json(struct mq_req *req, const struct mq_search_hit *h)
{
    char v[17];
    bool photo = !mq_images_person_version(req->ctx, req->arena, h->doc_id, v);
    return json_pack(
        "{s:s,s:s,s:s,s:I,s:o}", "id", h->doc_id, "type", "person", "name",
        h->person_name ? h->person_name : "", "credits", (json_int_t)h->popularity, "photo",
        photo ? json_sprintf("/api/v1/people/%s/photo?v=%s", h->doc_id, v) : json_null());
}

static json_t *hit_json(struct mq_req *req, const struct mq_search_hit *h)
{
    json_t *o = !strcmp(h->kind, "person") || !h->item.id ? person_json(req, h)
                                                          : mq_api_item_json(&h->item);
    json_object_set_new(o, "match", json_string(tier_name(h->tier)));
    return o;
}

static json_t *facets_json(const struct mq_facet_count *f, size_t n)
{
    static const char *const NAMES[] = {"type",     "genre",   "decade", "resolution",
                                        "has_file", "library", NULL};
    json_t *o = json_object();
    for (int k = 0; NAMES[k]; k++) json_object_set_new(o, NAMES[k], json_array());
    for (size_t i = 0; i < n; i++) {
        json_t *list = json_object_get(o, f[i].facet);
        if (!list || !f[i].value) continue;
        json_t *value = !strcmp(f[i].facet, "decade") ? json_integer(strtol(f[i].value, NULL, 10))
                        : !strcmp(f[i].facet, "has_file")
                            ? json_boolean(strtol(f[i].value, NULL, 10))
                            : json_string(f[i].value);
        json_array_append_new(
            list, json_pack("{s:o,s:I}", "value", value, "count", (json_int_t)f[i].count));
    }
    return o;
}

/* GET /api/v1/search */
mq_err mq_api_search(struct mq_req *req)
{
    struct mq_search_request r = {.filter = {.has_file = -1, .hdr = -1}};
    struct mq_page page;
    const char *q = NULL, *sort = NULL;
    int decade = 0;
    mq_err err = query_text(req, &q);
    if (!err) err = mq_page_parse(req, &page);
    if (!err)
        err = choice_param(req, "type", KINDS,
                           "is one of movie, series, episode, book, "
                           "audiobook, person",
                           &r.filter.kind);
    if (!err) err = mq_api_query_text(req, "genre", &r.filter.genre);
    if (!err) err = mq_api_query_text(req, "library", &r.filter.library_id);
    if (!err) err = mq_api_query_text(req, "content_rating", &r.filter.content_rating);
    if (!err) err = mq_api_query_text(req, "status", &r.filter.status);
    if (!err) err = mq_api_query_int(req, "year_from", 1800, 2200, &r.filter.year_from);
    if (!err) err = mq_api_query_int(req, "year_to", 1800, 2200, &r.filter.year_to);
    if (!err) err = mq_api_query_int(req, "decade", 1800, 2200, &decade);
    if (!err) err = mq_api_query_bool(req, "has_file", &r.filter.has_file);
    if (!err) err = mq_api_query_bool(req, "hdr", &r.filter.hdr);
    if (!err)
        err = choice_param(req, "resolution", RESOLUTIONS, "is one of 4k, 1080p, 720p, sd",
                           &r.filter.resolution);
    if (!err) err = mq_api_query_text(req, "audio", &r.filter.audio);
    if (!err)
        err = choice_param(req, "sort", SORTS,
                           "is one of relevance, popularity, rating, "
                           "released, added, title",
                           &sort);
    if (err) return err;
    if (decade) {
        if (decade % 10)
            return mq_api_bad_filter(req, "decade", "is a year ending in 0, such as 1990");
        r.filter.year_from = decade;
        r.filter.year_to = decade + 9;
    }
    if (r.filter.audio) {
        size_t len = strlen(r.filter.audio);
        bool ok = len == 2 || len == 3;
        for (size_t i = 0; ok && i < len; i++)
            ok = r.filter.audio[i] >= 'a' && r.filter.audio[i] <= 'z';
        if (!ok) return mq_api_bad_filter(req, "audio", "is a language code such as eng or fre");
    }
    for (int k = 0; sort && SORTS[k]; k++)
        if (!strcmp(SORTS[k], sort)) r.sort = (enum mq_search_sort)k;
    /* The cursor is where the next page starts. */
    if (page.after) {
        char *end;
        errno = 0;
        long off = strtol(page.after, &end, 10);
        if (errno || *end || off < 1 || off > MQ_SEARCH_OFFSET_MAX)
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
        r.offset = (int)off;
    }
    const char *given = NULL;
    err = mq_req_query(req, "limit", &given);
    if (err) return err;
    if (!given) page.limit = SEARCH_PAGE_DEFAULT;
    r.limit = page.limit;
    r.q = q ? q : "";
    r.qlen = strlen(r.q);

    struct mq_visible vis;
    struct mq_search_response res;
    struct mq_refusal why = {0};
    err = visible(req, &vis);
    if (!err) err = mq_search_run(req->ctx, req->arena, &vis, &r, &res, &why);
    if (err == MQ_EINVAL) return bad_query(req, &why);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < res.n; i++) json_array_append_new(items, hit_json(req, &res.hits[i]));
    const char *next = NULL;
    if (res.more) {
        const char *at = mq_arena_printf(req->arena, "%d", r.offset + r.limit);
        next = at ? mq_cursor_encode(req->arena, at) : NULL;
        if (!next) {
            json_decref(items);
            return MQ_ENOMEM;
        }
    }
    return mq_reply_json(
        req, 200,
        json_pack("{s:o,s:o,s:o,s:o,s:I}", "items", items, "next_cursor", mq_api_nullable(next),
                  "facets", facets_json(res.facets, res.nfacets), "suggestion",
                  mq_api_nullable(res.suggestion), "total_estimate", (json_int_t)res.total));
}

/* GET /api/v1/search/autocomplete */
mq_err mq_api_search_autocomplete(struct mq_req *req)
{
    const char *q = NULL;
    int limit = MQ_COMPLETE_MAX;
    mq_err err = query_text(req, &q);
    if (!err) err = mq_api_query_int(req, "limit", 1, MQ_COMPLETE_MAX, &limit);
    if (err) return err;
    struct mq_visible vis;
    struct mq_search_hit *hits = NULL;
    size_t n = 0;
    struct mq_refusal why = {0};
    err = visible(req, &vis);
    if (!err)
        err = mq_search_complete(req->ctx, req->arena, &vis, q ? q : "", q ? strlen(q) : 0, limit,
                                 &hits, &n, &why);
    if (err == MQ_EINVAL) return bad_query(req, &why);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct mq_search_hit *h = &hits[i];
        json_t *o;
        if (!h->item.id) {
            o = person_json(req, h);
        } else {
            o = json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", h->item.id, "type", h->item.kind, "title",
                          h->item.title, "year",
                          h->item.year ? json_integer(h->item.year) : json_null(), "poster",
                          json_sprintf("/api/v1/media/%s/images/poster?w=160", h->item.id));
        }
        json_object_set_new(o, "match", json_string(tier_name(h->tier)));
        json_array_append_new(items, o);
    }
    return mq_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/search/facets */
mq_err mq_api_search_facets(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_facet_count *f = NULL;
    size_t n = 0;
    mq_err err = visible(req, &vis);
    if (!err) err = mq_search_facets(req->ctx, req->arena, &vis, &f, &n);
    if (err) return err;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].facet, "type") && strcmp(f[i].value, "person") &&
            strcmp(f[i].value, "episode"))
            total += f[i].count;
    return mq_reply_json(
        req, 200, json_pack("{s:o,s:I}", "facets", facets_json(f, n), "total", (json_int_t)total));
}

/* GET /api/v1/people/{id}: a person and the works one may see them in. */
mq_err mq_api_people_get(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_person_row p;
    struct mq_person_credit *c = NULL;
    size_t n = 0;
    const char *id = mq_req_param(req, "id");
    mq_err err = visible(req, &vis);
    if (!err) err = mq_catalog_person(req->ctx, req->arena, &vis, id, 500, &p, &c, &n);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "person_not_found", NULL, "no person has that id");
    if (err) return err;
    json_t *credits = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:o,s:o}", "kind", c[i].kind, "role",
                              c[i].role && *c[i].role ? json_string(c[i].role) : json_null(),
                              "item", mq_api_item_json(&c[i].item));
        json_array_append_new(credits, o);
    }
    char v[17];
    bool photo = !mq_images_person_version(req->ctx, req->arena, p.id, v);
    json_t *ext = json_loads(p.external_ids ? p.external_ids : "{}", 0, NULL);
    return mq_reply_json(
        req, 200,
        json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", p.id, "name", p.name, "photo",
                  photo ? json_sprintf("/api/v1/people/%s/photo?v=%s", p.id, v) : json_null(),
                  "external_ids", ext ? ext : json_object(), "credits", credits));
}

static json_t *reindex_json(const struct mq_search_reindex_row *r)
{
    return json_pack("{s:s,s:o,s:s,s:I,s:I,s:o,s:o,s:o}", "id", r->id, "job_id",
                     mq_api_nullable(r->job_id), "state", r->state, "total", (json_int_t)r->total,
                     "done", (json_int_t)r->done, "error", mq_api_nullable(r->error), "started_at",
                     mq_api_time(r->started_at), "finished_at", mq_api_time(r->finished_at));
}

/* POST /api/v1/admin/search/reindex */
mq_err mq_api_admin_search_reindex(struct mq_req *req)
{
    struct mq_search_reindex_row r;
    mq_err err = mq_search_reindex(req->ctx, req->arena, &r);
    if (err) return err;
    mq_req_audit(req, "search.reindexed", req->actor_kind, "search", r.id, NULL);
    return mq_reply_json(req, 202, reindex_json(&r));
}

/* GET /api/v1/admin/search */
mq_err mq_api_admin_search(struct mq_req *req)
{
    struct mq_search_status st;
    mq_err err = mq_search_status(req->ctx, req->arena, &st);
    if (err) return err;
    return mq_reply_json(req, 200,
                         json_pack("{s:I,s:I,s:o}", "documents", (json_int_t)st.documents,
                                   "pending", (json_int_t)st.pending, "reindex",
                                   st.has_reindex ? reindex_json(&st.reindex) : json_null()));
}

static json_t *queries_json(const struct mq_search_query_row *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:o}", "query", r[i].query, "searches",
                                           (json_int_t)r[i].searches, "zero_results",
                                           (json_int_t)r[i].zero_results, "last_at",
                                           mq_api_time(r[i].last_at)));
    return a;
}

/* GET /api/v1/admin/search/stats */
mq_err mq_api_admin_search_stats(struct mq_req *req)
{
    struct mq_search_stats st;
    mq_err err = mq_search_stats(req->ctx, req->arena, &st);
    if (err) return err;
    return mq_reply_json(req, 200,
                         json_pack("{s:o,s:o,s:{s:I,s:f,s:f}}", "top_queries",
                                   queries_json(st.top, st.ntop), "zero_result_queries",
                                   queries_json(st.zero, st.nzero), "latency", "searches",
                                   (json_int_t)st.searches, "p50_ms", (double)st.p50_us / 1000.0,
                                   "p99_ms", (double)st.p99_us / 1000.0));
}
