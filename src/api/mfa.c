/* mfa.c - second factors: status, TOTP, backup codes, switching MFA on and
 * off, remembered devices, completing a sign-in, re-authentication, and
 * the admin's MFA policy. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/tokens.h"
#include "api/refusal.h"
#include "auth/conf.h"
#include "auth/mfa.h"
#include "auth/passkeys.h"
#include "auth/principal.h"
#include "auth/signin.h"
#include "http/gate.h"
#include "http/page.h"

static struct mq_mfa_who who_of(const struct mq_req *req, const struct mq_principal *p)
{
    return (struct mq_mfa_who){p->user_id, p->session_id, p->authz.roles, p->authz.nroles,
                               req->remote};
}

/* Factor changes need a sign-in or re-authentication within reauth_window:
 * fills *who for the change, or answers 403. */
static mq_err recent_caller(struct mq_req *req, struct mq_mfa_who *who)
{
    *who = who_of(req, req->principal);
    if (mq_signin_recent(req->ctx, req->principal)) return MQ_OK;
    mq_problem(req, 403, "reauthentication_required", NULL,
               "prove it is you again first: POST /api/v1/auth/reauthenticate with the password "
               "or a second factor");
    return MQ_EPERM;
}

/* The body of a factor change is optional; {"end_other_sessions": true}
 * signs every other device out as well. */
static mq_err change_body(struct mq_req *req, json_t **doc, bool *end_others)
{
    *doc = NULL;
    *end_others = false;
    if (!req->body_len) return MQ_OK;
    mq_err err = mq_api_body_object(req, doc);
    if (!err) err = mq_api_bool_field(req, *doc, "end_other_sessions", end_others);
    return err;
}

/* Ends the other sessions when asked; the count goes in the answer. */
static mq_err end_others(struct mq_req *req, const struct mq_principal *p, bool wanted,
                         json_t *answer)
{
    int64_t ended = 0;
    if (wanted) {
        mq_err err =
            mq_sessions_end_others(req->ctx, p->user_id, p->session_id, "mfa_changed", &ended);
        if (err) return err;
    }
    return json_object_set_new(answer, "other_sessions_ended", json_integer(ended)) ? MQ_ENOMEM
                                                                                    : MQ_OK;
}

static json_t *status_json(const struct mq_mfa_status *s)
{
    return json_pack("{s:b,s:b,s:o,s:{s:b,s:b},s:{s:i,s:i},s:{s:i},s:i}", "enabled", s->enabled,
                     "required", s->required, "enabled_at", mq_api_time(s->enabled_at), "totp",
                     "enabled", s->totp, "pending", s->totp_pending, "backup_codes", "remaining",
                     s->backup_codes_left, "total", s->backup_codes_total, "webauthn",
                     "credentials", s->webauthn, "trusted_devices", s->trusted_devices);
}

/* The status document; after a change (end != NULL) also how many other
 * sessions were ended. */
static mq_err reply_status(struct mq_req *req, const struct mq_principal *p, const bool *end)
{
    struct mq_mfa_status s;
    struct mq_mfa_who who = who_of(req, p);
    mq_err err = mq_mfa_status(req->ctx, req->arena, &who, &s);
    if (err) return err;
    json_t *doc = status_json(&s);
    if (!doc) return MQ_ENOMEM;
    err = end ? end_others(req, p, *end, doc) : MQ_OK;
    if (err) {
        json_decref(doc);
        return err;
    }
    return mq_reply_json(req, 200, doc);
}

mq_err mq_api_mfa_status(struct mq_req *req)
{
    const struct mq_principal *p = req->principal;
    return reply_status(req, p, NULL);
}

