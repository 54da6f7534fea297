/* account.c - the e-mail flows under /api/v1/auth/: register, verify-email,
 * resend-verification, forgot-password and reset-password. */
#include <stdio.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "core/address.h"
#include "http/gate.h"
#include "http/ratelimit.h"
#include "users/account.h"
#include "users/conf.h"
#include "users/users.h"

/* Mails are limited per address asked for, so that nobody can flood one
 * inbox from many addresses; the key is the lookup form, so case and
 * Unicode games do not help. */
static void mail_limit_key(const char *email, char key[MQ_EMAIL_MAX + 8])
{
    memcpy(key, "email:", 6);
    mq_address_key(email, key + 6);
}

static bool email_rate_limited(struct mq_req *req, const char *email)
{
    char key[MQ_EMAIL_MAX + 8];
    mail_limit_key(email, key);
    return mq_req_rate_limit(req, &mq_users_conf(req->ctx->cfg)->rate_forgot.policy, key);
}

/* Whether the owner of a registered address may be told "you already have
 * an account" once more: the per-address limit of the other mails, so that
 * nobody can flood one inbox by registering it over and over. Past the
 * limit the mail is skipped and the answer stays the same, so a refusal
 * cannot tell which addresses have accounts. A limiter that fails lets the
 * mail through. */
static bool may_mail_owner(void *cls, const char *email)
{
    struct mq_req *req = cls;
    const struct mq_rate_policy *policy = &mq_users_conf(req->ctx->cfg)->rate_forgot.policy;
    struct mq_rate_result r;
    char key[MQ_EMAIL_MAX + 8];
    if (!req->ctx->ratelimiter || !policy->nrules) return true;
    mail_limit_key(email, key);
    if (mq_rate_hit(req->ctx->ratelimiter, policy, key, mq_clock_now_ms(req->ctx->clock), &r))
        return true;
    return r.allowed;
}

struct register_call {
    struct mq_registration r;
};

static mq_err register_work(struct mq_req *req, void *arg)
{
    struct register_call *c = arg;
    struct mq_refusal why = {0};
    char id[37];
    mq_err err = mq_account_register(req->ctx, req->arena, &c->r, id, &why);
    if (err && why.code)
        mq_req_audit(req, "user.register_refused", "anonymous", NULL, NULL,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    /* Audited either way, for the admins; the caller sees one answer. */
    mq_req_audit(req, id[0] ? "user.registered" : "user.register_existing", "anonymous",
                 id[0] ? "user" : NULL, id[0] ? id : NULL,
                 c->r.invite ? json_pack("{s:b}", "invited", 1) : NULL);
    return mq_reply_json(req, 202,
                         json_pack("{s:s,s:s}", "status", "pending_verification", "detail",
                                   "if the address can be used, a message to finish "
                                   "registration is on its way to it"));
}

mq_err mq_api_auth_register(struct mq_req *req)
{
    json_t *doc = NULL;
    int mode = mq_users_conf(req->ctx->cfg)->registration;
    if (mode == MQ_REGISTRATION_CLOSED)
        return mq_problem(req, 403, "registration_closed", NULL,
                          "this server does not take registrations (an admin can open them in "
                          "the settings: registration)");
    if (mq_req_rate_limit(req, &mq_users_conf(req->ctx->cfg)->rate_register.policy,
                          req->remote_key))
        return MQ_OK;
    struct register_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "email", true, &c->r.email);
    if (!err) err = mq_api_string_field(req, doc, "password", true, &c->r.password);
    if (!err) err = mq_api_string_field(req, doc, "display_name", false, &c->r.display_name);
    if (!err) err = mq_api_string_field(req, doc, "invite", false, &c->r.invite);
    if (err) return err;
    c->r.may_mail_owner = may_mail_owner;
    c->r.may_mail_cls = req;
    if (mode == MQ_REGISTRATION_INVITE && !c->r.invite)
        return mq_problem(req, 403, "invite_required", NULL,
                          "this server takes registrations by invitation only: give its code as "
                          "invite");
    return mq_req_offload(req, req->ctx->cpu_pool, register_work, c);
}

mq_err mq_api_auth_verify_email(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *token = NULL, *user = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "token", true, &token);
    if (err) return err;
    struct mq_refusal why = {0};
    err = mq_account_verify_email(req->ctx, req->arena, token, &user, &why);
    if (err) return mq_api_refused(req, err, &why);
    req->actor_id = user;
    mq_req_audit(req, "user.email_verified", "user", "user", user, NULL);
    return mq_reply_json(req, 200, json_pack("{s:s}", "status", "verified"));
}

/* With {"email"}, or with only the bearer token of the unverified member. */
mq_err mq_api_auth_resend_verification(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *email = NULL, *user = NULL;
    const char *caller = NULL; /* the signed-in member asking for themselves */
    mq_err err;
    if (req->body_len) {
        err = mq_api_body_object(req, &doc);
        if (!err) err = mq_api_string_field(req, doc, "email", true, &email);
        if (err) return err;
        if (email_rate_limited(req, email)) return MQ_OK;
    } else {
        if (!req->principal) return mq_gate_unauthorized(req);
        caller = req->principal->user_id;
        char key[64];
        snprintf(key, sizeof(key), "user:%s", caller);
        if (mq_req_rate_limit(req, &mq_users_conf(req->ctx->cfg)->rate_forgot.policy, key))
            return MQ_OK;
    }
    err = mq_account_resend_verification(req->ctx, req->arena, email, caller, &user);
    if (err) return err;
    if (user)
        mq_req_audit(req, "user.verification_requested", caller ? "user" : "anonymous", "user",
                     user, NULL);
    return mq_reply_json(req, 202, json_pack("{s:s}", "status", "accepted"));
}

mq_err mq_api_auth_forgot_password(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *email = NULL, *user = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "email", true, &email);
    if (err) return err;
    if (email_rate_limited(req, email)) return MQ_OK;
    err = mq_account_forgot_password(req->ctx, req->arena, email, &user);
    if (err) return err;
    /* The audit log knows; the answer does not tell. */
    mq_req_audit(req, "password.reset_requested", "anonymous", user ? "user" : NULL, user,
                 user ? NULL : json_pack("{s:s}", "reason", "unknown account"));
    return mq_reply_json(req, 202, json_pack("{s:s}", "status", "accepted"));
}

struct reset_call {
    const char *token, *password;
};

static mq_err reset_work(struct mq_req *req, void *arg)
{
    struct reset_call *c = arg;
    struct mq_refusal why = {0};
    const char *user = NULL;
    mq_err err = mq_account_reset_password(req->ctx, req->arena, c->token, c->password, req->remote,
                                           &user, &why);
    if (err && why.code)
        mq_req_audit(req, "password.reset_failed", "anonymous", user ? "user" : NULL, user,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    req->actor_id = user;
    mq_req_audit(req, "password.reset", "user", "user", user,
                 json_pack("{s:s}", "effect", "all sessions ended"));
    return mq_reply_json(req, 200, json_pack("{s:s}", "status", "password_reset"));
}

mq_err mq_api_auth_reset_password(struct mq_req *req)
{
    json_t *doc = NULL;
    struct reset_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "token", true, &c->token);
    if (!err) err = mq_api_string_field(req, doc, "new_password", true, &c->password);
    if (err) return err;
    return mq_req_offload(req, req->ctx->cpu_pool, reset_work, c);
}
