#include "users/account.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/conf.h"
#include "core/address.h"
#include "core/buf.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "mail/mail.h"
#include "notify/notify.h"
#include "store/apikeys.h"
#include "store/roles.h"
#include "store/sessions.h"
#include "store/users.h"
#include "system/conf.h"
#include "users/invites.h"
#include "users/password_policy.h"
#include "users/users.h"

#define VERIFY_PREFIX "mqv_"
#define RESET_PREFIX  "mqp_"
/* Hashed when no account matches, so that the work is the same. */
#define DUMMY_PASSWORD "no account has this password, it only costs the same"

struct link_kind {
    const char *purpose, *prefix, *template, *path;
    int64_t ttl_ms;
};

static const struct link_kind VERIFY = {"verify", VERIFY_PREFIX, "verify-email", "verify-email",
                                        MQ_VERIFY_TTL_MS};
static const struct link_kind RESET = {"reset", RESET_PREFIX, "reset-password", "reset-password",
                                       MQ_RESET_TTL_MS};

/* Voids the user's unused links of this kind, stores a new one and queues
 * the mail carrying it, to `email`, all in the caller's transaction. */
static mq_err send_link(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                        const struct link_kind *k, const char *user_id, const char *email,
                        const char *name)
{
    char hash[65], count[24];
    int64_t now = mq_clock_now_ms(ctx->clock);
    char *token = mq_secret_token_new(ctx->rng, a, k->prefix, hash);
    char *link = token ? mq_arena_printf(a, "%s/%s?token=%s",
                                         mq_system_conf(ctx->cfg)->public_url
                                             ? mq_system_conf(ctx->cfg)->public_url
                                             : "",
                                         k->path, token)
                       : NULL;
    if (!link) return MQ_ENOMEM;
    struct mq_email_token t = {hash, user_id, k->purpose, email, now, now + k->ttl_ms};
    mq_err err = mq_store_email_tokens_drop(db, user_id, k->purpose);
    if (!err) err = mq_store_email_token_insert(db, &t);
    if (err) return err;
    snprintf(count, sizeof(count), "%lld",
             (long long)(k->ttl_ms / (k == &VERIFY ? 3600000 : 60000)));
    json_t *vars = json_pack("{s:s,s:s,s:s}", "name", name, "link", link,
                             k == &VERIFY ? "hours" : "minutes", count);
    if (!vars) return MQ_ENOMEM;
    struct mq_mail m = {.to = email, .template = k->template, .vars = vars};
    err = mq_mail_enqueue(ctx, db, &m);
    json_decref(vars);
    return err;
}

/* A notice with the usual values (name, time, ip) and one optional more. */
static mq_err send_notice(struct mq_ctx *ctx, struct mq_db *db, const char *template,
                          const char *to, const char *name, const char *ip, const char *key,
                          const char *value)
{
    char when[40];
    mq_time_format_rfc3339(mq_clock_now_ms(ctx->clock), when, sizeof(when));
    json_t *vars =
        json_pack("{s:s,s:s,s:s}", "name", name, "time", when, "ip", ip ? ip : "unknown");
    if (!vars) return MQ_ENOMEM;
    if (key && json_object_set_new(vars, key, json_string(value))) {
        json_decref(vars);
        return MQ_ENOMEM;
    }
    struct mq_mail m = {.to = to, .template = template, .vars = vars};
    mq_err err = mq_mail_enqueue(ctx, db, &m);
    json_decref(vars);
    return err;
}

static mq_err read_user(struct mq_ctx *ctx, struct mq_arena *a, bool by_email, const char *which,
                        struct mq_user_row *out)
{
    char key[MQ_EMAIL_MAX + 1];
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    if (by_email) {
        mq_address_key(which, key);
        err = mq_store_user_by_email(db, a, key, out);
    } else {
        err = mq_store_user_by_id(db, a, which, out);
    }
    return mq_store_finish(db, err);
}

/* Checks a password for an action of the signed-in owner; a wrong one
 * counts towards the lock like a failed sign-in. */