mq_err mq_api_mfa_totp_setup(struct mq_req *req)
{
    struct mq_totp_setup s;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (err) return err;
    err = mq_mfa_totp_setup(req->ctx, req->arena, &who, &s);
    if (err == MQ_ECONFLICT)
        return mq_problem(req, 409, "totp_already_enabled", NULL,
                          "an authenticator app is already set up; remove it first "
                          "(DELETE /api/v1/mfa/totp)");
    if (err) return err;
    size_t b64len = sodium_base64_ENCODED_LEN(s.qr_png_len, sodium_base64_VARIANT_ORIGINAL);
    char *png = mq_arena_alloc(req->arena, b64len);
    if (!png) return MQ_ENOMEM;
    sodium_bin2base64(png, b64len, s.qr_png, s.qr_png_len, sodium_base64_VARIANT_ORIGINAL);
    mq_req_audit(req, "mfa.totp_setup", "user", "user", req->principal->user_id, NULL);
    /* The secret is shown this once; nothing of it may be cached. */
    (void)mq_reply_header(req, "Cache-Control", "no-store");
    return mq_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:s,s:s}", "secret", s.secret, "otpauth_uri", s.uri,
                                   "qr_svg", s.qr_svg, "qr_png", png));
}

mq_err mq_api_mfa_totp_verify(struct mq_req *req)
{
    const struct mq_principal *p = req->principal;
    json_t *doc = NULL;
    const char *code = NULL;
    bool end = false;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "code", true, &code);
    if (!err) err = mq_api_bool_field(req, doc, "end_other_sessions", &end);
    if (err) return err;
    struct mq_mfa_who who = who_of(req, p);
    err = mq_mfa_totp_confirm(req->ctx, req->arena, &who, code);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 409, "totp_not_pending", NULL,
                          "no authenticator is waiting for a first code; start with POST "
                          "/api/v1/mfa/totp/setup");
    if (err == MQ_EPERM) {
        mq_req_audit(req, "mfa.totp_verify_failed", "user", "user", p->user_id, NULL);
        return mq_problem(req, 422, "invalid_code", NULL,
                          "the code is wrong (or was used already); check the device's clock");
    }
    if (err) return err;
    mq_req_audit(req, "mfa.totp_enabled", "user", "user", p->user_id, NULL);
    return reply_status(req, p, &end);
}

typedef mq_err (*factor_change_fn)(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_who *who);

/* A factor change whose body is at most {"end_other_sessions"}: recent
 * proof first, then the service's refusals as problems, an audit event and
 * the new status. */
static mq_err factor_change(struct mq_req *req, factor_change_fn change, const char *action)
{
    const struct mq_principal *p = req->principal;
    json_t *doc = NULL;
    bool end = false;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (!err) err = change_body(req, &doc, &end);
    if (err) return err;
    err = change(req->ctx, req->arena, &who);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "not_found", NULL, "no authenticator app is set up");
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "mfa_no_factor", NULL,
                          "set up a second factor first (POST /api/v1/mfa/totp/setup)");
    if (err == MQ_EPERM)
        return mq_problem(req, 403, "mfa_required_by_policy", NULL,
                          "your role must use a second factor (admin policy): MFA stays on and "
                          "the last factor stays; add another before removing this one");
    if (err) return err;
    mq_req_audit(req, action, "user", "user", p->user_id, NULL);
    return reply_status(req, p, &end);
}

mq_err mq_api_mfa_totp_delete(struct mq_req *req)
{
    return factor_change(req, mq_mfa_totp_remove, "mfa.totp_removed");
}

mq_err mq_api_mfa_enable(struct mq_req *req)
{
    return factor_change(req, mq_mfa_enable, "mfa.enabled");
}

mq_err mq_api_mfa_disable(struct mq_req *req)
{
    return factor_change(req, mq_mfa_disable, "mfa.disabled");
}

