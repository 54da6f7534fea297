#include "auth/signin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/conf.h"
#include "auth/mfa.h"
#include "core/address.h"
#include "core/text.h"
#include "core/uuid.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "mail/mail.h"
#include "notify/notify.h"
#include "store/mfa.h"
#include "store/sessions.h"
#include "store/users.h"

/* Hashed when no account matches, so that the work is the same. */
#define DUMMY_PASSWORD "no account has this password, it only costs the same"

mq_err mq_signin_count_failure(struct mq_ctx *ctx, struct mq_db *db, const struct mq_user_row *user,
                               const char *ip, bool *locked)
{
    int failures = 0;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *locked = false;
    mq_err err = mq_store_user_login_failed(db, user->id, mq_auth_conf(ctx->cfg)->lockout_threshold,
                                            now + mq_auth_conf(ctx->cfg)->lockout_duration, now,
                                            &failures, locked);
    /* A deleted account's owner is not mailed about it. */
    if (err || !*locked || user->deleted_at) return err;
    char minutes[24];
    snprintf(minutes, sizeof(minutes), "%ld",
             (mq_auth_conf(ctx->cfg)->lockout_duration + 59999) / 60000);
    json_t *vars = json_pack("{s:s,s:s,s:s}", "name", user->display_name, "minutes", minutes, "ip",
                             ip ? ip : "unknown");
    if (!vars) return MQ_ENOMEM;
    struct mq_mail m = {.to = user->email, .template = "account-locked", .vars = vars};
    char until[40];
    mq_time_format_rfc3339(now + mq_auth_conf(ctx->cfg)->lockout_duration, until, sizeof(until));
    json_t *nvars = json_pack("{s:s}", "until", until);
    struct mq_notice n = {
        .event = "auth.lockout", .user_id = user->id, .vars = nvars, .link = "/settings/security"};
    struct mq_arena *a = mq_arena_new(4096); /* the callers have none to spare here */
    err = mq_mail_enqueue(ctx, db, &m);
    if (!err) err = nvars && a ? mq_notify(ctx, db, a, &n, NULL) : MQ_ENOMEM;
    mq_arena_free(a);
    json_decref(nvars);
    json_decref(vars);
    return err;
}

/* The gate, in the sign-in's write transaction once the password is right:
 * decides whether the user needs a second factor (then makes an mfa_token
 * in out->mfa_token, with out->mfa_methods), gets an enrol-only session
 * (*factor filled so), or a full one (a trusted device token may have
 * vouched: *factor says so). *pending tells the caller not to open a
 * session. */
static mq_err gate(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                   const struct mq_user_row *user, const struct mq_login *in, struct mq_tokens *out,
                   struct mq_session_factor *factor, bool *pending)
{
    struct mq_mfa_factors f;
    bool required = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *pending = false;
    factor->method = NULL;
    factor->enrol_only = false;
    out->mfa_token = NULL;
    out->mfa_methods = 0;
    out->device_token = NULL;
    mq_err err = mq_store_mfa_factors(db, a, user->id, now, &f);
    if (!err) err = mq_mfa_policy_requires_user(db, a, user->id, &required);
    if (err) return err;
    if (!mq_mfa_policy_has_factor(&f)) {
        factor->enrol_only = required;
        return MQ_OK;
    }
    if (!f.enabled_at && !required) return MQ_OK;

    if (in->device_token && mq_secret_token_shaped(in->device_token, "mqd_")) {
        char hash[65];
        mq_secret_token_hash(in->device_token, hash);
        err = mq_store_device_use(db, user->id, hash, now);
        if (!err) {
            factor->method = "trusted_device";
            return MQ_OK;
        }
        if (err != MQ_ENOTFOUND) return err;
    }

    char hash[65];
    char *token = mq_secret_token_new(ctx->rng, a, "mqm_", hash);
    if (!token) return MQ_ENOMEM;
    struct mq_mfa_challenge c = {.token_hash = hash,
                                 .user_id = user->id,
                                 .ip = in->device.ip,
                                 .user_agent = in->device.user_agent,
                                 .device_name = in->device.device_name,
                                 .created_at = now,
                                 .expires_at = now + MQ_MFA_CHALLENGE_TTL_MS,
                                 .restore = in->restore && user->deleted_at};
    err = mq_store_challenge_insert(db, &c);
    if (err) return err;
    out->mfa_token = token;
    out->mfa_methods = mq_mfa_methods(&f);
    *pending = true;
    return MQ_OK;
}

