#include "auth/sessions.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/keyring.h"
#include "auth/tokencache.h"
#include "core/uuid.h"
#include "crypto/jwt.h"
#include "crypto/token.h"
#include "notify/notify.h"
#include "store/sessions.h"
#include "auth/conf.h"
#include "system/conf.h"

#define LEEWAY_S 30

static mq_err new_refresh_token(struct mq_ctx *ctx, struct mq_arena *a, char **token, char hash[65])
{
    *token = mq_secret_token_new(ctx->rng, a, "mqr_", hash);
    return *token ? MQ_OK : MQ_ENOMEM;
}

static mq_err issue_access(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                           const char *session_id, const char *actor_id, struct mq_tokens *out)
{
    char jti[37];
    int64_t now = mq_clock_now_ms(ctx->clock) / 1000;
    mq_uuid7_new(ctx->clock, ctx->rng, jti);
    struct mq_jwt_claims c = {.iss = mq_system_conf(ctx->cfg)->public_url,
                              .aud = mq_auth_conf(ctx->cfg)->jwt_audience,
                              .sub = user_id,
                              .sid = session_id,
                              .jti = jti,
                              .iat = now,
                              .exp = now + mq_auth_conf(ctx->cfg)->access_token_ttl / 1000,
                              .act_sub = actor_id};
    out->expires_in = mq_auth_conf(ctx->cfg)->access_token_ttl / 1000;
    snprintf(out->session_id, sizeof(out->session_id), "%s", session_id);
    return mq_jwt_issue(a, mq_keyring_signer(ctx->keyring), &c, &out->access_token);
}

/* A sign-in from a device or an address no earlier session of the
 * account used is told to its owner (auth.new_login); the first sign-in
 * of an account is not. */
static mq_err tell_if_new(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                          const char *user_id, const struct mq_device *in)
{
    struct mq_session_seen seen;
    char when[40];
    mq_err err = mq_store_sessions_seen(db, user_id, in->ip, in->user_agent, &seen);
    /* No user agent says nothing of the device (a session a password
     * change opens, a client that sends none): only the address counts. */
    if (!in->user_agent || !*in->user_agent) seen.device = true;
    if (err || !seen.any || (seen.address && seen.device)) return err;
    mq_time_format_rfc3339(mq_clock_now_ms(ctx->clock), when, sizeof(when));
    const char *device = in->device_name && *in->device_name ? in->device_name
                         : in->user_agent && *in->user_agent ? in->user_agent
                                                             : "an unnamed device";
    json_t *vars = json_pack("{s:s,s:s,s:s}", "device", device, "ip", in->ip ? in->ip : "unknown",
                             "time", when);
    struct mq_notice n = {
        .event = "auth.new_login", .user_id = user_id, .vars = vars, .link = "/settings/security"};
    err = vars ? mq_notify(ctx, db, a, &n, NULL) : MQ_ENOMEM;
    json_decref(vars);
    return err;
}

mq_err mq_session_open(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                       const char *user_id, const struct mq_device *in,
                       const struct mq_session_factor *factor, struct mq_tokens *out)
{
    char session_id[37], hash[65];
    char *refresh = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock), trimmed = 0;
    mq_uuid7_new(ctx->clock, ctx->rng, session_id);
    mq_err err = new_refresh_token(ctx, a, &refresh, hash);
    if (err) return err;
    int64_t expires = now + mq_auth_conf(ctx->cfg)->session_max_ttl;
    int64_t idle = now + mq_auth_conf(ctx->cfg)->session_idle_ttl < expires
                       ? now + mq_auth_conf(ctx->cfg)->session_idle_ttl
                       : expires;
    struct mq_session_row s = {.id = session_id,
                               .user_id = user_id,
                               .ip = in->ip,
                               .user_agent = in->user_agent,
                               .device_name = in->device_name,
                               .created_at = now,
                               .last_seen_at = now,
                               .idle_expires_at = idle,
                               .expires_at = expires,
                               .mfa_method = factor ? factor->method : NULL,
                               .mfa_verified_at = factor && factor->method ? now : 0,
                               .auth_at = now,
                               .enrol_only = factor && factor->enrol_only};
    err = tell_if_new(ctx, db, a, user_id, in);
    if (!err) err = mq_store_session_insert(db, &s);
    if (!err) err = mq_store_refresh_insert(db, hash, session_id, now);
    if (!err)
        err = mq_store_sessions_trim(db, user_id, now, mq_auth_conf(ctx->cfg)->sessions_per_user,
                                     &trimmed);
    if (!err && trimmed) err = mq_session_publish_revoked(ctx, db, user_id, NULL, "too_many");
    if (err) return err;
    out->refresh_token = refresh;
    out->enrol_only = s.enrol_only;
    return issue_access(ctx, a, user_id, session_id, NULL, out);
}