static mq_err backup_codes(struct mq_req *req, bool only_if_none)
{
    const struct mq_principal *p = req->principal;
    json_t *doc = NULL;
    char *codes[MQ_BACKUP_CODES];
    bool end = false;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (!err) err = change_body(req, &doc, &end);
    if (err) return err;
    err = mq_mfa_backup_codes_new(req->ctx, req->arena, &who, only_if_none, codes);
    if (err == MQ_ECONFLICT)
        return mq_problem(req, 409, "backup_codes_exist", NULL,
                          "unused backup codes exist; POST /api/v1/mfa/backup-codes/regenerate "
                          "replaces them");
    if (err) return err;
    json_t *list = json_array(), *answer = json_object();
    for (int i = 0; list && i < MQ_BACKUP_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    if (!list || !answer || json_object_set_new(answer, "codes", list)) {
        json_decref(answer);
        return MQ_ENOMEM;
    }
    err = end_others(req, p, end, answer);
    if (err) {
        json_decref(answer);
        return err;
    }
    mq_req_audit(req, only_if_none ? "mfa.backup_codes_generated" : "mfa.backup_codes_regenerated",
                 "user", "user", p->user_id, NULL);
    (void)mq_reply_header(req, "Cache-Control", "no-store");
    return mq_reply_json(req, 200, answer);
}

mq_err mq_api_mfa_backup_generate(struct mq_req *req)
{
    return backup_codes(req, true);
}

mq_err mq_api_mfa_backup_regenerate(struct mq_req *req)
{
    return backup_codes(req, false);
}

static json_t *device_item(const void *row, void *arg)
{
    const struct mq_mfa_device *d = row;
    (void)arg;
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", d->id, "device_name",
                     mq_api_nullable(d->device_name), "ip", mq_api_nullable(d->ip), "user_agent",
                     mq_api_nullable(d->user_agent), "created_at", mq_api_time(d->created_at),
                     "last_used_at", mq_api_time(d->last_used_at), "expires_at",
                     mq_api_time(d->expires_at));
}

mq_err mq_api_trusted_devices_list(struct mq_req *req)
{
    struct mq_page_rows r = {.size = sizeof(struct mq_mfa_device), .item = device_item};
    struct mq_mfa_device *rows = NULL;
    mq_err err = mq_mfa_devices_list(req->ctx, req->arena, req->principal->user_id, &rows, &r.n);
    r.rows = rows;
    return err ? err : mq_page_answer_all(req, &r);
}

mq_err mq_api_trusted_devices_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_mfa_device_revoke(req->ctx, req->principal->user_id, id);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "not_found", NULL, "no such remembered device");
    if (err) return err;
    mq_req_audit(req, "mfa.device_forgotten", "user", "trusted_device", id, NULL);
    return mq_reply_empty(req, 204);
}

static const char *const mfa_actions[] = {
    [MQ_MFA_OK] = "login.mfa_success",   [MQ_MFA_BAD_TOKEN] = "login.mfa_bad_token",
    [MQ_MFA_WRONG] = "login.mfa_failed", [MQ_MFA_LOCKOUT] = "login.lockout",
    [MQ_MFA_LOCKED] = "login.locked",    [MQ_MFA_CLONED] = "webauthn.clone_suspected",
};

/* The second half of a sign-in, with a code or a WebAuthn assertion. */
static mq_err finish_sign_in(struct mq_req *req, struct mq_mfa_answer *in)
{
    struct mq_tokens t = {0};
    enum mq_mfa_outcome outcome;
    char user[37];
    mq_err err = mq_signin_second_factor(req->ctx, req->arena, in, &t, &outcome, user);
    if (user[0]) {
        req->actor_id = mq_arena_strdup(req->arena, user);
        req->actor_kind = "user";
    }
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "method_not_available", NULL,
                          "this account has no %s to sign in with", in->method);
    if (err == MQ_EPERM) {
        mq_req_audit(req, mfa_actions[outcome], user[0] ? "user" : "anonymous",
                     user[0] ? "user" : NULL, user[0] ? user : NULL,
                     json_pack("{s:s}", "method", in->method));
        if (outcome == MQ_MFA_CLONED)
            mq_log_warn(req->ctx->log, "mfa",
                        "a WebAuthn counter went backwards for user %s: credential flagged", user);
        if (outcome == MQ_MFA_BAD_TOKEN || outcome == MQ_MFA_LOCKED)
            return mq_problem(req, 401, "invalid_mfa_token", NULL,
                              "the sign-in has expired, was completed, or ran out of attempts; "
                              "sign in again");
        if (outcome == MQ_MFA_CLONED)
            return mq_problem(req, 401, "credential_cloned", NULL,
                              "the security key's signature counter went backwards, so it may "
                              "have been copied; it is disabled: use another factor");
        return mq_problem(req, 401, "invalid_code", NULL,
                          "the code or the security key's answer is wrong, or was used already");
    }
    if (err) return err;
    mq_req_audit(
        req, "login.success", "user", "user", user,
        json_pack("{s:s,s:b}", "mfa", in->method, "remember_device", t.device_token != NULL));
    return mq_api_reply_tokens(req, &t);
}

