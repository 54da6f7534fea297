/* auth.c - sign-in, refresh and sign-out. */
#include <stdio.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/tokens.h"
#include "auth/conf.h"
#include "auth/mfa.h"
#include "auth/signin.h"
#include "http/gate.h"
#include "users/users.h"

/* A right password for an account with a second factor: no tokens yet. */
static json_t *mfa_json(const struct mq_tokens *t)
{
    json_t *methods = json_array();
    if (methods && (t->mfa_methods & MQ_MFA_TOTP))
        json_array_append_new(methods, json_string("totp"));
    if (methods && (t->mfa_methods & MQ_MFA_BACKUP_CODE))
        json_array_append_new(methods, json_string("backup_code"));
    if (methods && (t->mfa_methods & MQ_MFA_WEBAUTHN))
        json_array_append_new(methods, json_string("webauthn"));
    return json_pack("{s:b,s:s,s:o,s:i}", "mfa_required", 1, "mfa_token", t->mfa_token, "methods",
                     methods, "expires_in", MQ_MFA_CHALLENGE_TTL_MS / 1000);
}

struct login_call {
    struct mq_login in;
};

static const char *outcome_action(enum mq_login_outcome o)
{
    switch (o) {
    case MQ_LOGIN_OK: return "login.success";
    case MQ_LOGIN_LOCKOUT: return "login.lockout";
    case MQ_LOGIN_LOCKED: return "login.locked";
    case MQ_LOGIN_DISABLED: return "login.disabled";
    case MQ_LOGIN_DELETED: return "login.deleted";
    case MQ_LOGIN_UNVERIFIED: return "login.unverified";
    case MQ_LOGIN_RESTORED: return "user.restored";
    case MQ_LOGIN_MFA: return "login.mfa_required";
    default: return "login.failed";
    }
}

/* On the CPU pool: argon2id. */
static mq_err login_work(struct mq_req *req, void *arg)
{
    struct login_call *c = arg;
    struct mq_tokens t = {0};
    enum mq_login_outcome outcome;
    char user[37];
    mq_err err = mq_signin_password(req->ctx, req->arena, &c->in, &t, &outcome, user);
    if (err && err != MQ_EPERM) return err;
    req->actor_id = user[0] ? mq_arena_strdup(req->arena, user) : NULL;
    mq_req_audit(req, outcome_action(outcome), user[0] ? "user" : "anonymous",
                 user[0] ? "user" : NULL, user[0] ? user : NULL,
                 outcome == MQ_LOGIN_UNKNOWN ? json_pack("{s:s}", "reason", "unknown account")
                                             : NULL);
    if (outcome == MQ_LOGIN_RESTORED)
        mq_req_audit(req, "login.success", "user", "user", user, NULL);
    if (outcome == MQ_LOGIN_LOCKOUT)
        mq_log_warn(req->ctx->log, "auth", "account %s locked after repeated failed sign-ins",
                    user);
    if (outcome == MQ_LOGIN_DELETED) {
        /* Only the right password gets here: its owner may know. */
        return mq_problem(req, 403, "account_deleted", json_pack("{s:b}", "restorable", true),
                          "this account was deleted; sign in with \"restore\": true within the "
                          "grace period to restore it");
    }
    if (outcome == MQ_LOGIN_UNVERIFIED)
        return mq_problem(req, 403, "email_not_verified", NULL,
                          "confirm the e-mail address with the link sent to it first (or ask "
                          "for a new one with POST /api/v1/auth/resend-verification)");
    if (err) {
        /* One answer for every refusal: nothing to learn about accounts. */
        (void)mq_reply_header(req, "WWW-Authenticate", "Bearer realm=\"marquee\"");
        return mq_problem(req, 401, "invalid_credentials", NULL,
                          "the e-mail address or the password is wrong");
    }
    if (outcome == MQ_LOGIN_MFA) return mq_reply_json(req, 200, mfa_json(&t));
    return mq_api_reply_tokens(req, &t);
}

