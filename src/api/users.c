/* users.c - the admin routes over accounts: list, read, change, suspend,
 * erase, impersonate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/tokens.h"
#include "api/refusal.h"
#include "audit/audit.h"
#include "auth/mfa.h"
#include "auth/principal.h"
#include "auth/sessions.h"
#include "core/uuid.h"
#include "http/page.h"
#include "users/admin.h"

#define RECENT_ACTIVITY 20

static const char *status_of(const struct mq_user *u, int64_t now)
{
    if (u->deleted_at) return "deleted";
    if (u->suspended_at) return "disabled";
    if (u->locked_until > now) return "locked";
    return "active";
}

static json_t *roles_json(const struct mq_authz *z)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < z->nroles; i++) json_array_append_new(a, json_string(z->roles[i]));
    return a;
}

static json_t *user_json(const struct mq_admin_user *u, int64_t now)
{
    const struct mq_user *r = &u->user;
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:b,s:o,s:o,s:o,s:o}", "id", r->id, "email", r->email,
                     "display_name", r->display_name, "roles", roles_json(&u->authz), "status",
                     status_of(r, now), "email_verified", r->email_verified_at != 0, "created_at",
                     mq_api_time(r->created_at), "updated_at", mq_api_time(r->updated_at),
                     "last_login_at", mq_api_time(r->last_login_at), "disabled_at",
                     mq_api_time(r->suspended_at));
}

/* What the audit log keeps of an account: no name or address, which an
 * erasure must be able to remove, and the log's hash chain cannot. */
static json_t *user_audit(const struct mq_admin_user *u, int64_t now)
{
    return json_pack("{s:o,s:s,s:b}", "roles", roles_json(&u->authz), "status",
                     status_of(&u->user, now), "email_verified", u->user.email_verified_at != 0);
}

static mq_err user_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "user_not_found", NULL, "no account has that id");
}

static mq_err refusal(struct mq_req *req, mq_err err, const struct mq_refusal *why)
{
    if (err == MQ_ENOTFOUND) return user_not_found(req);
    return mq_api_refused(req, err, why);
}

static struct mq_admin_actor actor_of(const struct mq_principal *who)
{
    return (struct mq_admin_actor){&who->authz, who->user_id};
}

/* ?sort=created|-created|last_login|-last_login|name|-name (default -created). */
static mq_err read_sort(struct mq_req *req, struct mq_user_filter *f)
{
    static const struct {
        const char *name;
        enum mq_user_sort sort;
    } sorts[] = {
        {"created", MQ_SORT_CREATED}, {"last_login", MQ_SORT_LAST_LOGIN}, {"name", MQ_SORT_NAME}};
    const char *s = NULL;
    mq_err err = mq_req_query(req, "sort", &s);
    if (err) return err;
    f->sort = MQ_SORT_CREATED;
    f->descending = true;
    if (!s) return MQ_OK;
    f->descending = s[0] == '-';
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
        if (!strcmp(s + f->descending, sorts[i].name)) {
            f->sort = sorts[i].sort;
            return MQ_OK;
        }
    return mq_problem(req, 400, "invalid_filter", json_pack("{s:s}", "field", "sort"),
                      "sort is created, last_login or name, with - before it for descending");
}

static mq_err read_status(struct mq_req *req, struct mq_user_filter *f)
{
    static const char *const names[] = {"any", "active", "disabled", "deleted", "locked"};
    const char *s = NULL;
    mq_err err = mq_req_query(req, "status", &s);
    if (err || !s) return err;
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) {
            f->status = (enum mq_user_status)i;
            return MQ_OK;
        }
    return mq_problem(req, 400, "invalid_filter", json_pack("{s:s}", "field", "status"),
                      "status is active, disabled, deleted or locked");
}