mq_err mq_signin_password(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_login *in,
                          struct mq_tokens *out, enum mq_login_outcome *outcome, char user_id[37])
{
    char key[MQ_EMAIL_MAX + 1], rehash[MQ_PASSWORD_HASH_MAX];
    struct mq_user_row user;
    struct mq_db *db = NULL;
    bool ok = false, found;
    user_id[0] = '\0';
    *outcome = MQ_LOGIN_UNKNOWN;

    mq_address_key(in->email ? in->email : "", key);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_user_by_email(db, a, key, &user);
    err = mq_store_finish(db, err);
    db = NULL;
    found = err == MQ_OK;
    if (err && err != MQ_ENOTFOUND) return err;

    /* One argon2id computation either way. */
    if (!found) {
        err = mq_password_hash(ctx->cfg, DUMMY_PASSWORD, rehash);
        sodium_memzero(rehash, sizeof(rehash));
        return err ? err : MQ_EPERM;
    }
    memcpy(user_id, user.id, 37);
    if (mq_password_verify(user.password_hash, in->password ? in->password : "", &ok)) ok = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (user.suspended_at) {
        *outcome = MQ_LOGIN_DISABLED;
        return MQ_EPERM;
    }
    if (user.locked_until > now) {
        *outcome = MQ_LOGIN_LOCKED;
        return MQ_EPERM;
    }
    if (!ok) {
        bool locked = false;
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err) err = mq_signin_count_failure(ctx, db, &user, in->device.ip, &locked);
        err = mq_store_finish(db, err);
        *outcome = locked ? MQ_LOGIN_LOCKOUT : MQ_LOGIN_WRONG;
        return err ? err : MQ_EPERM;
    }

    if (user.deleted_at) {
        /* The password is right: the owner may learn the account's state,
         * and restore it within the grace period. */
        if (!in->restore ||
            user.deleted_at + mq_auth_conf(ctx->cfg)->account_deletion_grace <= now) {
            *outcome = MQ_LOGIN_DELETED;
            return MQ_EPERM;
        }
    }
    if (mq_auth_conf(ctx->cfg)->require_verified_email && !user.email_verified_at) {
        *outcome = MQ_LOGIN_UNVERIFIED;
        return MQ_EPERM;
    }

    /* Stronger parameters configured since this hash was made: re-make it. */
    const char *new_hash = NULL;
    if (mq_password_needs_rehash(ctx->cfg, user.password_hash) &&
        mq_password_hash(ctx->cfg, in->password, rehash) == MQ_OK)
        new_hash = rehash;

    struct mq_session_factor factor = {0};
    bool pending = false;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = gate(ctx, db, a, &user, in, out, &factor, &pending);
    if (!err && pending) {
        /* Failures keep counting until the second factor is right. */
        if (new_hash) err = mq_store_user_rehash(db, user.id, new_hash, now);
        err = mq_store_finish(db, err);
        sodium_memzero(rehash, sizeof(rehash));
        if (err) return err;
        *outcome = MQ_LOGIN_MFA;
        return MQ_OK;
    }
    if (!err) err = mq_store_user_login_ok(db, user.id, new_hash, now);
    if (!err && user.deleted_at) err = mq_store_user_restore(db, user.id, now);
    if (!err) err = mq_session_open(ctx, db, a, user.id, &in->device, &factor, out);
    err = mq_store_finish(db, err);
    sodium_memzero(rehash, sizeof(rehash));
    if (err) return err;
    *outcome = user.deleted_at ? MQ_LOGIN_RESTORED : MQ_LOGIN_OK;
    return MQ_OK;
}

