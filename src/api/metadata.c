/* The metadata API: the unidentified queue, identify and refresh, the
 * picker's search, and the providers' state. Provider requests a person
 * waits for (search, test) run on ctx->net_pool, never on a connection
 * thread; identify and refresh are jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "auth/principal.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "api/render.h"
#include "http/page.h"
#include "http/problem.h"
#include "media/images.h"
#include "metadata/identify.h"
#include "metadata/score.h"

static json_t *match_json(const struct mq_match_row *m)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "item_id", m->item_id, "state", m->state, "type",
                          m->kind ? m->kind : "movie");
    json_object_set_new(o, "title", mq_api_nullable(m->title));
    json_object_set_new(o, "year", m->year ? json_integer(m->year) : json_null());
    json_object_set_new(o, "library_id", mq_api_nullable(m->library_id));
    json_object_set_new(o, "provider", mq_api_nullable(m->provider));
    json_object_set_new(o, "provider_id", mq_api_nullable(m->provider_id));
    json_object_set_new(o, "confidence", json_real((double)m->confidence / 1000));
    json_object_set_new(o, "method", mq_api_nullable(m->method));
    json_object_set_new(o, "reason", mq_api_nullable(m->reason));
    json_object_set_new(o, "matched_by", mq_api_nullable(m->matched_by));
    json_t *c = json_loads(m->candidates ? m->candidates : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(c, i, v)
    {
        /* Confidence as 0-1, like the match's. */
        json_int_t k = json_integer_value(json_object_get(v, "confidence"));
        json_object_set_new(v, "confidence", json_real((double)k / 1000));
    }
    json_object_set_new(o, "candidates", json_is_array(c) ? c : json_array());
    json_object_set_new(o, "attempts", json_integer(m->attempts));
    json_object_set_new(o, "next_refresh_at",
                        m->next_refresh_at ? mq_api_time(m->next_refresh_at) : json_null());
    json_object_set_new(o, "updated_at", mq_api_time(m->updated_at));
    return o;
}

static json_t *match_item(const void *row, void *arg)
{
    (void)arg;
    return match_json(row);
}

static const char *match_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_match_row *)row)->item_id;
}

/* GET /api/v1/admin/media/unidentified */
mq_err mq_api_admin_unidentified(struct mq_req *req)
{
    struct mq_page page;
    struct mq_match_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (err) return err;
    err = mq_metadata_unidentified(req->ctx, req->arena, page.after, page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {.rows = rows,
                             .n = n,
                             .size = sizeof(*rows),
                             .item = match_item,
                             .position = match_position};
    return mq_page_answer(req, &page, &r);
}

static mq_err item_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "item_not_found", NULL, "no such work");
}

/* GET /api/v1/media/{id}/identification */
mq_err mq_api_media_identification(struct mq_req *req)
{
    struct mq_match_row m;
    mq_err err = mq_metadata_match(req->ctx, req->arena, mq_req_param(req, "id"), &m);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "not_identified", NULL,
                          "the work has not been identified yet (or does not exist)");
    if (err) return err;
    return mq_reply_json(req, 200, match_json(&m));
}

static mq_err request(struct mq_req *req, const char *provider, const char *id, const char *action)
{
    struct mq_job job;
    struct mq_refusal why = {0};
    const char *by = req->principal ? req->principal->user_id : NULL;
    const char *item = mq_req_param(req, "id");
    mq_err err = mq_metadata_request(req->ctx, req->arena, item, provider, id, by, &job, &why);
    if (err == MQ_ENOTFOUND) return item_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *details = json_pack("{s:s}", "job_id", job.id);
    if (provider) json_object_set_new(details, "provider", json_string(provider));
    if (id) json_object_set_new(details, "provider_id", json_string(id));
    mq_req_audit(req, action, req->actor_kind, "media", item, details);
    return mq_reply_json(req, 202, json_pack("{s:s,s:s}", "job_id", job.id, "state", "queued"));
}

/* POST /api/v1/media/{id}/identify {"provider": "tmdb", "id": "603"} */
mq_err mq_api_media_identify(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *provider = NULL, *id = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "provider", true, &provider);
    if (!err) err = mq_api_string_field(req, doc, "id", true, &id);
    if (err) return err;
    return request(req, provider, id, "media.identified");
}