/* q as a LIKE pattern: lower-cased ASCII, with %, _ and \ escaped. */
static const char *like_pattern(struct mq_arena *a, const char *q)
{
    char *out = mq_arena_alloc(a, 2 * strlen(q) + 3), *o = out;
    if (!out) return NULL;
    *o++ = '%';
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\') *o++ = '\\';
        *o++ = (*q >= 'A' && *q <= 'Z') ? (char)(*q + 32) : *q;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* A cursor is "sortkey|id"; the id (a UUID) never holds '|'. */
static bool read_cursor(struct mq_arena *a, const char *pos, struct mq_user_filter *f)
{
    const char *bar = strrchr(pos, '|');
    if (!bar || !mq_uuid_valid(bar + 1, strlen(bar + 1))) return false;
    f->after_id = bar + 1;
    f->after_text = mq_arena_printf(a, "%.*s", (int)(bar - pos), pos);
    char *end = NULL;
    f->after_int = strtoll(pos, &end, 10);
    return f->after_text && (f->sort == MQ_SORT_NAME || end == bar);
}

static json_t *user_item(const void *row, void *filter)
{
    return user_json(row, ((const struct mq_user_filter *)filter)->now);
}

/* "sortkey|id", as read_cursor reads it. */
static const char *user_position(struct mq_arena *a, const void *row, void *filter)
{
    const struct mq_user *last = &((const struct mq_admin_user *)row)->user;
    const struct mq_user_filter *f = filter;
    if (f->sort == MQ_SORT_NAME) return mq_arena_printf(a, "%s|%s", last->display_name, last->id);
    return mq_arena_printf(
        a, "%lld|%s",
        (long long)(f->sort == MQ_SORT_CREATED ? last->created_at : last->last_login_at), last->id);
}

/* GET /api/v1/admin/users */
mq_err mq_api_admin_users_list(struct mq_req *req)
{
    struct mq_page page;
    struct mq_user_filter f = {.now = mq_clock_now_ms(req->ctx->clock)};
    const char *q = NULL;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = read_sort(req, &f);
    if (!err) err = read_status(req, &f);
    if (!err) err = mq_api_query_text(req, "role", &f.role);
    if (!err) err = mq_api_query_text(req, "q", &q);
    if (!err) err = mq_api_query_time(req, "created_from", &f.created_from);
    if (!err) err = mq_api_query_time(req, "created_to", &f.created_to);
    if (err) return err;
    if (page.after && !read_cursor(req->arena, page.after, &f))
        return mq_problem(req, 400, "invalid_cursor", NULL,
                          "cursor is not one this server handed out");
    if (q && !(f.q = like_pattern(req->arena, q))) return MQ_ENOMEM;
    f.limit = page.fetch;
    struct mq_admin_user *rows = mq_page_alloc(req, &page, sizeof(*rows));
    size_t n = 0;
    if (!rows) return MQ_ENOMEM;
    err = mq_admin_users_list(req->ctx, req->arena, &f, rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), user_item, user_position, &f};
    return mq_page_answer(req, &page, &r);
}

static json_t *sessions_json(struct mq_req *req, const char *user_id)
{
    struct mq_session *rows = NULL;
    size_t n = 0;
    json_t *a = json_array();
    if (mq_sessions_list(req->ctx, req->arena, user_id, NULL, 50, &rows, &n)) return a;
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", rows[i].id,
                                           "device_name", mq_api_nullable(rows[i].device_name),
                                           "ip", mq_api_nullable(rows[i].ip), "user_agent",
                                           mq_api_nullable(rows[i].user_agent), "created_at",
                                           mq_api_time(rows[i].created_at), "last_seen_at",
                                           mq_api_time(rows[i].last_seen_at), "impersonated_by",
                                           mq_api_nullable(rows[i].actor_id)));
    return a;
}

static json_t *activity_json(struct mq_req *req, const char *user_id)
{
    struct mq_audit_entry rows[RECENT_ACTIVITY];
    struct mq_audit_filter f = {.subject_id = user_id, .limit = RECENT_ACTIVITY};
    size_t n = 0;
    json_t *a = json_array();
    if (mq_audit_list(req->ctx, req->arena, &f, rows, &n)) return a;
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:o,s:s,s:o,s:o}", "action", rows[i].action, "at",
                         mq_api_time(rows[i].at), "actor_kind", rows[i].actor_kind, "actor_id",
                         mq_api_nullable(rows[i].actor_id), "ip", mq_api_nullable(rows[i].ip)));
    return a;
}

/* GET /api/v1/admin/users/{id} */
mq_err mq_api_admin_users_get(struct mq_req *req)
{
    struct mq_admin_user u;
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id)) ? mq_admin_user_get(req->ctx, req->arena, id, &u)
                                               : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return user_not_found(req);
    if (err) return err;
    json_t *doc = user_json(&u, mq_clock_now_ms(req->ctx->clock));
    json_object_set_new(doc, "permissions", json_array());
    for (size_t i = 0; i < u.authz.nperms; i++)
        json_array_append_new(json_object_get(doc, "permissions"), json_string(u.authz.perms[i]));
    json_object_set_new(doc, "sessions", sessions_json(req, id));
    json_object_set_new(doc, "recent_activity", activity_json(req, id));
    return mq_reply_json(req, 200, doc);
}

