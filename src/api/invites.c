/* invites.c - the admin routes over invitations to register
 * (src/users/invites.h). */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "http/page.h"
#include "system/conf.h"
#include "users/invites.h"

static json_t *invite_json(const struct mq_invite *r, int64_t now)
{
    const char *state = r->used_at ? "used" : r->expires_at <= now ? "expired" : "pending";
    return json_pack("{s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "id", r->id, "email",
                     mq_api_nullable(r->email), "role", r->role, "state", state, "created_by",
                     mq_api_nullable(r->created_by), "created_at", mq_api_time(r->created_at),
                     "expires_at", mq_api_time(r->expires_at), "used_at", mq_api_time(r->used_at),
                     "used_by", mq_api_nullable(r->used_by));
}

/* POST /api/v1/admin/invites */
mq_err mq_api_admin_invites_create(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    struct mq_invite_new in = {0};
    struct mq_invite row;
    struct mq_refusal why = {0};
    const char *secret = NULL;
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "email", false, &in.email);
    if (!err) err = mq_api_string_field(req, doc, "role", false, &in.role);
    if (err) return err;
    json_t *ttl = json_object_get(doc, "expires_in");
    if (ttl && (!json_is_integer(ttl) || json_integer_value(ttl) <= 0 ||
                json_integer_value(ttl) > MQ_INVITE_TTL_MAX_MS / 1000))
        return mq_problem(req, 422, "invalid_expiry", json_pack("{s:s}", "field", "expires_in"),
                          "expires_in is a number of seconds, from 3600 to 2592000");
    if (ttl) in.ttl_ms = json_integer_value(ttl) * 1000;
    err = mq_invites_create(req->ctx, req->arena, &who->authz, who->user_id, &in, &row, &secret,
                            &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "invite.created", req->actor_kind, "invite", row.id,
                 json_pack("{s:s,s:b,s:o}", "role", row.role, "for_one_address", row.email != NULL,
                           "expires_at", mq_api_time(row.expires_at)));
    json_t *o = invite_json(&row, row.created_at);
    const char *base = mq_system_conf(req->ctx->cfg)->public_url;
    json_object_set_new(o, "code", json_string(secret));
    json_object_set_new(o, "url",
                        json_string(mq_arena_printf(req->arena, "%s/register?invite=%s",
                                                    base ? base : "", secret)));
    (void)mq_reply_header(req, "Cache-Control", "no-store");
    return mq_reply_json(req, 201, o);
}

static json_t *invite_item(const void *row, void *now)
{
    return invite_json(row, *(const int64_t *)now);
}

static const char *invite_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_invite *)row)->id;
}

/* GET /api/v1/admin/invites */
mq_err mq_api_admin_invites_list(struct mq_req *req)
{
    struct mq_page page;
    struct mq_invite *rows;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (err) return err;
    rows = mq_page_alloc(req, &page, sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    err = mq_invites_list(req->ctx, req->arena, page.after ? page.after : "", page.fetch, rows, &n);
    if (err) return err;
    int64_t now = mq_clock_now_ms(req->ctx->clock);
    struct mq_page_rows r = {rows, n, sizeof(*rows), invite_item, invite_position, &now};
    return mq_page_answer(req, &page, &r);
}

/* DELETE /api/v1/admin/invites/{id} */
mq_err mq_api_admin_invites_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id)) ? mq_invites_delete(req->ctx, id) : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "invite_not_found", NULL, "no invitation has that id");
    if (err) return err;
    mq_req_audit(req, "invite.revoked", req->actor_kind, "invite", id, NULL);
    return mq_reply_empty(req, 204);
}
