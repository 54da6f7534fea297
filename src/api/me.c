/* me.c - a member's own account: /api/v1/users/me and what hangs under it
 * (password, preferences, avatar). */
#include <stdio.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/tokens.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/keyset.h"
#include "users/account.h"
#include "users/avatar.h"
#include "users/prefs.h"
#include "users/users.h"

static mq_err reply_me(struct mq_req *req, const struct mq_principal *who)
{
    struct mq_user u;
    char created[32];
    mq_err err = mq_users_get(req->ctx, req->arena, who->user_id, &u);
    if (err) return err;
    mq_time_format_rfc3339(u.created_at, created, sizeof(created));
    json_t *roles = json_array();
    for (size_t i = 0; roles && i < who->authz.nroles; i++)
        json_array_append_new(roles, json_string(who->authz.roles[i]));
    json_t *me =
        json_pack("{s:s,s:s,s:s,s:o,s:b,s:s,s:o}", "id", u.id, "email", u.email, "display_name",
                  u.display_name, "roles", roles, "email_verified", u.email_verified_at != 0,
                  "created_at", created, "session_id", mq_api_nullable(who->session_id));
    if (me && who->actor_id)
        json_object_set_new(me, "act", json_pack("{s:s}", "sub", who->actor_id));
    if (me && u.avatar) {
        /* The file's random part: a new picture is a new URL for caches. */
        const char *version = strrchr(u.avatar, '-');
        json_object_set_new(me, "avatar_url",
                            json_sprintf("/api/v1/users/%s/avatar?v=%.12s", u.id,
                                         version ? version + 1 : u.avatar));
    }
    return mq_reply_json(req, 200, me);
}

mq_err mq_api_users_me(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    return reply_me(req, who);
}

struct update_call {
    const struct mq_principal *who; /* the caller, as the gate found them */
    struct mq_profile_change change;
};

static mq_err update_work(struct mq_req *req, void *arg)
{
    struct update_call *c = arg;
    struct mq_refusal why = {0};
    mq_err err = mq_account_update(req->ctx, req->arena, c->who->user_id, &c->change, &why);
    if (err) return mq_api_refused(req, err, &why);
    json_t *fields = json_array();
    if (c->change.display_name) json_array_append_new(fields, json_string("display_name"));
    if (c->change.email) json_array_append_new(fields, json_string("email"));
    mq_req_audit(req, "user.profile_changed", "user", "user", c->who->user_id,
                 json_pack("{s:o}", "fields", fields));
    return reply_me(req, c->who);
}

mq_err mq_api_users_me_update(struct mq_req *req)
{
    json_t *doc = NULL;
    struct update_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->who = req->principal;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "display_name", false, &c->change.display_name);
    if (!err) err = mq_api_string_field(req, doc, "email", false, &c->change.email);
    if (!err)
        err = mq_api_string_field(req, doc, "current_password", false, &c->change.current_password);
    if (err) return err;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "display_name") && strcmp(key, "email") && strcmp(key, "current_password"))
            return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", key),
                              "only display_name and email can be changed here");
    }
    c->change.ip = req->remote;
    return mq_req_offload(req, req->ctx->cpu_pool, update_work, c);
}

struct delete_call {
    const struct mq_principal *who; /* the caller, as the gate found them */
    const char *password;
};

static mq_err delete_work(struct mq_req *req, void *arg)
{
    struct delete_call *c = arg;
    struct mq_refusal why = {0};
    int64_t purge_at = 0;
    char when[40];
    mq_err err =
        mq_account_delete(req->ctx, req->arena, c->who->user_id, c->password, &purge_at, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_time_format_rfc3339(purge_at, when, sizeof(when));
    mq_req_audit(req, "user.deleted", "user", "user", c->who->user_id,
                 json_pack("{s:s}", "purge_at", when));
    return mq_reply_json(req, 202, json_pack("{s:s,s:s}", "status", "deleted", "purge_at", when));
}

/* Deleting asks for the password: an access token alone (a borrowed
 * device) must not be enough to take an account away. */
mq_err mq_api_users_me_delete(struct mq_req *req)
{
    json_t *doc = NULL;
    struct delete_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->who = req->principal;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "current_password", true, &c->password);
    if (err) return err;
    return mq_req_offload(req, req->ctx->cpu_pool, delete_work, c);
}

struct password_call {
    const struct mq_principal *who; /* the caller, as the gate found them */
    const char *current, *new_password;
    struct mq_device device;
};

