/* monitor.c - relations between works (/api/v1/media/{id}/relations and
 * /api/v1/admin/relations), what members follow
 * (/api/v1/users/me/follows) and the monitor's runs
 * (/api/v1/admin/monitor/) (src/track/relations.h, monitor.h). */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "http/page.h"
#include "media/libraries.h"
#include "track/monitor.h"
#include "track/relations.h"

/* A relation from the asking work's side: `follows` says the other work
 * comes after it. In the admin list, from_id is the earlier work. */
static json_t *relation_item(const void *row, void *arg)
{
    const struct mq_relation_row *r = row;
    bool admin_list = arg != NULL;
    json_t *o = json_pack("{s:s,s:s,s:f}", "kind", r->kind, "source", r->source, "confidence",
                          (double)r->confidence / 1000);
    json_object_set_new(o, "created_at", mq_api_time(r->created_at));
    json_object_set_new(o, "from_id", json_string(r->to_id));
    json_object_set_new(o, "to_id", json_string(r->from_id));
    if (admin_list) {
        json_object_set_new(o, "from_title", json_string(r->other_title));
        json_object_set_new(o, "to_title", mq_api_nullable(r->from_title));
    } else {
        json_object_set_new(o, "follows", json_boolean(r->other_follows));
        json_object_set_new(o, "item",
                            json_pack("{s:s,s:s,s:s}", "id", r->other_id, "title", r->other_title,
                                      "type", r->other_kind));
        json_object_set_new(json_object_get(o, "item"), "year",
                            r->other_year ? json_integer(r->other_year) : json_null());
    }
    return o;
}

static const char *relation_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_relation_row *r = row;
    (void)arg;
    return mq_arena_printf(a, "%s|%s|%s", r->from_id, r->to_id, r->kind);
}

/* GET /api/v1/media/{id}/relations */
mq_err mq_api_media_relations(struct mq_req *req)
{
    struct mq_visible vis;
    struct mq_relation_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err) err = mq_relations_of(req->ctx, req->arena, &vis, mq_req_param(req, "id"), &rows, &n);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "item_not_found", NULL, "there is no work with that id");
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), relation_item, NULL, NULL};
    return mq_page_answer_all(req, &r);
}

/* GET /api/v1/admin/relations?item=&source= */
mq_err mq_api_admin_relations(struct mq_req *req)
{
    struct mq_page page;
    struct mq_relation_row *rows = NULL;
    const char *item = NULL, *source = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_api_query_text(req, "item", &item);
    if (!err) err = mq_api_query_text(req, "source", &source);
    if (err) return err;
    if (source && strcmp(source, "provider") && strcmp(source, "derived") &&
        strcmp(source, "admin"))
        return mq_api_bad_filter(req, "source", "is provider, derived or admin");
    err = mq_relations_list(req->ctx, req->arena, item, source, page.after, page.fetch, &rows, &n);
    if (err == MQ_EINVAL)
        return mq_problem(req, 400, "invalid_cursor", NULL, "the cursor is not one of this list's");
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), relation_item, relation_position, req};
    return mq_page_answer(req, &page, &r);
}

static mq_err relation_body(struct mq_req *req, const char **from, const char **to,
                            const char **kind)
{
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "from_id", true, from);
    if (!err) err = mq_api_string_field(req, doc, "to_id", true, to);
    if (!err) err = mq_api_string_field(req, doc, "kind", true, kind);
    return err;
}

/* POST /api/v1/admin/relations {"from_id", "to_id", "kind"}: to follows from. */
mq_err mq_api_admin_relation_put(struct mq_req *req)
{
    const char *from = NULL, *to = NULL, *kind = NULL;
    struct mq_refusal why = {0};
    mq_err err = relation_body(req, &from, &to, &kind);
    if (err) return err;
    err = mq_relation_put(req->ctx, req->arena, from, to, kind, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "relation.set", req->actor_kind, "media", to,
                 json_pack("{s:s,s:s}", "from_id", from, "kind", kind));
    return mq_reply_json(req, 201,
                         json_pack("{s:s,s:s,s:s,s:s}", "from_id", from, "to_id", to, "kind", kind,
                                   "source", "admin"));
}

