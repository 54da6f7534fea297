#include "auth/mfa_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authz.h"
#include "auth/rbac.h"
#include "mail/mail.h"
#include "notify/notify.h"
#include "store/roles.h"
#include "store/sessions.h"
#include "store/settings.h"
#include "store/users.h"

#define POLICY_KEY "mfa.required_roles"

static mq_err policy_read(struct mq_db *db, struct mq_arena *a, json_t **roles)
{
    char *text = NULL;
    mq_err err = mq_store_setting_get(db, POLICY_KEY, a, &text);
    if (err == MQ_ENOTFOUND) {
        *roles = json_array();
        return *roles ? MQ_OK : MQ_ENOMEM;
    }
    if (err) return err;
    *roles = json_loads(text, 0, NULL);
    if (!json_is_array(*roles)) {
        json_decref(*roles);
        *roles = json_array();
    }
    return *roles ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_mfa_policy_requires(struct mq_db *db, struct mq_arena *a, const char *const *held,
                              size_t n, bool *required)
{
    json_t *roles = NULL, *v;
    size_t i;
    *required = false;
    mq_err err = policy_read(db, a, &roles);
    if (err) return err;
    json_array_foreach(roles, i, v)
    {
        for (size_t k = 0; k < n && json_is_string(v); k++)
            if (!strcmp(json_string_value(v), held[k])) *required = true;
    }
    json_decref(roles);
    return MQ_OK;
}

mq_err mq_mfa_policy_requires_user(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                   bool *required)
{
    struct mq_role_grant grants[MQ_AUTHZ_MAX_ROLES];
    const char *held[MQ_AUTHZ_MAX_ROLES];
    size_t n = 0;
    *required = false;
    mq_err err = mq_store_user_roles(db, a, user_id, grants, MQ_AUTHZ_MAX_ROLES, &n);
    if (err) return err;
    for (size_t i = 0; i < n; i++) held[i] = grants[i].role;
    return mq_mfa_policy_requires(db, a, held, n, required);
}

mq_err mq_mfa_policy_get_in(struct mq_db *db, struct mq_arena *a, json_t **roles)
{
    return policy_read(db, a, roles);
}

mq_err mq_mfa_policy_get(struct mq_ctx *ctx, struct mq_arena *a, json_t **roles)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, policy_read(db, a, roles));
}

mq_err mq_mfa_policy_set_in(struct mq_db *db, struct mq_arena *a, json_t *roles, int64_t now)
{
    json_t *v, *clean = json_array();
    char *text = NULL;
    size_t i;
    mq_err err = clean ? MQ_OK : MQ_ENOMEM;
    /* Built-in or custom roles, each once, in the order given. */
    json_array_foreach(roles, i, v)
    {
        const char *name = json_string_value(v);
        struct mq_role_row custom;
        bool seen = false;
        if (err) break;
        if (!name) {
            err = MQ_EINVAL;
            break;
        }
        if (!mq_rbac_role_permissions(name)) err = mq_store_role_get(db, a, name, &custom);
        if (err == MQ_ENOTFOUND) err = MQ_EINVAL;
        for (size_t k = 0; !err && k < json_array_size(clean); k++)
            if (!strcmp(json_string_value(json_array_get(clean, k)), name)) seen = true;
        if (!err && !seen && json_array_append_new(clean, json_string(name))) err = MQ_ENOMEM;
    }
    if (!err && !(text = json_dumps(clean, JSON_COMPACT))) err = MQ_ENOMEM;
    if (!err) err = mq_store_setting_put(db, POLICY_KEY, text, now);
    free(text);
    json_decref(clean);
    return err;
}