/* The sign-in rate limit covers the second half too. */
static bool sign_in_limited(struct mq_req *req)
{
    return mq_req_rate_limit(req, &mq_auth_conf(req->ctx->cfg)->rate_login.policy, req->remote_key);
}

/* POST /auth/mfa/verify {mfa_token, method, code | assertion, remember_device}. */
mq_err mq_api_auth_mfa_verify(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_mfa_answer in = {.ip = req->remote};
    if (sign_in_limited(req)) return MQ_OK;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "mfa_token", true, &in.mfa_token);
    if (!err) err = mq_api_string_field(req, doc, "method", true, &in.method);
    if (!err) err = mq_api_bool_field(req, doc, "remember_device", &in.remember_device);
    if (err) return err;
    if (!strcmp(in.method, "webauthn")) {
        in.assertion = json_object_get(doc, "assertion");
        if (!json_is_object(in.assertion))
            return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "assertion"),
                              "assertion must be the AuthenticationResponseJSON of the key");
        in.code = "";
    } else if (!strcmp(in.method, "totp") || !strcmp(in.method, "backup_code")) {
        err = mq_api_string_field(req, doc, "code", true, &in.code);
        if (err) return err;
    } else {
        return mq_problem(req, 422, "unsupported_method", NULL,
                          "method is \"totp\", \"backup_code\" or \"webauthn\"");
    }
    return finish_sign_in(req, &in);
}

/* A WebAuthn counter went backwards during a re-authentication. */
static mq_err clone_refused(struct mq_req *req, const char *user_id)
{
    mq_req_audit(req, "webauthn.clone_suspected", "user", "user", user_id,
                 json_pack("{s:s}", "via", "reauthenticate"));
    mq_log_warn(req->ctx->log, "mfa",
                "a WebAuthn counter went backwards for user %s: credential flagged", user_id);
    return mq_problem(req, 403, "credential_cloned", NULL,
                      "the security key's signature counter went backwards, so it may have been "
                      "copied; it is disabled: use another factor");
}

struct reauth_call {
    const struct mq_principal *who; /* the caller, as the gate found them */
    const char *password;
};

static mq_err reply_reauth(struct mq_req *req, const struct mq_principal *p, const char *how)
{
    mq_req_audit(req, "reauthenticated", "user", "user", p->user_id,
                 json_pack("{s:s}", "method", how));
    return mq_reply_json(req, 200,
                         json_pack("{s:o}", "valid_until",
                                   mq_api_time(mq_clock_now_ms(req->ctx->clock) +
                                               mq_auth_conf(req->ctx->cfg)->reauth_window)));
}

static mq_err reauth_work(struct mq_req *req, void *arg)
{
    struct reauth_call *c = arg;
    mq_err err = mq_signin_reauth_password(req->ctx, req->arena, c->who->user_id,
                                           c->who->session_id, c->password, req->remote);
    if (err == MQ_EPERM) {
        mq_req_audit(req, "reauthentication_failed", "user", "user", c->who->user_id,
                     json_pack("{s:s}", "method", "password"));
        return mq_problem(req, 403, "wrong_password", NULL, "the password is wrong");
    }
    if (err) return err;
    return reply_reauth(req, c->who, "password");
}

/* POST /auth/reauthenticate {password} | {method, code}. */
mq_err mq_api_auth_reauthenticate(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *method = NULL, *code = NULL;
    struct reauth_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->who = req->principal;
    if (mq_req_rate_limit(req, &mq_auth_conf(req->ctx->cfg)->rate_login.policy, req->remote_key))
        return MQ_OK;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "password", false, &c->password);
    if (!err) err = mq_api_string_field(req, doc, "method", false, &method);
    if (!err) err = mq_api_string_field(req, doc, "code", false, &code);
    if (err) return err;
    if (c->password) return mq_req_offload(req, req->ctx->cpu_pool, reauth_work, c);
    json_t *assertion = json_object_get(doc, "assertion");
    if (!method || (!code && !json_is_object(assertion)))
        return mq_problem(req, 422, "invalid_body", NULL,
                          "send {\"password\"}, {\"method\", \"code\"} or "
                          "{\"method\": \"webauthn\", \"assertion\"}");
    struct mq_mfa_who who = who_of(req, c->who);
    err = mq_signin_reauth_factor(req->ctx, req->arena, &who, method, code ? code : "", assertion);
    if (err == MQ_ECONFLICT) return clone_refused(req, c->who->user_id);
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "method_not_available", NULL,
                          "this account has no such second factor");
    if (err == MQ_EPERM) {
        mq_req_audit(req, "reauthentication_failed", "user", "user", c->who->user_id,
                     json_pack("{s:s}", "method", method));
        return mq_problem(req, 403, "invalid_code", NULL, "the code is wrong or was used already");
    }
    if (err) return err;
    return reply_reauth(req, c->who, method);
}