static mq_err check_password(struct mq_ctx *ctx, const struct mq_user_row *u, const char *password,
                             struct mq_refusal *why)
{
    bool ok = false;
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (mq_password_verify(u->password_hash, password ? password : "", &ok)) ok = false;
    if (ok && u->locked_until <= now) return MQ_OK;
    if (!ok) {
        struct mq_db *db = NULL;
        int failures = 0;
        bool locked = false;
        mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err)
            err = mq_store_user_login_failed(db, u->id, mq_auth_conf(ctx->cfg)->lockout_threshold,
                                             now + mq_auth_conf(ctx->cfg)->lockout_duration, now,
                                             &failures, &locked);
        err = mq_store_finish(db, err);
        if (err) return err;
    }
    return mq_refuse(why, MQ_EPERM, "wrong_password", NULL,
                     "the current password is wrong (or the account is locked)");
}

struct register_hook {
    struct mq_arena *a;
    const char *invite_id; /* or NULL */
};

static mq_err invalid_invite(struct mq_refusal *why)
{
    return mq_refuse(why, MQ_EPERM, "invalid_invite", NULL,
                     "the invitation is unknown, used, expired or for another address");
}

static mq_err mail_verification(struct mq_ctx *ctx, struct mq_db *db, const struct mq_user_row *row,
                                void *arg, struct mq_refusal *why)
{
    struct register_hook *h = arg;
    mq_err err = h->invite_id ? mq_invites_use_in(ctx, db, h->invite_id, row->id) : MQ_OK;
    /* Used meanwhile by someone else. */
    if (err == MQ_EPERM) return invalid_invite(why);
    return err ? err : send_link(ctx, db, h->a, &VERIFY, row->id, row->email, row->display_name);
}