/* POST /api/v1/media/{id}/refresh */
mq_err mq_api_media_refresh(struct mq_req *req)
{
    return request(req, NULL, NULL, "media.refresh_requested");
}

/* ---- the picker's search ------------------------------------------------------ */

struct search_job {
    struct mq_md_query q;
};

static mq_err search_work(struct mq_req *req, void *arg)
{
    struct search_job *j = arg;
    struct mq_candidate *c = NULL;
    size_t n = 0;
    char why[512];
    mq_err err = mq_metadata_search(req->ctx, req->arena, &j->q, &c, &n, why, sizeof(why));
    if (err == MQ_EUNAVAILABLE || err == MQ_EPERM || err == MQ_EPARSE || err == MQ_ETIMEOUT)
        return mq_problem(req, 502, "provider_unavailable", NULL, "%s",
                          why[0] ? why : "the provider cannot be asked");
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:s,s:f}", "provider", c[i].provider, "id", c[i].id, "type",
                      c[i].kind, "title", c[i].title, "confidence", (double)c[i].score / 1000);
        json_object_set_new(o, "original_title", mq_api_nullable(c[i].original_title));
        json_object_set_new(o, "year", c[i].year ? json_integer(c[i].year) : json_null());
        json_object_set_new(o, "overview", mq_api_nullable(c[i].overview));
        json_object_set_new(o, "poster", mq_api_nullable(c[i].poster));
        json_array_append_new(items, o);
    }
    return mq_reply_json(req, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* GET /api/v1/metadata/search?type=movie|series|book&q=&year= */
mq_err mq_api_metadata_search(struct mq_req *req)
{
    struct search_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    const char *type = NULL, *q = NULL, *year = NULL;
    if (!j) return MQ_ENOMEM;
    mq_err err = mq_req_query(req, "type", &type);
    if (!err) err = mq_req_query(req, "q", &q);
    if (!err) err = mq_req_query(req, "year", &year);
    if (err) return err;
    if (!type || (strcmp(type, "movie") && strcmp(type, "series") && strcmp(type, "book") &&
                  strcmp(type, "audiobook")))
        return mq_problem(req, 400, "invalid_type", json_pack("{s:s}", "field", "type"),
                          "type is movie, series, book or audiobook");
    char key[MQ_TITLE_KEY_MAX];
    mq_title_key(q, key);
    if (!q || !key[0] || strlen(q) > 200)
        return mq_problem(req, 400, "invalid_query", json_pack("{s:s}", "field", "q"),
                          "q is a title of 1 to 200 bytes with a letter or digit in it");
    if (year) {
        char *end;
        long y = strtol(year, &end, 10);
        if (*end || y < 1870 || y > 2200)
            return mq_problem(req, 400, "invalid_year", json_pack("{s:s}", "field", "year"),
                              "year is a year between 1870 and 2200");
        j->q.year = (int)y;
    }
    j->q.kind = type;
    j->q.title = q;
    return mq_req_offload(req, req->ctx->net_pool, search_work, j);
}

/* ---- providers -------------------------------------------------------------------- */

/* GET /api/v1/admin/metadata */
mq_err mq_api_admin_metadata(struct mq_req *req)
{
    int64_t counts[5];
    struct mq_md_run_row *runs = NULL;
    size_t nr = 0;
    mq_err err = mq_metadata_counts(req->ctx, NULL, counts);
    if (!err) err = mq_metadata_runs(req->ctx, req->arena, 10, &runs, &nr);
    if (err) return err;
    json_t *c = json_object();
    for (int k = 0; k < 5; k++) json_object_set_new(c, mq_match_states[k], json_integer(counts[k]));
    json_t *rj = json_array();
    for (size_t i = 0; i < nr; i++) {
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "id", runs[i].id, "kind", runs[i].kind,
                      "state", runs[i].state, "total", (json_int_t)runs[i].total, "done",
                      (json_int_t)runs[i].done, "changed", (json_int_t)runs[i].changed, "unchanged",
                      (json_int_t)runs[i].unchanged, "failed", (json_int_t)runs[i].failed);
        json_t *d = json_loads(runs[i].details ? runs[i].details : "[]", 0, NULL);
        json_object_set_new(o, "details", json_is_array(d) ? d : json_array());
        json_object_set_new(o, "started_at", mq_api_time(runs[i].started_at));
        json_object_set_new(o, "finished_at",
                            runs[i].finished_at ? mq_api_time(runs[i].finished_at) : json_null());
        json_array_append_new(rj, o);
    }
    return mq_reply_json(req, 200,
                         json_pack("{s:o,s:o,s:o}", "providers",
                                   mq_metadata_providers_json(req->ctx), "identification", c,
                                   "runs", rj));
}