mq_err mq_api_admin_mfa_policy_get(struct mq_req *req)
{
    json_t *roles = NULL;
    mq_err err = mq_mfa_policy_get(req->ctx, req->arena, &roles);
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:o}", "required_roles", roles));
}

mq_err mq_api_admin_mfa_policy_put(struct mq_req *req)
{
    json_t *doc = NULL, *roles = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    roles = json_object_get(doc, "required_roles");
    if (!json_is_array(roles))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "required_roles"),
                          "required_roles must be an array of role names");
    err = mq_mfa_policy_set(req->ctx, roles);
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "unknown_role", NULL,
                          "every entry must name a role (GET /api/v1/admin/roles)");
    if (err) return err;
    mq_req_audit(req, "mfa.policy_changed", req->actor_kind, NULL, NULL,
                 json_pack("{s:O}", "required_roles", roles));
    err = mq_mfa_policy_get(req->ctx, req->arena, &roles);
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:o}", "required_roles", roles));
}

/* WebAuthn: registering credentials, listing, renaming and deleting them,
 * the options of the second-factor and re-authentication ceremonies, and
 * passkey sign-in. */

static json_t *credential_json(const struct mq_passkey *c)
{
    json_t *transports = json_loads(c->transports, 0, NULL);
    return json_pack("{s:s,s:s,s:s,s:i,s:s,s:o,s:s,s:s,s:b,s:b,s:o,s:o,s:b}", "id", c->id, "name",
                     c->name, "credential_id", c->credential_id, "alg", c->alg, "aaguid", c->aaguid,
                     "transports", json_is_array(transports) ? transports : json_array(),
                     "attestation_format", c->attestation_format, "attestation_type",
                     c->attestation_type, "backup_eligible", c->backup_eligible, "backed_up",
                     c->backed_up, "created_at", mq_api_time(c->created_at), "last_used_at",
                     mq_api_time(c->last_used_at), "flagged", c->flagged_at != 0);
}

mq_err mq_api_webauthn_register_begin(struct mq_req *req)
{
    json_t *options = NULL;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (err) return err;
    err = mq_passkeys_register_begin(req->ctx, req->arena, &who, &options);
    if (err == MQ_ETOOBIG)
        return mq_problem(req, 409, "too_many_credentials", NULL,
                          "64 credentials at most; delete one first");
    if (err) return err;
    return mq_reply_json(req, 200, options);
}

mq_err mq_api_webauthn_register_finish(struct mq_req *req)
{
    const struct mq_principal *p = req->principal;
    json_t *doc = NULL;
    const char *name = NULL, *id = NULL;
    struct mq_refusal why = {0};
    bool end = false;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (!err) err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", false, &name);
    if (!err) err = mq_api_bool_field(req, doc, "end_other_sessions", &end);
    if (err) return err;
    json_t *credential = json_object_get(doc, "credential");
    if (!json_is_object(credential))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "credential"),
                          "credential must be the RegistrationResponseJSON of the key");
    err = mq_passkeys_register_finish(req->ctx, req->arena, &who, credential, name, &id, &why);
    if (err && why.code && !strcmp(why.code, "invalid_credential"))
        mq_req_audit(req, "webauthn.register_failed", "user", "user", p->user_id,
                     json_pack("{s:s}", "reason", why.detail));
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "webauthn.registered", "user", "webauthn_credential", id, NULL);
    struct mq_passkey *rows = NULL;
    size_t n = 0;
    err = mq_passkeys_list(req->ctx, req->arena, p->user_id, &rows, &n);
    if (err) return err;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].id, id)) continue;
        json_t *answer = credential_json(&rows[i]);
        err = answer ? end_others(req, p, end, answer) : MQ_ENOMEM;
        if (err) {
            json_decref(answer);
            return err;
        }
        return mq_reply_json(req, 201, answer);
    }
    return MQ_EINTERNAL;
}