mq_err mq_session_open_impersonation(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                     const char *user_id, const char *actor_id,
                                     const struct mq_device *device, struct mq_tokens *out)
{
    char session_id[37];
    int64_t now = mq_clock_now_ms(ctx->clock);
    int64_t expires = now + mq_auth_conf(ctx->cfg)->access_token_ttl + LEEWAY_S * 1000;
    mq_uuid7_new(ctx->clock, ctx->rng, session_id);
    struct mq_session_row s = {.id = session_id,
                               .user_id = user_id,
                               .ip = device->ip,
                               .user_agent = device->user_agent,
                               .device_name = "impersonation",
                               .created_at = now,
                               .last_seen_at = now,
                               .idle_expires_at = expires,
                               .expires_at = expires,
                               .auth_at = now,
                               .actor_id = actor_id};
    *out = (struct mq_tokens){0};
    mq_err err = mq_store_session_insert(db, &s);
    return err ? err : issue_access(ctx, a, user_id, session_id, actor_id, out);
}

mq_err mq_session_publish_revoked(struct mq_ctx *ctx, struct mq_db *db, const char *user_id,
                                  const char *session_id, const char *reason)
{
    char detail[96];
    snprintf(detail, sizeof(detail), "{\"reason\":\"%s\"}", reason);
    struct mq_event e = {"session.revoked", session_id, user_id, detail};
    return mq_db_publish(db, ctx->events, &e);
}

mq_err mq_session_refresh(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                          struct mq_tokens *out, bool *reused, char user_id[37])
{
    char hash[65], new_hash[65];
    const char *session_id = NULL;
    struct mq_session_auth sa;
    char *refresh = NULL;
    int64_t rotated_at = 0, now = mq_clock_now_ms(ctx->clock);
    struct mq_session_row s;
    struct mq_db *db = NULL;
    bool won = false;
    *reused = false;
    user_id[0] = '\0';
    if (!mq_secret_token_shaped(token, "mqr_")) return MQ_EPERM;
    mq_secret_token_hash(token, hash);
    mq_err err = new_refresh_token(ctx, a, &refresh, new_hash);
    if (err) return err;

    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_refresh_get(db, a, hash, &session_id, &rotated_at);
    if (err == MQ_ENOTFOUND) err = MQ_EPERM;
    if (!err) err = mq_store_session_get(db, a, session_id, &s);
    if (!err) snprintf(user_id, 37, "%s", s.user_id);
    if (!err && !rotated_at) err = mq_store_refresh_rotate(db, hash, now, &won);
    if (!err && (rotated_at || !won)) {
        /* Used before: someone else has (had) this token. End the family. */
        *reused = true;
        err = mq_store_session_revoke(db, session_id, now, "refresh_token_reuse", NULL);
        if (!err)
            err = mq_session_publish_revoked(ctx, db, s.user_id, session_id, "refresh_token_reuse");
        err = mq_store_finish(db, err);
        return err ? err : MQ_EPERM;
    }
    if (!err && mq_store_session_active(db, a, session_id, s.user_id, now, &sa)) err = MQ_EPERM;
    if (!err) err = mq_store_refresh_insert(db, new_hash, session_id, now);
    int64_t idle = now + mq_auth_conf(ctx->cfg)->session_idle_ttl;
    if (!err)
        err =
            mq_store_session_touch(db, session_id, now, idle < s.expires_at ? idle : s.expires_at);
    err = mq_store_finish(db, err);
    if (err) return err;
    out->refresh_token = refresh;
    out->enrol_only = sa.enrol_only;
    return issue_access(ctx, a, s.user_id, session_id, s.actor_id, out);
}

mq_err mq_session_logout(struct mq_ctx *ctx, const char *session_id, const char *reason)
{
    struct mq_db *db = NULL;
    bool ended = false;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_session_revoke(db, session_id, mq_clock_now_ms(ctx->clock), reason, &ended);
    if (!err && ended) err = mq_session_publish_revoked(ctx, db, NULL, session_id, reason);
    return mq_store_finish(db, err);
}