mq_err mq_mfa_policy_write(struct mq_db *db, struct mq_arena *a, json_t *roles, int64_t now,
                           struct mq_refusal *why)
{
    if (!json_is_array(roles))
        return mq_refuse(why, MQ_EINVAL, "invalid_value", NULL, "must be an array of role names");
    mq_err err = mq_mfa_policy_set_in(db, a, roles, now);
    if (err == MQ_EINVAL)
        return mq_refuse(why, MQ_EINVAL, "unknown_role", NULL, "every entry must name a role");
    return err;
}

mq_err mq_mfa_policy_set(struct mq_ctx *ctx, json_t *roles)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    mq_err err = a ? mq_store_begin(ctx->store, MQ_DB_WRITE, &db) : MQ_ENOMEM;
    if (!err)
        err = mq_store_finish(db, mq_mfa_policy_set_in(db, a, roles, mq_clock_now_ms(ctx->clock)));
    mq_arena_free(a);
    return err;
}

mq_err mq_mfa_policy_change(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                            mq_mfa_change_fn change, void *arg)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, mq_clock_now_ms(ctx->clock), &f);
    if (!err) err = change(ctx, db, a, who, &f, arg);
    return mq_store_finish(db, err);
}

bool mq_mfa_policy_has_factor(const struct mq_mfa_factors *f)
{
    return (f->totp_secret && f->totp_confirmed_at) || f->webauthn > 0;
}

mq_err mq_mfa_policy_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                            const struct mq_mfa_who *who, const char *change)
{
    struct mq_user_row u;
    char when[40];
    mq_err err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (err) return err;
    mq_time_format_rfc3339(mq_clock_now_ms(ctx->clock), when, sizeof(when));
    json_t *vars = json_pack("{s:s,s:s,s:s,s:s}", "name", u.display_name, "time", when, "ip",
                             who->ip ? who->ip : "unknown", "change", change);
    if (!vars) return MQ_ENOMEM;
    struct mq_mail m = {.to = u.email, .template = "mfa-changed", .vars = vars};
    struct mq_notice n = {.event = "auth.mfa_changed",
                          .user_id = who->user_id,
                          .vars = vars,
                          .link = "/settings/security"};
    err = mq_mail_enqueue(ctx, db, &m);
    if (!err) err = mq_notify(ctx, db, a, &n, NULL);
    json_decref(vars);
    return err;
}

mq_err mq_mfa_policy_factor_added(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                  const struct mq_mfa_who *who, const struct mq_mfa_factors *f,
                                  const char *method, const char *change)
{
    int64_t now = mq_clock_now_ms(ctx->clock);
    mq_err err = f->enabled_at ? MQ_OK : mq_store_mfa_enabled(db, who->user_id, now);
    /* The session that confirmed the factor has just proven it. */
    if (!err && who->session_id) err = mq_store_session_mfa(db, who->session_id, method, now);
    if (!err) err = mq_mfa_policy_notify(ctx, db, a, who, change);
    return err;
}

mq_err mq_mfa_policy_factor_removed(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                    const struct mq_mfa_who *who, bool last, const char *what)
{
    char change[256];
    bool required = false;
    mq_err err = last ? mq_mfa_policy_requires(db, a, who->roles, who->nroles, &required) : MQ_OK;
    if (err) return err;
    /* The last factor of a role that must have one stays. */
    if (required) return MQ_EPERM;
    if (last) {
        /* No factor left: sign-in stops asking, and remembered devices and
         * backup codes mean nothing any more. */
        err = mq_store_mfa_enabled(db, who->user_id, 0);
        if (!err)
            err =
                mq_store_devices_revoke(db, who->user_id, NULL, mq_clock_now_ms(ctx->clock), NULL);
        if (!err) err = mq_store_backup_codes_clear(db, who->user_id);
        snprintf(change, sizeof(change),
                 "%s was removed; it was the last second factor, so signing in no longer asks "
                 "for one, and the backup codes no longer work.",
                 what);
    } else {
        snprintf(change, sizeof(change), "%s was removed.", what);
    }
    return err ? err : mq_mfa_policy_notify(ctx, db, a, who, change);
}