mq_err mq_account_register(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_registration *r,
                           char id[37], struct mq_refusal *why)
{
    struct mq_user_row existing;
    char hash[MQ_PASSWORD_HASH_MAX];
    struct register_hook hook = {a, NULL};
    id[0] = '\0';
    const char *name = r->display_name, *rule = NULL;
    if (!r->email || !mq_email_valid(r->email, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_email", NULL, "%s",
                         rule ? rule : "give an e-mail address");
    if (name && !mq_display_name_valid(name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "%s", rule);
    if (!name) name = mq_arena_strndup(a, r->email, strcspn(r->email, "@"));
    if (!name) return MQ_ENOMEM;
    if (!r->password)
        return mq_refuse(why, MQ_EINVAL, "password_too_short", NULL, "give a password");
    mq_err err = mq_password_policy_check(ctx->cfg, r->password, r->email, name, why);
    if (err) return err;
    struct mq_invite invite;
    err = r->invite ? mq_invites_find(ctx, a, r->invite, r->email, &invite) : MQ_OK;
    if (err == MQ_EPERM) return invalid_invite(why);
    if (err) return err;
    hook.invite_id = r->invite ? invite.id : NULL;

    err = read_user(ctx, a, true, r->email, &existing);
    if (err == MQ_ENOTFOUND) {
        struct mq_user_new u = {.email = r->email,
                                .display_name = name,
                                .password = r->password,
                                .role = r->invite ? invite.role : "user",
                                .then = mail_verification,
                                .then_arg = &hook};
        err = mq_users_create(ctx, &u, id, why);
        if (err != MQ_ECONFLICT) return err;
        /* Registered meanwhile by someone else: as if it had been there. */
        id[0] = '\0';
        return MQ_OK;
    }
    if (err) return err;
    /* The same argon2id work as a creation, then a word to the owner. */
    err = mq_password_hash(ctx->cfg, DUMMY_PASSWORD, hash);
    sodium_memzero(hash, sizeof(hash));
    if (err) return err;
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    /* Used up as by a new account, so that it answers the same. */
    if (hook.invite_id) err = mq_invites_use_in(ctx, db, hook.invite_id, existing.id);
    json_t *vars = json_pack("{s:s}", "name", existing.display_name);
    struct mq_mail m = {.to = existing.email, .template = "account-exists", .vars = vars};
    bool tell = !existing.suspended_at &&
                (!r->may_mail_owner || r->may_mail_owner(r->may_mail_cls, existing.email));
    if (!err && tell) err = vars ? mq_mail_enqueue(ctx, db, &m) : MQ_ENOMEM;
    json_decref(vars);
    err = mq_store_finish(db, err);
    return err == MQ_EPERM ? invalid_invite(why) : err;
}

mq_err mq_account_resend_verification(struct mq_ctx *ctx, struct mq_arena *a, const char *email,
                                      const char *user_id, const char **user_id_out)
{
    struct mq_user_row u;
    const char *why;
    *user_id_out = NULL;
    if (email && !mq_email_valid(email, &why)) return MQ_OK;
    mq_err err = read_user(ctx, a, email != NULL, email ? email : user_id, &u);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (err) return err;
    *user_id_out = mq_arena_strdup(a, u.id);
    if (u.email_verified_at || u.suspended_at || u.deleted_at) return MQ_OK;
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    return mq_store_finish(db, send_link(ctx, db, a, &VERIFY, u.id, u.email, u.display_name));
}

static mq_err verify_link_gone(struct mq_refusal *why)
{
    return mq_refuse(why, MQ_EPERM, "invalid_token", NULL,
                     "the verification link is unknown, expired or already used; ask for a new "
                     "one");
}

mq_err mq_account_verify_email(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                               const char **user_id, struct mq_refusal *why)
{
    char hash[65];
    const char *email = NULL;
    struct mq_user_row u;
    struct mq_db *db = NULL;
    *user_id = NULL;
    if (!mq_secret_token_shaped(token, VERIFY_PREFIX)) return verify_link_gone(why);
    mq_secret_token_hash(token, hash);
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_email_token_consume(db, a, hash, "verify", now, user_id, &email);
    if (!err) err = mq_store_user_by_id(db, a, *user_id, &u);
    /* A link for an address the account no longer has proves nothing. */
    if (!err && strcmp(u.email, email)) err = MQ_EPERM;
    if (!err) err = mq_store_user_verified(db, u.id, email, now, NULL);
    err = mq_store_finish(db, err);
    return err == MQ_ENOTFOUND || err == MQ_EPERM ? verify_link_gone(why) : err;
}

mq_err mq_account_forgot_password(struct mq_ctx *ctx, struct mq_arena *a, const char *email,
                                  const char **user_id)
{
    struct mq_user_row u;
    const char *why;
    *user_id = NULL;
    if (!email || !mq_email_valid(email, &why)) return MQ_OK;
    mq_err err = read_user(ctx, a, true, email, &u);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (err) return err;
    *user_id = mq_arena_strdup(a, u.id);
    if (u.suspended_at) return MQ_OK;
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    return mq_store_finish(db, send_link(ctx, db, a, &RESET, u.id, u.email, u.display_name));
}

/* Checks a new password against the policy and the account, and hashes it
 * (before any write transaction: SQLite's writer must not wait for it). */
static mq_err hash_new_password(struct mq_ctx *ctx, const struct mq_user_row *u,
                                const char *password, char hash[MQ_PASSWORD_HASH_MAX],
                                struct mq_refusal *why)
{
    if (!password) return mq_refuse(why, MQ_EINVAL, "password_too_short", NULL, "give a password");
    mq_err err = mq_password_policy_check(ctx->cfg, password, u->email, u->display_name, why);
    return err ? err : mq_password_hash(ctx->cfg, password, hash);
}

/* The API keys a password change leaves working, for the notice: one line
 * each, name and when it was made. */
static mq_err describe_keys(struct mq_db *db, struct mq_arena *a, const char *user_id,
                            const char **out)
{
    struct mq_apikey_row *keys = NULL;
    size_t n = 0;
    mq_err err = mq_store_apikeys_list(db, a, user_id, &keys, &n);
    if (err) return err;
    struct mq_buf b;
    mq_buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n && !err; i++) {
        char made[40];
        mq_time_format_rfc3339(keys[i].created_at, made, sizeof(made));
        err = mq_buf_printf(&b, "- %s (made %s)\n", keys[i].name, made);
    }
    if (!err) *out = n ? mq_arena_strndup(a, b.data, b.len) : "(none)";
    mq_buf_cleanup(&b);
    return err ? err : *out ? MQ_OK : MQ_ENOMEM;
}

/* The write half of a reset or change: new hash, every session ended,
 * reset links voided, a notice mailed. A reset through the mailed link is
 * an account recovery: whoever knew the old password may have made API
 * keys, so they are revoked too. A change by the signed-in owner keeps the
 * keys and lists them in the notice, with how to revoke them. */
static mq_err apply_password(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                             const struct mq_user_row *u, const char *hash, bool recovery,
                             const char *ip)
{
    const char *reason = recovery ? "password_reset" : "password_changed";
    int64_t now = mq_clock_now_ms(ctx->clock), ended = 0, revoked = 0;
    const char *keys = NULL;
    char count[48];
    mq_err err = mq_store_user_set_password(db, u->id, hash, now);
    if (!err) err = mq_store_sessions_revoke_others(db, u->id, NULL, now, reason, &ended);
    if (!err && ended) err = mq_session_publish_revoked(ctx, db, u->id, NULL, reason);
    if (!err) err = mq_store_email_tokens_drop(db, u->id, "reset");
    if (!err && recovery) {
        err = mq_store_apikeys_revoke_all(db, u->id, now, &revoked);
        snprintf(count, sizeof(count), "%lld revoked", (long long)revoked);
        keys = count;
    } else if (!err) {
        err = describe_keys(db, a, u->id, &keys);
    }
    if (!err)
        err = send_notice(ctx, db, recovery ? "password-recovered" : "password-changed", u->email,
                          u->display_name, ip, "keys", keys);
    if (!err) {
        char when[40];
        mq_time_format_rfc3339(now, when, sizeof(when));
        json_t *vars = json_pack("{s:s}", "time", when);
        struct mq_notice n = {.event = "auth.password_changed",
                              .user_id = u->id,
                              .vars = vars,
                              .link = "/settings/security"};
        err = vars ? mq_notify(ctx, db, a, &n, NULL) : MQ_ENOMEM;
        json_decref(vars);
    }
    return err;
}

static mq_err reset_link_gone(struct mq_refusal *why)
{
    return mq_refuse(why, MQ_EPERM, "invalid_token", NULL,
                     "the reset link is unknown, expired or already used; ask for a new one");
}

mq_err mq_account_reset_password(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                 const char *new_password, const char *ip, const char **user_id,
                                 struct mq_refusal *why)
{
    char hash[65], pwhash[MQ_PASSWORD_HASH_MAX];
    const char *email = NULL, *used_by = NULL, *used_email = NULL;
    struct mq_user_row u;
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    *user_id = NULL;
    if (!mq_secret_token_shaped(token, RESET_PREFIX)) return reset_link_gone(why);
    mq_secret_token_hash(token, hash);

    /* Look first, use later: a password the policy refuses must not spend
     * the link. */
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_email_token_peek(db, a, hash, "reset", now, user_id, &email);
    if (!err) err = mq_store_user_by_id(db, a, *user_id, &u);
    err = mq_store_finish(db, err);
    /* Sent to an address the account has since left: no longer its owner's. */
    if (err == MQ_ENOTFOUND || (!err && (u.suspended_at || strcmp(u.email, email))))
        return reset_link_gone(why);
    if (err) return err;
    err = hash_new_password(ctx, &u, new_password, pwhash, why);
    if (err) return err;

    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) {
        err = mq_store_email_token_consume(db, a, hash, "reset", mq_clock_now_ms(ctx->clock),
                                           &used_by, &used_email);
        if (!err) err = apply_password(ctx, db, a, &u, pwhash, true, ip);
        /* The link reached the inbox: that proves the address. */
        if (!err) err = mq_store_user_verified(db, u.id, used_email, now, NULL);
        err = mq_store_finish(db, err);
    }
    sodium_memzero(pwhash, sizeof(pwhash));
    return err == MQ_ENOTFOUND ? reset_link_gone(why) : err;
}