mq_err mq_sessions_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                        const char *before_id, int limit, struct mq_session **out, size_t *n)
{
    struct mq_session_row *rows = NULL;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_sessions_list(db, a, user_id, mq_clock_now_ms(ctx->clock),
                                                     before_id, limit, &rows, n));
    if (err) return err;
    *out = mq_arena_calloc(a, *n ? *n : 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (struct mq_session){.id = rows[i].id,
                                        .ip = rows[i].ip,
                                        .user_agent = rows[i].user_agent,
                                        .device_name = rows[i].device_name,
                                        .created_at = rows[i].created_at,
                                        .last_seen_at = rows[i].last_seen_at,
                                        .expires_at = rows[i].expires_at,
                                        .mfa_method = rows[i].mfa_method,
                                        .mfa_verified_at = rows[i].mfa_verified_at,
                                        .actor_id = rows[i].actor_id};
    return MQ_OK;
}

mq_err mq_session_end(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                      const char *session_id, const char *reason)
{
    struct mq_session_row s;
    struct mq_db *db = NULL;
    bool ended = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_session_get(db, a, session_id, &s);
    /* Someone else's session is as unknown as a made-up id. */
    if (!err && (strcmp(s.user_id, user_id) || s.expires_at <= now || s.idle_expires_at <= now))
        err = MQ_ENOTFOUND;
    if (!err) err = mq_store_session_revoke(db, session_id, now, reason, &ended);
    if (!err && !ended) err = MQ_ENOTFOUND;
    if (!err) err = mq_session_publish_revoked(ctx, db, user_id, session_id, reason);
    return mq_store_finish(db, err);
}

mq_err mq_sessions_end_others(struct mq_ctx *ctx, const char *user_id, const char *keep,
                              const char *reason, int64_t *ended)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_sessions_revoke_others(db, user_id, keep, mq_clock_now_ms(ctx->clock), reason,
                                          ended);
    if (!err && *ended) err = mq_session_publish_revoked(ctx, db, user_id, NULL, reason);
    return mq_store_finish(db, err);
}

mq_err mq_session_of_refresh_token(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                   const char **session_id)
{
    char hash[65];
    int64_t rotated_at = 0;
    struct mq_db *db = NULL;
    if (!mq_secret_token_shaped(token, "mqr_")) return MQ_EPERM;
    mq_secret_token_hash(token, hash);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_refresh_get(db, a, hash, session_id, &rotated_at));
    return err == MQ_ENOTFOUND ? MQ_EPERM : err;
}

mq_err mq_session_authenticate(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                               struct mq_principal *out, const char **why)
{
    struct mq_jwt_claims c;
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_jwt_expect expect = {mq_system_conf(ctx->cfg)->public_url,
                                   mq_auth_conf(ctx->cfg)->jwt_audience, now / 1000, LEEWAY_S};
    if (!ctx->keyring) {
        *why = "not started";
        return MQ_EUNAVAILABLE;
    }
    mq_err err;
    if (!ctx->token_cache || !mq_token_cache_get(ctx->token_cache, a, token, now, &c.sub, &c.sid)) {
        err = mq_jwt_verify(a, token, mq_keyring_public, ctx->keyring, &expect, &c, why);
        if (err) return err;
        if (!c.sub || !c.sid) {
            *why = "the token names no user or session";
            return MQ_EPERM;
        }
        if (ctx->token_cache)
            mq_token_cache_put(ctx->token_cache, token, c.sub, c.sid, (c.exp + LEEWAY_S) * 1000);
    }
    err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    struct mq_session_auth sa;
    *out = (struct mq_principal){0};
    err = mq_store_session_active(db, a, c.sid, c.sub, now, &sa);
    if (!err) err = mq_authz_get(ctx, db, a, c.sub, sa.authz_version, &out->authz);
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND) {
        *why = "the session has ended";
        return MQ_EPERM;
    }
    if (err) return err;
    out->user_id = c.sub;
    out->session_id = c.sid;
    out->mfa_method = sa.mfa_method;
    out->auth_at = sa.auth_at;
    out->enrol_only = sa.enrol_only;
    out->actor_id = sa.actor_id;
    return MQ_OK;
}
