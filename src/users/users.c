#include "users/users.h"

#include <stdio.h>
#include <string.h>

#include "auth/rbac.h"
#include "core/address.h"
#include "core/text.h"
#include "core/uuid.h"
#include "crypto/password.h"
#include "notify/notify.h"
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

/* The address, the name (the address's local part when none is given, in
 * name) and the password of a new account. */
static mq_err check_new(struct mq_ctx *ctx, const struct mq_user_new *u, char name[MQ_NAME_MAX + 1],
                        char email[MQ_EMAIL_MAX + 1], struct mq_refusal *why)
{
    const char *rule = NULL;
    mq_err err = mq_address_normalize(u->email, email, why);
    if (err) return err;
    if (u->display_name && !mq_display_name_valid(u->display_name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "%s", rule);
    if (u->display_name)
        snprintf(name, MQ_NAME_MAX + 1, "%s", u->display_name);
    else
        snprintf(name, MQ_NAME_MAX + 1, "%.*s", (int)strcspn(email, "@"), email);
    if (!u->password)
        return mq_refuse(why, MQ_EINVAL, "password_too_short", NULL, "give a password");
    return mq_password_policy_check(ctx->cfg, u->password, email, name, why);
}

mq_err mq_users_check_lookalike(struct mq_db *db, struct mq_arena *a, const char *key,
                                const char *user_id, struct mq_refusal *why)
{
    struct mq_text_pair *all = NULL;
    struct mq_skeletons *sk = NULL;
    char mine[MQ_SKELETON_MAX + 1], theirs[MQ_SKELETON_MAX + 1];
    size_t n = 0;
    mq_err err = mq_store_user_keys(db, a, &all, &n);
    if (!err) err = mq_skeletons_open(&sk);
    if (err || !mq_skeleton(sk, key, mine)) goto out;
    for (size_t i = 0; i < n; i++) {
        if ((user_id && !strcmp(all[i].first, user_id)) || !strcmp(all[i].second, key)) continue;
        if (mq_skeleton(sk, all[i].second, theirs) && !strcmp(mine, theirs)) {
            err = mq_refuse(why, MQ_ECONFLICT, "email_confusable", "email",
                            "the address looks like another account's; use another one");
            break;
        }
    }
out:
    mq_skeletons_close(sk);
    return err;
}

/* The admins' server channels hear of every new account (user.created). */
static mq_err tell_admins(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                          const struct mq_user_row *row, const char *role)
{
    json_t *vars =
        json_pack("{s:s,s:s}", "email", row->email, "how", mq_arena_printf(a, "role %s", role));
    struct mq_notice n = {.event = "user.created",
                          .vars = vars,
                          .dedupe_key = mq_arena_printf(a, "user.created:%s", row->id),
                          .link = mq_arena_printf(a, "/admin/users/%s", row->id)};
    mq_err err = vars ? mq_notify(ctx, db, a, &n, NULL) : MQ_ENOMEM;
    json_decref(vars);
    return err;
}

mq_err mq_users_create(struct mq_ctx *ctx, const struct mq_user_new *u, char id[37],
                       struct mq_refusal *why)
{
    char key[MQ_EMAIL_MAX + 1], name[MQ_NAME_MAX + 1], hash[MQ_PASSWORD_HASH_MAX];
    char email[MQ_EMAIL_MAX + 1];
    struct mq_db *db = NULL;

    mq_err err = check_new(ctx, u, name, email, why);
    if (err) return err;
    if (!u->role) return mq_refuse(why, MQ_EINVAL, "invalid_role", NULL, "name the account's role");
    /* Hash first: the write transaction (SQLite's only writer) must not wait
     * for argon2id. */
    err = mq_password_hash(ctx->cfg, u->password, hash);
    if (err) return err;
    mq_email_key(email, key, sizeof(key));
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_user_row row = {.email = email,
                              .email_key = key,
                              .display_name = name,
                              .password_hash = hash,
                              .email_verified_at = u->email_verified ? now : 0,
                              .password_changed_at = now,
                              .created_at = now,
                              .updated_at = now};
    mq_uuid7_new(ctx->clock, ctx->rng, row.id);
    struct mq_arena *a = mq_arena_new(4096);
    err = a ? mq_store_begin(ctx->store, MQ_DB_WRITE, &db) : MQ_ENOMEM;
    if (!err) {
        err = mq_users_check_lookalike(db, a, key, NULL, why);
        if (!err) err = mq_store_user_insert(db, &row);
        if (err == MQ_ECONFLICT)
            mq_refuse(why, err, "email_taken", NULL, "an account with this e-mail address exists");
        if (!err) err = grant_first_role(db, row.id, u->role, now);
        if (err == MQ_EINVAL) mq_refuse(why, err, "invalid_role", NULL, "no role has that name");
        if (!err && u->then) err = u->then(ctx, db, &row, u->then_arg, why);
        if (!err) err = tell_admins(ctx, db, a, &row, u->role);
        err = mq_store_finish(db, err);
    }
    mq_arena_free(a);
    sodium_memzero(hash, sizeof(hash));
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

static mq_err setup_done(struct mq_refusal *why)
{
    return mq_refuse(why, MQ_ECONFLICT, "already_set_up", NULL,
                     "the first account exists; sign in instead");
}

static mq_err setup_token_wrong(struct mq_refusal *why)
{
    return mq_refuse(why, MQ_EPERM, "invalid_setup_token", NULL,
                     "the setup token is wrong or was replaced; take the one in the latest server "
                     "log");
}

mq_err mq_users_setup(struct mq_ctx *ctx, const char *token, const struct mq_user_new *admin,
                      char id[37], struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char digest[65], key[MQ_EMAIL_MAX + 1], name[MQ_NAME_MAX + 1], hash[MQ_PASSWORD_HASH_MAX];
    char email[MQ_EMAIL_MAX + 1];
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
    if (!err && users)
        err = setup_done(why);
    else if (err == MQ_ENOTFOUND ||
             (!err && (strlen(stored) != 64 || sodium_memcmp(stored, digest, 64))))
        err = setup_token_wrong(why);
    if (err) goto out;

    struct mq_user_new u = *admin;
    u.role = "admin";
    u.email_verified = true;
    err = check_new(ctx, &u, name, email, why);
    if (err) goto out;
    err = mq_password_hash(ctx->cfg, u.password, hash);
    if (err) goto out;

    /* Again under the writer: another request may have won meanwhile. */
    int64_t now = mq_clock_now_ms(ctx->clock);
    bool removed = false;
    mq_email_key(email, key, sizeof(key));
    struct mq_user_row row = {.email = email,
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
    if (err == MQ_ECONFLICT) setup_done(why);
    if (err == MQ_EPERM) setup_token_wrong(why);
    if (!err) memcpy(id, row.id, sizeof(row.id));
out:
    mq_arena_free(a);
    return err;
}

void mq_user_of_row(const struct mq_user_row *row, struct mq_user *out)
{
    *out = (struct mq_user){.email = row->email,
                            .display_name = row->display_name,
                            .avatar = row->avatar,
                            .preferences = row->preferences,
                            .created_at = row->created_at,
                            .updated_at = row->updated_at,
                            .last_login_at = row->last_login_at,
                            .email_verified_at = row->email_verified_at,
                            .suspended_at = row->suspended_at,
                            .deleted_at = row->deleted_at,
                            .locked_until = row->locked_until};
    memcpy(out->id, row->id, sizeof(out->id));
}

mq_err mq_users_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_user *out)
{
    struct mq_user_row row;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_user_by_id(db, a, id, &row));
    if (!err) mq_user_of_row(&row, out);
    return err;
}

mq_err mq_users_update_preferences(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                   const json_t *patch, char **merged, struct mq_refusal *why)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, id, &u);
    if (!err) err = mq_prefs_merge(a, u.preferences, patch, merged, why);
    if (!err) err = mq_store_user_preferences(db, id, *merged, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}