mq_err mq_api_auth_login(struct mq_req *req)
{
    json_t *doc = NULL;
    if (mq_req_rate_limit(req, &mq_auth_conf(req->ctx->cfg)->rate_login.policy, req->remote_key))
        return MQ_OK;
    struct login_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "email", true, &c->in.email);
    if (!err) err = mq_api_string_field(req, doc, "password", true, &c->in.password);
    if (!err) err = mq_api_string_field(req, doc, "device_name", false, &c->in.device.device_name);
    if (!err) err = mq_api_bool_field(req, doc, "restore", &c->in.restore);
    if (!err) err = mq_api_string_field(req, doc, "device_token", false, &c->in.device_token);
    if (!err && mq_api_web_session(req)) err = mq_api_web_admit(req);
    if (err) return err;
    if (!c->in.device_token) c->in.device_token = mq_api_web_device_token(req);
    const char *ua = mq_req_header(req, "User-Agent");
    c->in.device.ip = req->remote;
    c->in.device.user_agent = ua ? mq_arena_strndup(req->arena, ua, strnlen(ua, 256)) : NULL;
    return mq_req_offload(req, req->ctx->cpu_pool, login_work, c);
}

mq_err mq_api_auth_refresh(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *token = NULL;
    struct mq_tokens t = {0};
    bool reused = false;
    char user[37];
    mq_err err = MQ_OK;
    if (mq_api_web_session(req)) {
        /* The app's cookie; the body is empty. */
        err = mq_api_web_admit(req);
        if (err) return err;
        token = mq_api_web_refresh_token(req);
        if (!token)
            return mq_problem(req, 401, "invalid_refresh_token", NULL,
                              "this browser holds no session; sign in");
    } else {
        err = mq_api_body_object(req, &doc);
        if (!err) err = mq_api_string_field(req, doc, "refresh_token", true, &token);
        if (err) return err;
    }
    err = mq_session_refresh(req->ctx, req->arena, token, &t, &reused, user);
    if (reused) {
        req->actor_id = mq_arena_strdup(req->arena, user);
        mq_req_audit(req, "token.reuse", "user", "user", user,
                     json_pack("{s:s}", "effect", "session revoked"));
        mq_log_warn(req->ctx->log, "auth",
                    "a used refresh token came back; its session is revoked (user %s)", user);
    }
    if (err == MQ_EPERM) {
        if (mq_api_web_session(req)) (void)mq_api_web_clear(req);
        return mq_problem(req, 401, "invalid_refresh_token", NULL,
                          "the refresh token is unknown, expired or already used; sign in again");
    }
    if (err) return err;
    return mq_api_reply_tokens(req, &t);
}

mq_err mq_api_auth_logout(struct mq_req *req)
{
    const char *token = NULL, *session = NULL;
    json_t *doc = NULL;
    mq_err err = MQ_OK;
    bool web = mq_api_web_session(req);
    if (web) {
        err = mq_api_web_admit(req);
        if (!err) err = mq_api_web_clear(req);
        if (err) return err;
        token = mq_api_web_refresh_token(req);
        if (!token && !req->principal) return mq_reply_empty(req, 204); /* nothing to end */
    } else if (req->body_len) {
        err = mq_api_body_object(req, &doc);
        if (!err) err = mq_api_string_field(req, doc, "refresh_token", false, &token);
        if (err) return err;
    }
    if (token) {
        err = mq_session_of_refresh_token(req->ctx, req->arena, token, &session);
        /* A browser's cookie that is stale (its session ended, or rotated in
         * a response the browser lost): end the session its access token
         * names, if any. */
        if (err == MQ_EPERM && web && req->principal && req->principal->session_id) {
            session = req->principal->session_id;
            err = MQ_OK;
        }
        if (err == MQ_EPERM && web) return mq_reply_empty(req, 204); /* ended already */
        if (err == MQ_EPERM)
            return mq_problem(req, 401, "invalid_refresh_token", NULL, "unknown refresh token");
        if (err) return err;
    } else {
        if (!req->principal) return mq_gate_unauthorized(req);
        if (!req->principal->session_id)
            return mq_problem(req, 400, "no_session", NULL,
                              "an API key has no session to end: revoke the key instead");
        session = req->principal->session_id;
    }
    err = mq_session_logout(req->ctx, session, "logout");
    if (err) return err;
    mq_req_audit(req, "logout", req->actor_kind ? req->actor_kind : "anonymous", "session", session,
                 NULL);
    return mq_reply_empty(req, 204);
}