/* DELETE /api/v1/admin/relations {"from_id", "to_id", "kind"}: stays deleted. */
mq_err mq_api_admin_relation_delete(struct mq_req *req)
{
    const char *from = NULL, *to = NULL, *kind = NULL;
    mq_err err = relation_body(req, &from, &to, &kind);
    if (err) return err;
    err = mq_relation_delete(req->ctx, from, to, kind);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "relation_not_found", NULL, "there is no such relation");
    if (err) return err;
    mq_req_audit(req, "relation.deleted", req->actor_kind, "media", to,
                 json_pack("{s:s,s:s}", "from_id", from, "kind", kind));
    return mq_reply_empty(req, 204);
}

/* ---- follows -------------------------------------------------------------- */

static json_t *follow_item(const void *row, void *arg)
{
    const struct mq_follow_row *f = row;
    (void)arg;
    json_t *o = json_pack("{s:s,s:s}", "kind", f->kind, "id", f->target_id);
    json_object_set_new(o, "name", mq_api_nullable(f->name));
    json_object_set_new(o, "created_at", mq_api_time(f->created_at));
    return o;
}

/* GET /api/v1/users/me/follows */
mq_err mq_api_follows(struct mq_req *req)
{
    struct mq_follow_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_follows(req->ctx, req->arena, req->principal->user_id, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), follow_item, NULL, NULL};
    return mq_page_answer_all(req, &r);
}

static mq_err follow_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "follow_target_not_found", NULL,
                      "kind is series, collection, person or book_series, and id one of those");
}

/* PUT /api/v1/users/me/follows/{kind}/{id} */
mq_err mq_api_follow_put(struct mq_req *req)
{
    mq_err err = mq_follow(req->ctx, req->principal->user_id, mq_req_param(req, "kind"),
                           mq_req_param(req, "id"));
    if (err == MQ_ENOTFOUND) return follow_not_found(req);
    return err ? err : mq_reply_empty(req, 204);
}

/* DELETE /api/v1/users/me/follows/{kind}/{id} */
mq_err mq_api_follow_delete(struct mq_req *req)
{
    mq_err err = mq_unfollow(req->ctx, req->principal->user_id, mq_req_param(req, "kind"),
                             mq_req_param(req, "id"));
    if (err == MQ_ENOTFOUND) return follow_not_found(req);
    return err ? err : mq_reply_empty(req, 204);
}

/* ---- the monitor ------------------------------------------------------------ */

/* POST /api/v1/admin/monitor/run */
mq_err mq_api_admin_monitor_run(struct mq_req *req)
{
    char job[37];
    mq_err err = mq_monitor_run_now(req->ctx, job);
    if (err == MQ_ECONFLICT)
        return mq_problem(req, 409, "monitor_running", NULL,
                          "the monitor is already waiting to run or running");
    if (err) return err;
    mq_req_audit(req, "monitor.run", req->actor_kind, "job", job, NULL);
    return mq_reply_json(req, 202, json_pack("{s:s}", "job_id", job));
}

static json_t *run_item(const void *row, void *arg)
{
    const struct mq_monitor_run_row *r = row;
    (void)arg;
    json_t *o =
        json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "id", r->id, "state", r->state, "members",
                  (json_int_t)r->members, "found", (json_int_t)r->candidates, "notified",
                  (json_int_t)r->notified, "relations_derived", (json_int_t)r->relations_derived);
    json_object_set_new(o, "job_id", mq_api_nullable(r->job_id));
    json_object_set_new(o, "error", mq_api_nullable(r->error));
    json_object_set_new(o, "started_at", mq_api_time(r->started_at));
    json_object_set_new(o, "finished_at", mq_api_time(r->finished_at));
    json_object_set_new(o, "duration_ms",
                        r->finished_at ? json_integer(r->finished_at - r->started_at)
                                       : json_null());
    return o;
}

static const char *run_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_monitor_run_row *)row)->id;
}

/* GET /api/v1/admin/monitor/runs */
mq_err mq_api_admin_monitor_runs(struct mq_req *req)
{
    struct mq_page page;
    struct mq_monitor_run_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (!err) err = mq_monitor_runs(req->ctx, req->arena, page.after, page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), run_item, run_position, NULL};
    return mq_page_answer(req, &page, &r);
}
