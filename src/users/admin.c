#include "users/admin.h"

#include <string.h>

#include "auth/roles.h"
#include "core/address.h"
#include "store/apikeys.h"
#include "store/roles.h"
#include "store/sessions.h"
#include "users/avatar.h"
#include "users/users.h"

static mq_err load(struct mq_db *db, struct mq_arena *a, const char *id, struct mq_admin_user *out)
{
    struct mq_user_row row;
    mq_err err = mq_store_user_by_id(db, a, id, &row);
    if (!err) mq_user_of_row(&row, &out->user);
    return err ? err : mq_authz_load(db, a, id, &out->authz);
}

mq_err mq_admin_users_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_user_filter *f,
                           struct mq_admin_user *out, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_user_row *rows = mq_arena_alloc(a, (size_t)f->limit * sizeof(*rows));
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_users_list(db, a, f, rows, n);
    for (size_t i = 0; !err && i < *n; i++) {
        mq_user_of_row(&rows[i], &out[i].user);
        err = mq_authz_load(db, a, rows[i].id, &out[i].authz);
    }
    return mq_store_finish(db, err);
}

mq_err mq_admin_user_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                         struct mq_admin_user *out)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, load(db, a, id, out));
}

static bool is_active(const struct mq_user *u)
{
    return !u->suspended_at && !u->deleted_at;
}

/* An active admin about to stop being one (suspended, erased) must not be
 * the last. */
static mq_err keep_an_admin(struct mq_db *db, const struct mq_admin_user *u, struct mq_refusal *why)
{
    int64_t admins = 0;
    if (!is_active(&u->user) || !mq_authz_has_role(&u->authz, "admin")) return MQ_OK;
    mq_err err = mq_store_user_admins(db, &admins);
    if (!err && admins <= 1)
        err = mq_refuse(why, MQ_ECONFLICT, "last_admin", NULL,
                        "this is the only active admin; make someone else admin first");
    return err;
}

static bool held(const struct mq_authz *z, const char *role)
{
    return mq_authz_has_role(z, role);
}

static mq_err set_roles(struct mq_db *db, struct mq_arena *a, const struct mq_admin_actor *actor,
                        const struct mq_admin_user *before, const char *id, const json_t *roles,
                        int64_t now, struct mq_refusal *why)
{
    json_t *v;
    size_t i;
    bool changed = false;
    if (!json_is_array(roles) || json_array_size(roles) > MQ_AUTHZ_MAX_ROLES)
        return mq_refuse(why, MQ_EINVAL, "invalid_roles", NULL,
                         "roles must be an array of at most 32 role names");
    json_array_foreach(roles, i, v) if (!json_is_string(v)) return mq_refuse(
        why, MQ_EINVAL, "invalid_roles", NULL, "roles must be an array of role names");
    mq_err err = MQ_OK;
    json_array_foreach(roles, i, v)
    {
        const char *name = json_string_value(v);
        if (!err && !held(&before->authz, name))
            err = mq_roles_grant_in(db, a, actor->authz, actor->user_id, id, name, now, &changed,
                                    why);
    }
    for (size_t k = 0; !err && k < before->authz.nroles; k++) {
        bool keep = false;
        json_array_foreach(roles, i, v) if (!strcmp(json_string_value(v), before->authz.roles[k]))
            keep = true;
        if (!keep)
            err =
                mq_roles_revoke_in(db, a, actor->authz, id, before->authz.roles[k], &changed, why);
    }
    return err;
}

static mq_err set_disabled(struct mq_ctx *ctx, struct mq_db *db, const struct mq_admin_actor *actor,
                           const struct mq_admin_user *before, const char *id, bool disabled,
                           int64_t now, struct mq_refusal *why)
{
    struct mq_event e = {
        .kind = disabled ? "user.disabled" : "user.enabled", .subject = id, .user_id = id};
    int64_t n = 0;
    mq_err err;
    if (!disabled) {
        if (!before->user.suspended_at) return MQ_OK;
        err = mq_store_user_set_suspended(db, id, 0, now);
        return err ? err : mq_db_publish(db, ctx->events, &e);
    }
    if (before->user.suspended_at) return MQ_OK;
    if (actor->user_id && !strcmp(actor->user_id, id))
        return mq_refuse(why, MQ_ECONFLICT, "not_yourself", NULL,
                         "you cannot suspend your own account");
    err = keep_an_admin(db, before, why);
    if (!err) err = mq_store_user_set_suspended(db, id, now, now);
    if (!err) err = mq_store_sessions_revoke_others(db, id, NULL, now, "suspended", &n);
    if (!err) err = mq_store_apikeys_revoke_all(db, id, now, &n);
    if (!err) err = mq_db_publish(db, ctx->events, &e);
    if (!err) err = mq_session_publish_revoked(ctx, db, id, NULL, "suspended");
    return err;
}

