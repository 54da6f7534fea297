/* roles.c - roles and permissions: what exists, who holds which, and the
 * admin routes that change them. */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "auth/rbac.h"
#include "auth/roles.h"
#include "core/uuid.h"
#include "http/page.h"

static json_t *strings(const char *const *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_string(list[i]));
    return a;
}

static json_t *role_json(const struct mq_role_info *r)
{
    return json_pack("{s:s,s:s,s:o,s:b,s:I,s:o,s:o}", "name", r->name, "description",
                     r->description, "permissions", strings(r->perms, r->nperms), "builtin",
                     r->builtin, "members", (json_int_t)r->members, "created_at",
                     mq_api_time(r->created_at), "updated_at", mq_api_time(r->updated_at));
}

/* GET /api/v1/users/me/roles */
mq_err mq_api_users_me_roles(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    json_t *items = json_array();
    for (size_t i = 0; items && i < who->authz.nroles; i++) {
        struct mq_role_info r;
        mq_err err = mq_roles_get(req->ctx, req->arena, who->authz.roles[i], &r);
        if (err == MQ_ENOTFOUND) continue;
        if (err) {
            json_decref(items);
            return err;
        }
        json_array_append_new(items, json_pack("{s:s,s:o,s:b}", "name", r.name, "permissions",
                                               strings(r.perms, r.nperms), "builtin", r.builtin));
    }
    return mq_reply_json(req, 200,
                         json_pack("{s:o,s:o}", "items", items, "permissions",
                                   strings(who->authz.perms, who->authz.nperms)));
}

/* GET /api/v1/admin/permissions */
mq_err mq_api_admin_permissions(struct mq_req *req)
{
    size_t n = 0;
    const struct mq_permission *all = mq_rbac_permissions(&n);
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s}", "name", all[i].name, "description", all[i].description));
    return mq_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/admin/roles */
mq_err mq_api_admin_roles_list(struct mq_req *req)
{
    struct mq_role_info *roles = NULL;
    size_t n = 0;
    mq_err err = mq_roles_list(req->ctx, req->arena, &roles, &n);
    if (err) return err;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) json_array_append_new(items, role_json(&roles[i]));
    return mq_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static mq_err role_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "role_not_found", NULL, "no role has that name");
}

/* POST /api/v1/admin/roles {"name", "permissions", "description"?} */
mq_err mq_api_admin_roles_create(struct mq_req *req)
{
    struct mq_role_info r;
    const char *name = NULL, *description = NULL;
    struct mq_refusal why = {0};
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", true, &name);
    if (!err) err = mq_api_string_field(req, doc, "description", false, &description);
    if (err) return err;
    err = mq_roles_create(req->ctx, req->arena, &req->principal->authz, name, description,
                          json_object_get(doc, "permissions"), &r, &why);
    if (err) return mq_api_refused(req, err, &why);
    json_t *after = role_json(&r);
    mq_req_audit(req, "role.create", req->actor_kind, "role", r.name,
                 json_pack("{s:O}", "after", after));
    (void)mq_reply_header(req, "Location",
                          mq_arena_printf(req->arena, "/api/v1/admin/roles/%s", r.name));
    return mq_reply_json(req, 201, after);
}

/* PATCH /api/v1/admin/roles/{name} {"permissions"?, "description"?} */
mq_err mq_api_admin_roles_update(struct mq_req *req)
{
    struct mq_role_info before, after;
    const char *description = NULL;
    struct mq_refusal why = {0};
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "description", false, &description);
    if (err) return err;
    if (json_object_get(doc, "name"))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "name"),
                          "a role keeps its name: make a new one and move its members");
    err = mq_roles_update(req->ctx, req->arena, &req->principal->authz, mq_req_param(req, "name"),
                          description, json_object_get(doc, "permissions"), &before, &after, &why);
    if (err == MQ_ENOTFOUND) return role_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    json_t *doc_after = role_json(&after);
    mq_req_audit(req, "role.update", req->actor_kind, "role", after.name,
                 json_pack("{s:o,s:O}", "before", role_json(&before), "after", doc_after));
    return mq_reply_json(req, 200, doc_after);
}

/* DELETE /api/v1/admin/roles/{name} */
mq_err mq_api_admin_roles_delete(struct mq_req *req)
{
    struct mq_role_info before;
    struct mq_refusal why = {0};
    mq_err err = mq_roles_delete(req->ctx, req->arena, &req->principal->authz,
                                 mq_req_param(req, "name"), &before, &why);
    if (err == MQ_ENOTFOUND) return role_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "role.delete", req->actor_kind, "role", before.name,
                 json_pack("{s:o}", "before", role_json(&before)));
    return mq_reply_empty(req, 204);
}

static json_t *member_item(const void *row, void *arg)
{
    const struct mq_role_member *m = row;
    (void)arg;
    return json_pack("{s:s,s:s,s:s}", "id", m->id, "email", m->email, "display_name",
                     m->display_name);
}

static const char *member_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_role_member *)row)->id;
}

/* GET /api/v1/admin/roles/{name}/users */
mq_err mq_api_admin_roles_users(struct mq_req *req)
{
    struct mq_page page;
    struct mq_role_member *rows;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (err) return err;
    rows = mq_page_alloc(req, &page, sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    err = mq_roles_members(req->ctx, req->arena, mq_req_param(req, "name"),
                           page.after ? page.after : "", page.fetch, rows, &n);
    if (err == MQ_ENOTFOUND) return role_not_found(req);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), member_item, member_position, NULL};
    return mq_page_answer(req, &page, &r);
}

static mq_err user_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "user_not_found", NULL, "no account has that id");
}

/* POST /api/v1/admin/users/{id}/roles {"role"} */
mq_err mq_api_admin_user_role_add(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    const char *role = NULL, *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    json_t *doc = NULL;
    bool changed = false;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "role", true, &role);
    if (err) return err;
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    err = mq_roles_grant(req->ctx, req->arena, &who->authz, who->user_id, id, role, &changed, &why);
    if (err == MQ_ENOTFOUND) return user_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    if (changed)
        mq_req_audit(req, "user.role_grant", req->actor_kind, "user", id,
                     json_pack("{s:s}", "role", role));
    return mq_reply_json(
        req, changed ? 201 : 200,
        json_pack("{s:s,s:s,s:b}", "user_id", id, "role", role, "granted", changed));
}

/* DELETE /api/v1/admin/users/{id}/roles/{role} */
mq_err mq_api_admin_user_role_remove(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    const char *role = mq_req_param(req, "role");
    bool changed = false;
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    mq_err err =
        mq_roles_revoke(req->ctx, req->arena, &req->principal->authz, id, role, &changed, &why);
    if (err == MQ_ENOTFOUND) return user_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    if (!changed)
        return mq_problem(req, 404, "role_not_held", NULL, "the account does not hold that role");
    mq_req_audit(req, "user.role_revoke", req->actor_kind, "user", id,
                 json_pack("{s:s}", "role", role));
    return mq_reply_empty(req, 204);
}