mq_err mq_account_change_password(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                  const char *current, const char *new_password,
                                  const struct mq_device *device,
                                  const struct mq_session_factor *factor, struct mq_tokens *out,
                                  struct mq_refusal *why)
{
    char pwhash[MQ_PASSWORD_HASH_MAX];
    struct mq_user_row u;
    struct mq_db *db = NULL;
    mq_err err = read_user(ctx, a, false, user_id, &u);
    if (err) return err;
    err = check_password(ctx, &u, current, why);
    if (err) return err;
    err = hash_new_password(ctx, &u, new_password, pwhash, why);
    if (err) return err;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) {
        err = apply_password(ctx, db, a, &u, pwhash, false, device->ip);
        if (!err) err = mq_session_open(ctx, db, a, u.id, device, factor, out);
        err = mq_store_finish(db, err);
    }
    sodium_memzero(pwhash, sizeof(pwhash));
    return err;
}

mq_err mq_account_update(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                         const struct mq_profile_change *c, struct mq_refusal *why)
{
    char key[MQ_EMAIL_MAX + 1], normal[MQ_EMAIL_MAX + 1];
    struct mq_user_row u;
    struct mq_db *db = NULL;
    const char *rule = NULL;
    mq_err err;
    if (c->display_name && !mq_display_name_valid(c->display_name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "%s", rule);
    if (c->email && (err = mq_address_normalize(c->email, normal, why))) return err;
    err = read_user(ctx, a, false, user_id, &u);
    if (err) return err;
    const char *email = c->email && strcmp(normal, u.email) ? normal : NULL;
    if (email) {
        if (!c->current_password)
            return mq_refuse(why, MQ_EPERM, "password_required", NULL,
                             "changing the e-mail address needs current_password");
        err = check_password(ctx, &u, c->current_password, why);
        if (err) return err;
        mq_email_key(email, key, sizeof(key));
    }
    if (!email && !c->display_name) return MQ_OK;
    const char *name = c->display_name ? c->display_name : u.display_name;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    if (email) err = mq_users_check_lookalike(db, a, key, u.id, why);
    if (!err)
        err = mq_store_user_profile(db, u.id, c->display_name, email, email ? key : NULL,
                                    mq_clock_now_ms(ctx->clock));
    if (!err && email) {
        err = send_link(ctx, db, a, &VERIFY, u.id, email, name);
        if (!err)
            err = send_notice(ctx, db, "email-changed", u.email, name, c->ip, "new_email", email);
    }
    err = mq_store_finish(db, err);
    if (err == MQ_ECONFLICT && !why->code)
        mq_refuse(why, err, "email_taken", NULL, "another account has this e-mail address");
    return err;
}

mq_err mq_account_delete(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                         const char *password, int64_t *purge_at, struct mq_refusal *why)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    int64_t admins = 0, ended = 0, now = mq_clock_now_ms(ctx->clock);
    bool deleted = false;
    char date[40];
    mq_err err = read_user(ctx, a, false, user_id, &u);
    if (err) return err;
    err = check_password(ctx, &u, password, why);
    if (err) return err;
    *purge_at = now + mq_auth_conf(ctx->cfg)->account_deletion_grace;
    mq_time_format_rfc3339(*purge_at, date, sizeof(date));
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    bool admin = false;
    err = mq_store_user_has_role(db, u.id, "admin", &admin);
    if (!err && admin) err = mq_store_user_admins(db, &admins);
    if (!err && admin && admins <= 1)
        err = mq_refuse(why, MQ_ECONFLICT, "last_admin", NULL,
                        "this is the only admin account; make someone else admin first");
    if (!err) err = mq_store_user_delete_soft(db, u.id, now, &deleted);
    if (!err) err = mq_store_sessions_revoke_others(db, u.id, NULL, now, "account_deleted", &ended);
    struct mq_event gone = {.kind = "user.deleted", .subject = u.id, .user_id = u.id};
    if (!err && deleted) err = mq_db_publish(db, ctx->events, &gone);
    if (!err && ended) err = mq_session_publish_revoked(ctx, db, u.id, NULL, "account_deleted");
    if (!err && deleted)
        err = send_notice(ctx, db, "account-deleted", u.email, u.display_name, NULL, "purge_date",
                          date);
    return mq_store_finish(db, err);
}