static mq_err change(struct mq_req *req, const struct mq_admin_change *c, const char *action)
{
    const struct mq_principal *who = req->principal;
    struct mq_admin_user before, after;
    const char *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    struct mq_admin_actor actor = actor_of(who);
    mq_err err = mq_admin_user_update(req->ctx, req->arena, &actor, id, c, &before, &after, &why);
    if (err) return refusal(req, err, &why);
    int64_t now = mq_clock_now_ms(req->ctx->clock);
    json_t *details = json_pack("{s:o,s:o}", "before", user_audit(&before, now), "after",
                                user_audit(&after, now));
    json_t *fields = json_array();
    if (c->display_name) json_array_append_new(fields, json_string("display_name"));
    if (c->email) json_array_append_new(fields, json_string("email"));
    json_object_set_new(details, "profile_fields", fields);
    mq_req_audit(req, action, req->actor_kind, "user", id, details);
    return mq_reply_json(req, 200, user_json(&after, now));
}

/* PATCH /api/v1/admin/users/{id} {"display_name"?, "email"?, "roles"?, "status"?} */
mq_err mq_api_admin_users_update(struct mq_req *req)
{
    struct mq_admin_change c = {.disabled = -1};
    const char *status = NULL, *key;
    json_t *doc = NULL, *v;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "display_name") && strcmp(key, "email") && strcmp(key, "roles") &&
            strcmp(key, "status"))
            return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", key),
                              "only display_name, email, roles and status can be changed here");
    }
    err = mq_api_string_field(req, doc, "display_name", false, &c.display_name);
    if (!err) err = mq_api_string_field(req, doc, "email", false, &c.email);
    if (!err) err = mq_api_string_field(req, doc, "status", false, &status);
    if (err) return err;
    if (status && strcmp(status, "active") && strcmp(status, "disabled"))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "status"),
                          "status is active or disabled");
    if (status) c.disabled = !strcmp(status, "disabled");
    c.roles = json_object_get(doc, "roles");
    return change(req, &c, "admin.user_update");
}

/* POST /api/v1/admin/users/{id}/disable */
mq_err mq_api_admin_users_disable(struct mq_req *req)
{
    struct mq_admin_change c = {.disabled = 1};
    return change(req, &c, "admin.user_disable");
}

/* POST /api/v1/admin/users/{id}/enable */
mq_err mq_api_admin_users_enable(struct mq_req *req)
{
    struct mq_admin_change c = {.disabled = 0};
    return change(req, &c, "admin.user_enable");
}

/* DELETE /api/v1/admin/users/{id} */
mq_err mq_api_admin_users_delete(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    const char *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    struct mq_admin_actor actor = actor_of(who);
    mq_err err = mq_admin_user_erase(req->ctx, req->arena, &actor, id, &why);
    if (err) return refusal(req, err, &why);
    mq_req_audit(req, "admin.user_erase", req->actor_kind, "user", id, NULL);
    return mq_reply_empty(req, 204);
}

/* POST /api/v1/admin/users/{id}/impersonate */
mq_err mq_api_admin_users_impersonate(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    struct mq_tokens t = {0};
    const char *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    struct mq_admin_actor actor = actor_of(who);
    mq_err err = mq_admin_impersonate(req->ctx, req->arena, &actor, id, req->remote,
                                      mq_req_header(req, "User-Agent"), &t, &why);
    if (err) return refusal(req, err, &why);
    mq_req_audit(req, "admin.user_impersonate", req->actor_kind, "user", id,
                 json_pack("{s:s,s:s,s:I}", "by", who->user_id, "session", t.session_id,
                           "expires_in", (json_int_t)t.expires_in));
    (void)mq_reply_header(req, "Cache-Control", "no-store");
    /* The app shows the member's pictures and streams under their name. */
    if (mq_api_web_session(req) && mq_req_same_origin(req))
        (void)mq_api_web_media_cookie(req, t.access_token, t.expires_in);
    return mq_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:I,s:s}", "access_token", t.access_token,
                                   "token_type", "Bearer", "expires_in", (json_int_t)t.expires_in,
                                   "session_id", t.session_id));
}

/* DELETE /api/v1/admin/users/{id}/mfa */
mq_err mq_api_admin_users_mfa_reset(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    struct mq_refusal why = {0};
    int removed = 0;
    if (!mq_uuid_valid(id, strlen(id))) return user_not_found(req);
    mq_err err = mq_mfa_admin_reset(req->ctx, req->arena, &req->principal->authz, id, req->remote,
                                    &removed, &why);
    if (err) return refusal(req, err, &why);
    mq_req_audit(req, "admin.user_mfa_reset", req->actor_kind, "user", id,
                 json_pack("{s:i}", "factors_removed", removed));
    return mq_reply_json(req, 200, json_pack("{s:i}", "factors_removed", removed));
}
