#include "users/users.h"

#include <stdio.h>
#include <string.h>

#include "auth/rbac.h"
#include "core/text.h"
#include "core/uuid.h"
#include "crypto/password.h"
#include "store/roles.h"
#include "store/settings.h"
#include "users/password_policy.h"
#include "users/prefs.h"

/* In the caller's transaction: the account's first role, which must
 * exist (built in or custom). */
static mq_err grant_first_role(struct mq_db *db, const char *user_id, const char *role, int64_t now)
{
    bool added = false;
    if (!mq_rbac_role_permissions(role)) {
        struct mq_arena *a = mq_arena_new(0);
        struct mq_role_row r;
        mq_err err = a ? mq_store_role_get(db, a, role, &r) : MQ_ENOMEM;
        mq_arena_free(a);
        if (err) return err == MQ_ENOTFOUND ? MQ_EINVAL : err;
    }
    return mq_store_user_role_add(db, user_id, role, NULL, now, &added);
}

mq_err mq_users_create(struct mq_ctx *ctx, const struct mq_user_new *u, char id[37],
                       const char **code, const char **why)
{
    char key[MQ_EMAIL_MAX + 1], name[MQ_NAME_MAX + 1], hash[MQ_PASSWORD_HASH_MAX];
    struct mq_db *db = NULL;

    if (!u->email || !mq_email_valid(u->email, why)) {
        *code = "invalid_email";
        return MQ_EINVAL;
    }
    if (u->display_name) {
        snprintf(name, sizeof(name), "%s", u->display_name);
        if (!mq_display_name_valid(u->display_name, why)) {
            *code = "invalid_name";
            return MQ_EINVAL;
        }
    } else {
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(u->email, "@"), u->email);
    }
    if (!u->role) {
        *code = "invalid_role";
        *why = "name the account's role";
        return MQ_EINVAL;
    }
    if (!u->password || mq_password_policy_check(ctx->cfg, u->password, u->email, name, code, why))
        return MQ_EINVAL;
    /* Hash first: the write transaction (SQLite's only writer) must not wait
     * for argon2id. */
    mq_err err = mq_password_hash(ctx->cfg, u->password, hash);
    if (err) return err;
    mq_email_key(u->email, key, sizeof(key));
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_user_row row = {.email = u->email,
                              .email_key = key,
                              .display_name = name,
                              .password_hash = hash,
                              .email_verified_at = u->email_verified ? now : 0,
                              .password_changed_at = now,
                              .created_at = now,
                              .updated_at = now};
    mq_uuid7_new(ctx->clock, ctx->rng, row.id);
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) {
        err = mq_store_user_insert(db, &row);
        if (!err) err = grant_first_role(db, row.id, u->role, now);
        if (!err && u->then) err = u->then(ctx, db, &row, u->then_arg);
        err = mq_store_finish(db, err);
    }
    sodium_memzero(hash, sizeof(hash));
    if (err == MQ_EINVAL) {
        *code = "invalid_role";
        *why = "no role has that name";
    } else if (err == MQ_ECONFLICT) {
        *code = "email_taken";
        *why = "an account with this e-mail address exists";
    }
    if (!err) memcpy(id, row.id, sizeof(row.id));
    return err;
}

#define SETUP_KEY "setup_token_hash"