static mq_err password_work(struct mq_req *req, void *arg)
{
    struct password_call *c = arg;
    struct mq_refusal why = {0};
    struct mq_tokens t = {0};
    struct mq_session_factor factor = {c->who->mfa_method, c->who->enrol_only};
    mq_err err = mq_account_change_password(req->ctx, req->arena, c->who->user_id, c->current,
                                            c->new_password, &c->device, &factor, &t, &why);
    if (err && why.code)
        mq_req_audit(req, "password.change_failed", "user", "user", c->who->user_id,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(
        req, "password.changed", "user", "user", c->who->user_id,
        json_pack("{s:s,s:s}", "effect", "all sessions ended", "new_session", t.session_id));
    return mq_api_reply_tokens(req, &t);
}

mq_err mq_api_users_me_change_password(struct mq_req *req)
{
    json_t *doc = NULL;
    struct password_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->who = req->principal;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "current_password", true, &c->current);
    if (!err) err = mq_api_string_field(req, doc, "new_password", true, &c->new_password);
    if (!err) err = mq_api_string_field(req, doc, "device_name", false, &c->device.device_name);
    if (err) return err;
    const char *ua = mq_req_header(req, "User-Agent");
    c->device.ip = req->remote;
    c->device.user_agent = ua ? mq_arena_strndup(req->arena, ua, strnlen(ua, 256)) : NULL;
    return mq_req_offload(req, req->ctx->cpu_pool, password_work, c);
}

mq_err mq_api_users_me_preferences(struct mq_req *req)
{
    struct mq_user u;
    mq_err err = mq_users_get(req->ctx, req->arena, req->principal->user_id, &u);
    if (err) return err;
    json_t *prefs = json_loads(u.preferences ? u.preferences : "{}", 0, NULL);
    return mq_reply_json(req, 200, prefs ? prefs : json_object());
}

mq_err mq_api_users_me_preferences_update(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    json_t *patch = NULL;
    char *merged = NULL;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &patch);
    if (err) return err;
    err = mq_users_update_preferences(req->ctx, req->arena, who->user_id, patch, &merged, &why);
    if (err) return mq_api_refused(req, err, &why);
    json_t *keys = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) json_array_append_new(keys, json_string(key));
    mq_req_audit(req, "user.preferences_changed", "user", "user", who->user_id,
                 json_pack("{s:o}", "keys", keys));
    return mq_reply_json(req, 200, json_loads(merged, 0, NULL));
}

struct avatar_call {
    const struct mq_principal *who; /* the caller, as the gate found them */
};

static mq_err avatar_work(struct mq_req *req, void *arg)
{
    struct avatar_call *c = arg;
    struct mq_refusal why = {0};
    mq_err err =
        mq_avatar_set(req->ctx, req->arena, c->who->user_id, req->body, req->body_len, &why);
    mq_keyset_release(req->ctx->uploads, c->who->user_id);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "user.avatar_changed", "user", "user", c->who->user_id, NULL);
    return reply_me(req, c->who);
}

/* The image is the body itself (any image Content-Type): its bytes decide
 * what it is, not the header. */
mq_err mq_api_users_me_avatar_set(struct mq_req *req)
{
    struct avatar_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->who = req->principal;
    if (!req->body_len)
        return mq_problem(req, 400, "empty_body", NULL, "send the image as the body");
    /* Decoding is the costly part: one picture at a time per member, on the
     * image pool, so that nobody's uploads hold up anyone's sign-in. */
    if (!mq_keyset_claim(req->ctx->uploads, c->who->user_id)) {
        (void)mq_reply_header_set(req, "Retry-After", "1");
        return mq_problem(req, 429, "upload_in_progress", NULL,
                          "your previous picture is still being processed; try again when it is "
                          "done");
    }
    mq_err err = mq_req_offload(req, req->ctx->image_pool, avatar_work, c);
    if (!mq_req_offloaded(req)) mq_keyset_release(req->ctx->uploads, c->who->user_id);
    return err; /* else avatar_work releases it */
}

mq_err mq_api_users_me_avatar_delete(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    mq_err err = mq_avatar_remove(req->ctx, req->arena, who->user_id);
    if (err) return err;
    mq_req_audit(req, "user.avatar_removed", "user", "user", who->user_id, NULL);
    return mq_reply_empty(req, 204);
}

/* Members see each other's pictures (a household's "who is watching"). */
mq_err mq_api_users_avatar(struct mq_req *req)
{
    void *data = NULL;
    size_t len = 0;
    mq_err err = mq_avatar_read(req->ctx, req->arena, mq_req_param(req, "id"), &data, &len);
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "not_found", NULL, "no such picture");
    if (err) return err;
    (void)mq_reply_header(req, "Cache-Control", "private, max-age=86400");
    return mq_reply_bytes(req, 200, MQ_AVATAR_MIME, data, len);
}
