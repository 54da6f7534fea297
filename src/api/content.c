/* content.c - catalogue administration (/api/v1/admin/catalog/content)
 * and the quality report (src/media/content.h). */
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "core/uuid.h"
#include "http/page.h"
#include "media/content.h"

static mq_err not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "media_not_found", NULL, "no media item has that id");
}

static json_t *content_json(struct mq_req *req, const struct mq_item_row *r, const char **genres,
                            size_t ng, const struct mq_availability_row *av, size_t na)
{
    json_t *o = mq_api_item_json(r);
    json_t *g = json_array();
    for (size_t i = 0; i < ng; i++) json_array_append_new(g, json_string(genres[i]));
    json_object_set_new(o, "genres", g);
    json_t *a = json_array();
    for (size_t i = 0; i < na; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", av[i].id,
                                           "platform", av[i].platform, "region", av[i].region,
                                           "kind", av[i].kind, "url", mq_api_nullable(av[i].url),
                                           "from", mq_api_time(av[i].available_from), "until",
                                           mq_api_time(av[i].available_until)));
    json_object_set_new(o, "availability", a);
    json_object_set_new(o, "deleted_at", mq_api_time(r->deleted_at));
    (void)req;
    return o;
}

static mq_err answer(struct mq_req *req, int status, const char *id)
{
    struct mq_item_row row;
    const char **genres = NULL;
    struct mq_availability_row *av = NULL;
    size_t ng = 0, na = 0;
    mq_err err = mq_content_get(req->ctx, req->arena, id, &row, &genres, &ng, &av, &na);
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    return mq_reply_json(req, status, content_json(req, &row, genres, ng, av, na));
}

/* POST /api/v1/admin/catalog/content */
mq_err mq_api_content_create(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_item_row row;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    err = mq_content_create(req->ctx, req->arena, doc, &row, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "content.created", req->actor_kind, "media", row.id,
                 json_pack("{s:s,s:s}", "type", row.kind, "title", row.title));
    return answer(req, 201, row.id);
}

/* GET /api/v1/admin/catalog/content/{id} */
mq_err mq_api_content_get(struct mq_req *req)
{
    return answer(req, 200, mq_req_param(req, "id"));
}

/* PATCH /api/v1/admin/catalog/content/{id} */
mq_err mq_api_content_update(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_item_row row;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    if (!mq_uuid_valid(id, strlen(id))) return not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    err = mq_content_update(req->ctx, req->arena, id, doc, &row, &why);
    if (err == MQ_ENOTFOUND && !why.code) return not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *fields = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) json_array_append_new(fields, json_string(key));
    mq_req_audit(req, "content.updated", req->actor_kind, "media", id,
                 json_pack("{s:o}", "fields", fields));
    return answer(req, 200, id);
}

/* DELETE /api/v1/admin/catalog/content/{id} */
mq_err mq_api_content_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id)) ? mq_content_delete(req->ctx, id) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return err;
    mq_req_audit(req, "content.deleted", req->actor_kind, "media", id, NULL);
    return mq_reply_empty(req, 204);
}

/* POST /api/v1/admin/catalog/content/{id}/restore */
mq_err mq_api_content_restore(struct mq_req *req)
{
    struct mq_item_row row;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id))
                     ? mq_content_restore(req->ctx, req->arena, id, &row, &why)
                     : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "content.restored", req->actor_kind, "media", id, NULL);
    return answer(req, 200, id);
}

/* POST /api/v1/admin/catalog/content/{id}/availability */
mq_err mq_api_content_availability(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_availability_row row;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    if (!mq_uuid_valid(id, strlen(id))) return not_found(req);
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    err = mq_content_add_availability(req->ctx, req->arena, id, doc, &row, &why);
    if (err == MQ_ENOTFOUND && !why.code) return not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "content.availability_added", req->actor_kind, "media", id,
                 json_pack("{s:s,s:s,s:s}", "platform", row.platform, "region", row.region, "kind",
                           row.kind));
    return answer(req, 201, id);
}

static json_t *quality_item(const void *row, void *arg)
{
    const struct mq_quality_row *r = row;
    int64_t now = *(const int64_t *)arg;
    return json_pack("{s:s,s:s,s:s,s:f,s:o}", "id", r->id, "title", r->title, "type", r->kind,
                     "quality", (double)r->quality / 1000, "lacks", mq_quality_lacks(r, now));
}

static const char *quality_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)arg;
    const struct mq_quality_row *r = row;
    return mq_arena_printf(a, "%lld\x1f%s", (long long)r->quality, r->id);
}

/* GET /api/v1/admin/content/quality-report */
mq_err mq_api_content_quality_report(struct mq_req *req)
{
    struct mq_page page;
    struct mq_quality_row *rows = NULL;
    size_t n = 0;
    int64_t after_q = -1;
    const char *after_id = NULL;
    mq_err err = mq_page_parse(req, &page);
    if (err) return err;
    if (page.after) {
        const char *sep = strchr(page.after, '\x1f');
        char *end;
        after_q = strtoll(page.after, &end, 10);
        if (!sep || end != sep || !mq_uuid_valid(sep + 1, strlen(sep + 1)))
            return mq_problem(req, 400, "invalid_cursor", NULL,
                              "cursor is not one this server handed out");
        after_id = sep + 1;
    }
    err = mq_quality_report(req->ctx, req->arena, after_q, after_id, page.fetch, &rows, &n);
    if (err) return err;
    int64_t now = mq_clock_now_ms(req->ctx->clock);
    struct mq_page_rows r = {rows, n, sizeof(*rows), quality_item, quality_position, &now};
    return mq_page_answer(req, &page, &r);
}