static json_t *credential_item(const void *row, void *arg)
{
    (void)arg;
    return credential_json(row);
}

mq_err mq_api_webauthn_credentials_list(struct mq_req *req)
{
    struct mq_page_rows r = {.size = sizeof(struct mq_passkey), .item = credential_item};
    struct mq_passkey *rows = NULL;
    mq_err err = mq_passkeys_list(req->ctx, req->arena, req->principal->user_id, &rows, &r.n);
    r.rows = rows;
    return err ? err : mq_page_answer_all(req, &r);
}

mq_err mq_api_webauthn_credential_rename(struct mq_req *req)
{
    json_t *doc = NULL;
    const char *name = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "name", true, &name);
    if (err) return err;
    const char *id = mq_req_param(req, "id");
    err = mq_passkeys_rename(req->ctx, req->principal->user_id, id, name);
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "invalid_name", NULL,
                          "a credential's name is 1 to 64 characters, without control characters");
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "not_found", NULL, "no such credential");
    if (err) return err;
    mq_req_audit(req, "webauthn.renamed", "user", "webauthn_credential", id, NULL);
    return mq_api_webauthn_credentials_list(req);
}

mq_err mq_api_webauthn_credential_delete(struct mq_req *req)
{
    const struct mq_principal *p = req->principal;
    json_t *doc = NULL;
    bool end = false;
    struct mq_mfa_who who;
    mq_err err = recent_caller(req, &who);
    if (!err) err = change_body(req, &doc, &end);
    if (err) return err;
    const char *id = mq_req_param(req, "id");
    err = mq_passkeys_delete(req->ctx, req->arena, &who, id);
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "not_found", NULL, "no such credential");
    if (err == MQ_EPERM)
        return mq_problem(req, 403, "mfa_required_by_policy", NULL,
                          "your role must keep a second factor; add another before removing "
                          "this one");
    if (err) return err;
    mq_req_audit(req, "webauthn.deleted", "user", "webauthn_credential", id, NULL);
    return reply_status(req, p, &end);
}

/* Options for a second factor at sign-in ({mfa_token}), or, with an access
 * token, for re-authentication. */
mq_err mq_api_webauthn_login_begin(struct mq_req *req)
{
    json_t *doc = NULL, *options = NULL;
    const char *token = NULL;
    mq_err err = MQ_OK;
    if (req->body_len) {
        err = mq_api_body_object(req, &doc);
        if (!err) err = mq_api_string_field(req, doc, "mfa_token", false, &token);
        if (err) return err;
    }
    if (token) {
        if (sign_in_limited(req)) return MQ_OK;
        err = mq_signin_webauthn_options(req->ctx, req->arena, token, &options);
        if (err == MQ_EPERM)
            return mq_problem(req, 401, "invalid_mfa_token", NULL,
                              "the sign-in has expired, was completed, or ran out of attempts; "
                              "sign in again");
        if (err == MQ_EINVAL)
            return mq_problem(req, 422, "method_not_available", NULL,
                              "this account has no security key or passkey");
        if (err) return err;
        return mq_reply_json(req, 200, options);
    }
    const struct mq_principal *p = req->principal;
    if (!p) return mq_gate_unauthorized(req);
    err = mq_passkeys_assert_begin(req->ctx, req->arena, "reauth", p->user_id, NULL, &options);
    if (err) return err;
    return mq_reply_json(req, 200, options);
}

/* The answer: {mfa_token, assertion, remember_device} completes a sign-in;
 * with an access token, {assertion} re-authenticates. */