struct test_job {
    const char *provider;
};

static mq_err test_work(struct mq_req *req, void *arg)
{
    struct test_job *j = arg;
    char why[512];
    mq_err err = mq_metadata_test(req->ctx, req->arena, j->provider, why, sizeof(why));
    mq_req_audit(req, "metadata.provider_tested", req->actor_kind, "provider", j->provider,
                 json_pack("{s:b}", "ok", err == MQ_OK));
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "provider_not_found", NULL, "no provider %s", j->provider);
    if (err && err != MQ_ENOMEM)
        return mq_reply_json(req, 200,
                             json_pack("{s:s,s:b,s:s}", "provider", j->provider, "ok", 0, "error",
                                       why[0] ? why : mq_err_name(err)));
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:s,s:b}", "provider", j->provider, "ok", 1));
}

/* POST /api/v1/admin/metadata/test {"provider": "tmdb"} */
mq_err mq_api_admin_metadata_test(struct mq_req *req)
{
    json_t *doc = NULL;
    struct test_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    if (!j) return MQ_ENOMEM;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "provider", true, &j->provider);
    if (err) return err;
    if (!mq_provider_find(j->provider))
        return mq_problem(req, 404, "provider_not_found", NULL,
                          "providers are tmdb and openlibrary");
    return mq_req_offload(req, req->ctx->net_pool, test_work, j);
}

/* ---- a candidate's picture, for the picker ------------------------------------------ */

struct picture_job {
    const char *provider, *ref;
    int width;
};

static mq_err picture_work(struct mq_req *req, void *arg)
{
    struct picture_job *j = arg;
    struct mq_image img;
    char why[256];
    mq_err err = mq_metadata_picture(req->ctx, req->arena, j->provider, j->ref, j->width, &img, why,
                                     sizeof(why));
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "image_not_found", NULL, "no such picture at %s", j->provider);
    if (err == MQ_EUNAVAILABLE || err == MQ_EPERM)
        return mq_problem(req, 502, "provider_unavailable", NULL, "%s",
                          why[0] ? why : "the provider cannot be asked");
    if (err == MQ_EIO)
        return mq_problem(req, 422, "image_unreadable", NULL, "%s",
                          why[0] ? why : "the picture cannot be decoded");
    if (err) return err;
    return mq_api_reply_image(req, &img, img.version);
}

/* GET /api/v1/metadata/image?provider=tmdb&ref=/abc.jpg&w=160 */
mq_err mq_api_metadata_image(struct mq_req *req)
{
    struct picture_job *j = mq_arena_calloc(req->arena, 1, sizeof(*j));
    const char *w = NULL;
    if (!j) return MQ_ENOMEM;
    mq_err err = mq_req_query(req, "provider", &j->provider);
    if (!err) err = mq_req_query(req, "ref", &j->ref);
    if (!err) err = mq_req_query(req, "w", &w);
    if (err) return err;
    j->width = w ? (int)strtol(w, NULL, 10) : 160;
    if (!mq_image_width_valid(j->width) || j->width > 480)
        return mq_problem(req, 400, "invalid_width", json_pack("{s:s}", "field", "w"),
                          "w is one of 160, 320, 480");
    if (!j->provider || !j->ref)
        return mq_problem(req, 400, "invalid_picture", NULL, "provider and ref are needed");
    return mq_req_offload(req, req->ctx->net_pool, picture_work, j);
}