static void token_digest(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

mq_err mq_users_setup_token(struct mq_ctx *ctx, char token[MQ_SETUP_TOKEN_LEN + 1], bool *needed)
{
    struct mq_db *db = NULL;
    unsigned char raw[32];
    char digest[65];
    int64_t users = 0;
    *needed = false;
    mq_rng_fill(ctx->rng, raw, sizeof(raw));
    sodium_bin2base64(token, MQ_SETUP_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    token_digest(token, digest);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_user_count(db, &users);
    if (!err && users > 0)
        err = mq_store_setting_delete(db, SETUP_KEY, NULL);
    else if (!err)
        err = mq_store_setting_put(db, SETUP_KEY, digest, mq_clock_now_ms(ctx->clock));
    err = db ? mq_store_finish(db, err) : err;
    if (!err) *needed = users == 0;
    if (err || !*needed) sodium_memzero(token, MQ_SETUP_TOKEN_LEN + 1);
    return err;
}

mq_err mq_users_setup(struct mq_ctx *ctx, const char *token, const struct mq_user_new *admin,
                      char id[37], const char **code, const char **why)
{
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char digest[65], key[MQ_EMAIL_MAX + 1], name[MQ_NAME_MAX + 1], hash[MQ_PASSWORD_HASH_MAX];
    char *stored = NULL;
    int64_t users = 0;
    if (!a) return MQ_ENOMEM;
    token_digest(token ? token : "", digest);

    /* The cheap checks first, so a wrong token costs no hashing. */
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_user_count(db, &users);
    if (!err && !users) err = mq_store_setting_get(db, SETUP_KEY, a, &stored);
    err = db ? mq_store_finish(db, err) : err;
    db = NULL;
    if (!err && users) {
        *code = "already_set_up";
        *why = "the first account exists; sign in instead";
        err = MQ_ECONFLICT;
    } else if (err == MQ_ENOTFOUND ||
               (!err && (strlen(stored) != 64 || sodium_memcmp(stored, digest, 64)))) {
        *code = "invalid_setup_token";
        *why = "the setup token is wrong or was replaced; take the one in the latest server log";
        err = MQ_EPERM;
    }
    if (err) goto out;

    struct mq_user_new u = *admin;
    u.role = "admin";
    u.email_verified = true;
    if (!u.email || !mq_email_valid(u.email, why)) {
        *code = "invalid_email";
        err = MQ_EINVAL;
        goto out;
    }
    if (u.display_name && !mq_display_name_valid(u.display_name, why)) {
        *code = "invalid_name";
        err = MQ_EINVAL;
        goto out;
    }
    snprintf(name, sizeof(name), "%s", u.display_name ? u.display_name : "");
    if (!u.display_name) snprintf(name, sizeof(name), "%.*s", (int)strcspn(u.email, "@"), u.email);
    if (!u.password || mq_password_policy_check(ctx->cfg, u.password, u.email, name, code, why)) {
        err = MQ_EINVAL;
        goto out;
    }
    err = mq_password_hash(ctx->cfg, u.password, hash);
    if (err) goto out;

    /* Again under the writer: another request may have won meanwhile. */
    int64_t now = mq_clock_now_ms(ctx->clock);
    bool removed = false;
    mq_email_key(u.email, key, sizeof(key));
    struct mq_user_row row = {.email = u.email,
                              .email_key = key,
                              .display_name = name,
                              .password_hash = hash,
                              .email_verified_at = now,
                              .password_changed_at = now,
                              .created_at = now,
                              .updated_at = now};
    mq_uuid7_new(ctx->clock, ctx->rng, row.id);
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_user_count(db, &users);
    if (!err && users) err = MQ_ECONFLICT;
    if (!err) err = mq_store_setting_get(db, SETUP_KEY, a, &stored);
    if (!err && (strlen(stored) != 64 || sodium_memcmp(stored, digest, 64))) err = MQ_EPERM;
    if (err == MQ_ENOTFOUND) err = MQ_EPERM;
    if (!err) err = mq_store_setting_delete(db, SETUP_KEY, &removed);
    if (!err) err = mq_store_user_insert(db, &row);
    if (!err) err = grant_first_role(db, row.id, "admin", now);
    err = mq_store_finish(db, err);
    sodium_memzero(hash, sizeof(hash));
    if (err == MQ_ECONFLICT) {
        *code = "already_set_up";
        *why = "the first account exists; sign in instead";
    } else if (err == MQ_EPERM) {
        *code = "invalid_setup_token";
        *why = "the setup token is wrong or was replaced; take the one in the latest server log";
    }
    if (!err) memcpy(id, row.id, sizeof(row.id));
out:
    mq_arena_free(a);
    return err;
}

mq_err mq_users_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_user_row *out)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, mq_store_user_by_id(db, a, id, out));
}

mq_err mq_users_update_preferences(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                   const json_t *patch, char **merged, const char **code,
                                   const char **why)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, id, &u);
    if (!err) err = mq_prefs_merge(a, u.preferences, patch, merged, code, why);
    if (!err) err = mq_store_user_preferences(db, id, *merged, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}