mq_err mq_signin_second_factor(struct mq_ctx *ctx, struct mq_arena *a,
                               const struct mq_mfa_answer *in, struct mq_tokens *out,
                               enum mq_mfa_outcome *outcome, char user_id[37])
{
    char hash[65];
    struct mq_mfa_challenge c;
    struct mq_user_row u;
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    bool ok = false, won = false, locked = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *outcome = MQ_MFA_BAD_TOKEN;
    user_id[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (!in->mfa_token || !mq_secret_token_shaped(in->mfa_token, "mqm_")) return MQ_EPERM;
    mq_secret_token_hash(in->mfa_token, hash);

    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_challenge_attempt(db, a, hash, now, MQ_MFA_CHALLENGE_ATTEMPTS, &c);
    if (err == MQ_ENOTFOUND) {
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_user_by_id(db, a, c.user_id, &u);
    if (err) return mq_store_finish(db, err);
    snprintf(user_id, 37, "%s", u.id);
    if (u.suspended_at || u.locked_until > now || (u.deleted_at && !c.restore)) {
        /* The attempt counts; the code is not even looked at. */
        *outcome = MQ_MFA_LOCKED;
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    struct mq_mfa_check chk = {.purpose = "mfa", .mfa_token_hash = hash};
    err = mq_store_mfa_factors(db, a, u.id, now, &f);
    if (!err)
        err = mq_mfa_check(ctx, db, a, u.id, &f, in->method, in->code, in->assertion, in->ip, &chk,
                           &ok);
    if (err == MQ_EINVAL) {
        /* A method the user lacks: the attempt counts all the same. */
        mq_err ferr = mq_store_finish(db, MQ_OK);
        return ferr ? ferr : MQ_EINVAL;
    }
    if (!err && !ok) {
        err = mq_signin_count_failure(ctx, db, &u, in->ip, &locked);
        *outcome = locked ? MQ_MFA_LOCKOUT : chk.cloned ? MQ_MFA_CLONED : MQ_MFA_WRONG;
        err = mq_store_finish(db, err);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_challenge_use(db, hash, now, &won);
    if (!err && !won) {
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_user_login_ok(db, u.id, NULL, now);
    if (!err && c.restore && u.deleted_at) err = mq_store_user_restore(db, u.id, now);
    struct mq_device device = {c.ip, c.user_agent, c.device_name};
    struct mq_session_factor factor = {.method = in->method};
    if (!err) err = mq_session_open(ctx, db, a, u.id, &device, &factor, out);
    if (!err && in->remember_device && mq_auth_conf(ctx->cfg)->mfa_remember_device > 0) {
        char dhash[65], id[37];
        char *token = mq_secret_token_new(ctx->rng, a, "mqd_", dhash);
        mq_uuid7_new(ctx->clock, ctx->rng, id);
        struct mq_trusted_device d = {.id = id,
                                      .user_id = u.id,
                                      .token_hash = dhash,
                                      .created_at = now,
                                      .expires_at =
                                          now + mq_auth_conf(ctx->cfg)->mfa_remember_device,
                                      .ip = c.ip,
                                      .user_agent = c.user_agent,
                                      .device_name = c.device_name};
        err = token ? mq_store_device_insert(db, &d) : MQ_ENOMEM;
        out->device_token = token;
    }
    err = mq_store_finish(db, err);
    if (err) return err;
    *outcome = MQ_MFA_OK;
    return MQ_OK;
}

/* The hash under which a sign-in's mfa_token is stored (and a WebAuthn
 * challenge for it bound to); false for a token of the wrong shape. */
static bool mfa_token_hash(const char *mfa_token, char hash[65])
{
    if (!mfa_token || !mq_secret_token_shaped(mfa_token, "mqm_")) return false;
    mq_secret_token_hash(mfa_token, hash);
    return true;
}

mq_err mq_signin_webauthn_options(struct mq_ctx *ctx, struct mq_arena *a, const char *mfa_token,
                                  json_t **options)
{
    char hash[65];
    const char *user_id = NULL;
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (!mfa_token_hash(mfa_token, hash)) return MQ_EPERM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_challenge_peek(db, a, hash, now, MQ_MFA_CHALLENGE_ATTEMPTS, &user_id);
    if (!err) err = mq_store_mfa_factors(db, a, user_id, now, &f);
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND) return MQ_EPERM;
    if (err) return err;
    if (!f.webauthn_usable) return MQ_EINVAL;
    return mq_passkeys_assert_begin(ctx, a, "mfa", user_id, hash, options);
}

mq_err mq_signin_passkey(struct mq_ctx *ctx, struct mq_arena *a, json_t *assertion,
                         const struct mq_device *device, struct mq_tokens *out,
                         enum mq_passkey_verdict *verdict, enum mq_login_outcome *outcome,
                         char user_id[37], const char **why)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    const char *owner = NULL, *credential = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *outcome = MQ_LOGIN_UNKNOWN;
    user_id[0] = '\0';
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_passkeys_check(ctx, db, a, "passkey", NULL, NULL, assertion, verdict, &owner,
                            &credential, why);
    if (!err && owner) snprintf(user_id, 37, "%s", owner);
    if (!err && *verdict != MQ_PASSKEY_OK) {
        /* The challenge is used up, a clone is flagged: keep both. */
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_user_by_id(db, a, owner, &u);
    if (err) return mq_store_finish(db, err);
    /* The same refusals as a password sign-in; a passkey is both factors. */
    if (u.suspended_at)
        *outcome = MQ_LOGIN_DISABLED;
    else if (u.locked_until > now)
        *outcome = MQ_LOGIN_LOCKED;
    else if (u.deleted_at)
        *outcome = MQ_LOGIN_DELETED;
    else if (mq_auth_conf(ctx->cfg)->require_verified_email && !u.email_verified_at)
        *outcome = MQ_LOGIN_UNVERIFIED;
    else
        *outcome = MQ_LOGIN_OK;
    if (*outcome != MQ_LOGIN_OK) {
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    struct mq_session_factor factor = {.method = "webauthn"};
    err = mq_store_user_login_ok(db, u.id, NULL, now);
    if (!err) err = mq_session_open(ctx, db, a, u.id, device, &factor, out);
    return mq_store_finish(db, err);
}

mq_err mq_signin_reauth_password(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                 const char *session_id, const char *password, const char *ip)
{
    struct mq_user_row user;
    struct mq_db *db = NULL;
    bool ok = false, locked = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_user_by_id(db, a, user_id, &user);
    err = mq_store_finish(db, err);
    db = NULL;
    if (err) return err == MQ_ENOTFOUND ? MQ_EPERM : err;
    if (mq_password_verify(user.password_hash, password ? password : "", &ok)) ok = false;
    if (user.locked_until > now) ok = false;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    if (ok) {
        err = mq_store_session_reauth(db, session_id, now);
    } else {
        err = mq_signin_count_failure(ctx, db, &user, ip, &locked);
    }
    err = mq_store_finish(db, err);
    return err ? err : ok ? MQ_OK : MQ_EPERM;
}

mq_err mq_signin_reauth_factor(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                               const char *method, const char *code, json_t *assertion)
{
    struct mq_mfa_check chk = {.purpose = "reauth"};
    struct mq_mfa_factors f;
    struct mq_user_row u;
    struct mq_db *db = NULL;
    bool ok = false, locked = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (!err && u.locked_until > now) {
        mq_store_rollback(db);
        return MQ_EPERM;
    }
    if (!err) err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err)
        err =
            mq_mfa_check(ctx, db, a, who->user_id, &f, method, code, assertion, who->ip, &chk, &ok);
    if (!err && !ok) {
        err = mq_signin_count_failure(ctx, db, &u, who->ip, &locked);
        err = mq_store_finish(db, err);
        return err ? err : chk.cloned ? MQ_ECONFLICT : MQ_EPERM;
    }
    if (!err) err = mq_store_session_reauth(db, who->session_id, now);
    return mq_store_finish(db, err);
}

bool mq_signin_recent(const struct mq_ctx *ctx, const struct mq_principal *who)
{
    return who->auth_at &&
           mq_clock_now_ms(ctx->clock) - who->auth_at <= mq_auth_conf(ctx->cfg)->reauth_window;
}