mq_err mq_admin_user_update(struct mq_ctx *ctx, struct mq_arena *a,
                            const struct mq_admin_actor *actor, const char *id,
                            const struct mq_admin_change *c, struct mq_admin_user *before,
                            struct mq_admin_user *after, struct mq_refusal *why)
{
    char key[MQ_EMAIL_MAX + 1], normal[MQ_EMAIL_MAX + 1];
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    const char *rule = NULL;
    mq_err err;
    if (c->display_name && !mq_display_name_valid(c->display_name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL, "%s", rule);
    if (c->email && (err = mq_address_normalize(c->email, normal, why))) return err;
    if (c->email) mq_email_key(normal, key, sizeof(key));
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, id, before);
    if (!err) err = mq_roles_check_target(db, a, actor->authz, id, why);
    if (!err && (c->display_name || c->email)) {
        /* The same address again is no change (and stays verified). */
        const char *email = c->email && strcmp(normal, before->user.email) ? normal : NULL;
        if (email) err = mq_users_check_lookalike(db, a, key, id, why);
        if (!err)
            err = mq_store_user_profile(db, id, c->display_name, email, email ? key : NULL, now);
        if (err == MQ_ECONFLICT && !why->code)
            mq_refuse(why, err, "email_taken", NULL, "an account with this e-mail address exists");
    }
    if (!err && c->roles) err = set_roles(db, a, actor, before, id, c->roles, now, why);
    if (!err && c->disabled >= 0)
        err = set_disabled(ctx, db, actor, before, id, c->disabled == 1, now, why);
    if (!err) err = load(db, a, id, after);
    return mq_store_finish(db, err);
}

mq_err mq_admin_user_erase(struct mq_ctx *ctx, struct mq_arena *a,
                           const struct mq_admin_actor *actor, const char *id,
                           struct mq_refusal *why)
{
    struct mq_admin_user u;
    struct mq_db *db = NULL;
    if (actor->user_id && !strcmp(actor->user_id, id))
        return mq_refuse(why, MQ_ECONFLICT, "not_yourself", NULL,
                         "erase your own account as its owner");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, id, &u);
    if (!err) err = mq_roles_check_target(db, a, actor->authz, id, why);
    if (!err) err = keep_an_admin(db, &u, why);
    if (!err) err = mq_store_user_delete_hard(db, id);
    struct mq_event e = {.kind = "user.erased", .subject = id, .user_id = id};
    if (!err) err = mq_db_publish(db, ctx->events, &e);
    err = mq_store_finish(db, err);
    /* The file after the commit, as the purge job does. */
    if (!err && u.user.avatar) mq_avatar_unlink(ctx, u.user.avatar);
    return err;
}

mq_err mq_admin_impersonate(struct mq_ctx *ctx, struct mq_arena *a,
                            const struct mq_admin_actor *actor, const char *id, const char *ip,
                            const char *user_agent, struct mq_tokens *out, struct mq_refusal *why)
{
    struct mq_admin_user u;
    struct mq_db *db = NULL;
    if (!actor->user_id)
        return mq_refuse(
            why, MQ_EPERM, "impersonation_needs_a_user", NULL,
            "sign in as an admin: the bootstrap token names no one to act as the user");
    if (!strcmp(actor->user_id, id))
        return mq_refuse(why, MQ_ECONFLICT, "not_yourself", NULL, "you are yourself already");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = load(db, a, id, &u);
    if (!err && (mq_authz_has_role(&u.authz, "admin") || mq_authz_allows(&u.authz, "*:*")))
        err = mq_refuse(why, MQ_EPERM, "target_is_admin", NULL, "admins cannot be impersonated");
    if (!err) err = mq_roles_check_target(db, a, actor->authz, id, why);
    if (!err && !is_active(&u.user))
        err = mq_refuse(why, MQ_ECONFLICT, "account_inactive", NULL,
                        "the account is suspended or deleted");
    struct mq_device device = {.ip = ip, .user_agent = user_agent};
    if (!err) err = mq_session_open_impersonation(ctx, db, a, id, actor->user_id, &device, out);
    return mq_store_finish(db, err);
}