mq_err mq_api_webauthn_login_finish(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_mfa_answer in = {.ip = req->remote, .method = "webauthn", .code = ""};
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "mfa_token", false, &in.mfa_token);
    if (!err) err = mq_api_bool_field(req, doc, "remember_device", &in.remember_device);
    if (err) return err;
    in.assertion = json_object_get(doc, "assertion");
    if (!json_is_object(in.assertion))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "assertion"),
                          "assertion must be the AuthenticationResponseJSON of the key");
    if (in.mfa_token) {
        if (sign_in_limited(req)) return MQ_OK;
        return finish_sign_in(req, &in);
    }
    const struct mq_principal *p = req->principal;
    if (!p) return mq_gate_unauthorized(req);
    if (sign_in_limited(req)) return MQ_OK;
    struct mq_mfa_who who = who_of(req, p);
    err = mq_signin_reauth_factor(req->ctx, req->arena, &who, "webauthn", "", in.assertion);
    if (err == MQ_ECONFLICT) return clone_refused(req, p->user_id);
    if (err == MQ_EINVAL)
        return mq_problem(req, 422, "method_not_available", NULL,
                          "this account has no security key or passkey");
    if (err == MQ_EPERM) {
        mq_req_audit(req, "reauthentication_failed", "user", "user", p->user_id,
                     json_pack("{s:s}", "method", "webauthn"));
        return mq_problem(req, 403, "invalid_assertion", NULL,
                          "the security key's answer does not verify");
    }
    if (err) return err;
    return reply_reauth(req, p, "webauthn");
}

/* POST /auth/passkey/begin: options for a sign-in that names nobody. */
mq_err mq_api_auth_passkey_begin(struct mq_req *req)
{
    json_t *options = NULL;
    if (sign_in_limited(req)) return MQ_OK;
    mq_err err = mq_passkeys_assert_begin(req->ctx, req->arena, "passkey", NULL, NULL, &options);
    if (err) return err;
    return mq_reply_json(req, 200, options);
}

/* POST /auth/passkey/finish {assertion, device_name}. */
mq_err mq_api_auth_passkey_finish(struct mq_req *req)
{
    json_t *doc = NULL;
    struct mq_device device = {.ip = req->remote};
    struct mq_tokens t = {0};
    enum mq_passkey_verdict verdict;
    enum mq_login_outcome outcome;
    const char *why = NULL;
    char user[37];
    if (sign_in_limited(req)) return MQ_OK;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = mq_api_string_field(req, doc, "device_name", false, &device.device_name);
    if (err) return err;
    json_t *assertion = json_object_get(doc, "assertion");
    if (!json_is_object(assertion))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", "assertion"),
                          "assertion must be the AuthenticationResponseJSON of the passkey");
    const char *ua = mq_req_header(req, "User-Agent");
    device.user_agent = ua ? mq_arena_strndup(req->arena, ua, strnlen(ua, 256)) : NULL;
    err = mq_signin_passkey(req->ctx, req->arena, assertion, &device, &t, &verdict, &outcome, user,
                            &why);
    if (err && err != MQ_EPERM) return err;
    if (user[0]) {
        req->actor_id = mq_arena_strdup(req->arena, user);
        req->actor_kind = "user";
    }
    if (verdict == MQ_PASSKEY_CLONED) {
        mq_req_audit(req, "webauthn.clone_suspected", "user", "user", user,
                     json_pack("{s:s}", "via", "passkey"));
        mq_log_warn(req->ctx->log, "mfa",
                    "a WebAuthn counter went backwards for user %s: credential flagged", user);
    }
    if (err) {
        mq_req_audit(req, verdict == MQ_PASSKEY_OK ? "login.failed" : "login.passkey_failed",
                     user[0] ? "user" : "anonymous", user[0] ? "user" : NULL, user[0] ? user : NULL,
                     json_pack("{s:s}", "reason",
                               verdict == MQ_PASSKEY_OK ? "account state"
                               : why                    ? why
                                                        : "refused"));
        if (outcome == MQ_LOGIN_UNVERIFIED)
            return mq_problem(req, 403, "email_not_verified", NULL,
                              "confirm the e-mail address with the link sent to it first");
        (void)mq_reply_header(req, "WWW-Authenticate", "Bearer realm=\"marquee\"");
        return mq_problem(req, 401, "invalid_credentials", NULL,
                          "the passkey is unknown, disabled, or did not verify");
    }
    mq_req_audit(req, "login.success", "user", "user", user, json_pack("{s:s}", "via", "passkey"));
    return mq_api_reply_tokens(req, &t);
}
