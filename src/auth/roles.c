#include "auth/roles.h"

#include <stdio.h>
#include <string.h>

#include "auth/rbac.h"
#include "core/utf8.h"
#include "store/users.h"

#define DESCRIPTION_MAX 500
#define BUILTIN_ROLES   4

static const char *const builtin_names[BUILTIN_ROLES] = {"admin", "moderator", "user", "guest"};
static const char *const builtin_descriptions[BUILTIN_ROLES] = {
    "everything", "looks after accounts, requests and content, and reads the audit log",
    "a member of the household", "may browse and play; nothing is written, no history is kept"};

static bool name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > MQ_ROLE_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return true;
}

static bool description_valid(const char *s)
{
    size_t n = strlen(s);
    if (n > DESCRIPTION_MAX || !mq_utf8_valid(s, n)) return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

static mq_err builtin_info(struct mq_arena *a, size_t i, struct mq_role_info *out)
{
    const char *const *p = mq_rbac_role_permissions(builtin_names[i]);
    size_t n = 0;
    while (p[n]) n++;
    *out = (struct mq_role_info){.name = builtin_names[i],
                                 .description = builtin_descriptions[i],
                                 .nperms = n,
                                 .builtin = true};
    out->perms = mq_arena_alloc(a, (n + 1) * sizeof(*out->perms));
    if (!out->perms) return MQ_ENOMEM;
    memcpy(out->perms, p, n * sizeof(*p));
    return MQ_OK;
}

static mq_err custom_info(struct mq_arena *a, const struct mq_role_row *r, struct mq_role_info *out)
{
    json_t *list = json_loads(r->permissions, 0, NULL), *v;
    size_t i;
    *out = (struct mq_role_info){.name = r->name,
                                 .description = r->description,
                                 .members = r->members,
                                 .created_at = r->created_at,
                                 .updated_at = r->updated_at};
    out->perms = mq_arena_alloc(a, (json_array_size(list) + 1) * sizeof(*out->perms));
    if (!out->perms) {
        json_decref(list);
        return MQ_ENOMEM;
    }
    json_array_foreach(list, i, v)
    {
        char *s = json_is_string(v) ? mq_arena_strdup(a, json_string_value(v)) : NULL;
        if (s) out->perms[out->nperms++] = s;
    }
    json_decref(list);
    return MQ_OK;
}

mq_err mq_roles_list(struct mq_ctx *ctx, struct mq_arena *a, struct mq_role_info **out, size_t *n)
{
    struct mq_role_row *rows = NULL;
    struct mq_db *db = NULL;
    size_t nrows = 0;
    *n = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_roles_list(db, a, &rows, &nrows);
    *out = err ? NULL : mq_arena_alloc(a, (BUILTIN_ROLES + nrows) * sizeof(**out));
    if (!err && !*out) err = MQ_ENOMEM;
    for (size_t i = 0; !err && i < BUILTIN_ROLES; i++) {
        err = builtin_info(a, i, &(*out)[*n]);
        if (!err) err = mq_store_role_members_count(db, builtin_names[i], &(*out)[*n].members);
        if (!err) (*n)++;
    }
    for (size_t i = 0; !err && i < nrows; i++) err = custom_info(a, &rows[i], &(*out)[(*n)++]);
    return mq_store_finish(db, err);
}

/* In an open transaction. */
static mq_err role_get(struct mq_db *db, struct mq_arena *a, const char *name,
                       struct mq_role_info *out)
{
    for (size_t i = 0; i < BUILTIN_ROLES; i++) {
        if (strcmp(builtin_names[i], name)) continue;
        mq_err err = builtin_info(a, i, out);
        return err ? err : mq_store_role_members_count(db, name, &out->members);
    }
    struct mq_role_row r;
    mq_err err = mq_store_role_get(db, a, name, &r);
    return err ? err : custom_info(a, &r, out);
}

mq_err mq_roles_get(struct mq_ctx *ctx, struct mq_arena *a, const char *name,
                    struct mq_role_info *out)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, role_get(db, a, name, out));
}

/* A JSON array of grants, each once and each within the actor's, as
 * stored (arena). */
static mq_err permissions_text(struct mq_arena *a, const struct mq_authz *actor,
                               const json_t *permissions, const char **text, struct mq_refusal *why)
{
    json_t *clean = json_array(), *v;
    size_t i;
    mq_err err = clean ? MQ_OK : MQ_ENOMEM;
    if (!json_is_array(permissions) || json_array_size(permissions) > MQ_AUTHZ_MAX_PERMS)
        err = mq_refuse(why, MQ_EINVAL, "invalid_permissions", NULL,
                        "permissions must be an array of at most 128 permissions");
    json_array_foreach(permissions, i, v)
    {
        const char *s = json_string_value(v);
        bool seen = false;
        if (err) break;
        if (!s || !mq_rbac_grant_valid(s)) {
            err =
                mq_refuse(why, MQ_EINVAL, "invalid_permissions", NULL,
                          "every entry must be one of the server's permissions, or one with * for "
                          "a part");
            break;
        }
        if (!mq_authz_allows(actor, s)) {
            err = mq_refuse(why, MQ_EPERM, "not_within_yours", NULL,
                            "a role cannot be given a permission you do not hold");
            break;
        }
        for (size_t k = 0; k < json_array_size(clean); k++)
            if (!strcmp(json_string_value(json_array_get(clean, k)), s)) seen = true;
        if (!seen && json_array_append_new(clean, json_string(s))) err = MQ_ENOMEM;
    }
    char *dump = err ? NULL : json_dumps(clean, JSON_COMPACT);
    if (!err) *text = dump ? mq_arena_strdup(a, dump) : NULL;
    if (!err && !*text) err = MQ_ENOMEM;
    free(dump);
    json_decref(clean);
    return err;
}

mq_err mq_roles_create(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                       const char *name, const char *description, const json_t *permissions,
                       struct mq_role_info *out, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_role_row r = {.name = name, .description = description ? description : ""};
    if (!name || !name_valid(name))
        return mq_refuse(why, MQ_EINVAL, "invalid_role_name", NULL,
                         "a role name is 2 to 40 of a-z, 0-9, - and _, starting with a letter");
    if (mq_rbac_builtin(name))
        return mq_refuse(why, MQ_ECONFLICT, "role_exists", NULL, "that is a built-in role");
    if (!description_valid(r.description))
        return mq_refuse(why, MQ_EINVAL, "invalid_description", NULL,
                         "the description is at most 500 bytes of text without control characters");
    if (!permissions)
        return mq_refuse(why, MQ_EINVAL, "invalid_permissions", NULL, "give the role permissions");
    mq_err err = permissions_text(a, actor, permissions, &r.permissions, why);
    if (err) return err;
    r.created_at = r.updated_at = now;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_role_insert(db, &r);
    if (err == MQ_ECONFLICT) mq_refuse(why, err, "role_exists", NULL, "a role has that name");
    if (!err) err = role_get(db, a, name, out);
    return mq_store_finish(db, err);
}

/* Changing or deleting a role one could not have made is a change to
 * users above one too: refused. */
static mq_err within_yours(const struct mq_authz *actor, const struct mq_role_info *role,
                           struct mq_refusal *why)
{
    for (size_t i = 0; i < role->nperms; i++)
        if (!mq_authz_allows(actor, role->perms[i]))
            return mq_refuse(why, MQ_EPERM, "not_within_yours", NULL,
                             "this role holds permissions you do not");
    return MQ_OK;
}

mq_err mq_roles_update(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                       const char *name, const char *description, const json_t *permissions,
                       struct mq_role_info *before, struct mq_role_info *after,
                       struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    const char *text = NULL;
    if (mq_rbac_builtin(name))
        return mq_refuse(why, MQ_ECONFLICT, "builtin_role", NULL,
                         "the built-in roles cannot be changed; make a custom one");
    if (description && !description_valid(description))
        return mq_refuse(why, MQ_EINVAL, "invalid_description", NULL,
                         "the description is at most 500 bytes of text without control characters");
    mq_err err = permissions ? permissions_text(a, actor, permissions, &text, why) : MQ_OK;
    if (err) return err;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = role_get(db, a, name, before);
    if (!err) err = within_yours(actor, before, why);
    if (!err) err = mq_store_role_update(db, name, description, text, mq_clock_now_ms(ctx->clock));
    if (!err) err = role_get(db, a, name, after);
    return mq_store_finish(db, err);
}

mq_err mq_roles_delete(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                       const char *name, struct mq_role_info *before, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    if (mq_rbac_builtin(name))
        return mq_refuse(why, MQ_ECONFLICT, "builtin_role", NULL,
                         "the built-in roles cannot be deleted");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = role_get(db, a, name, before);
    if (!err) err = within_yours(actor, before, why);
    if (!err) err = mq_store_role_delete(db, name);
    return mq_store_finish(db, err);
}

mq_err mq_roles_members(struct mq_ctx *ctx, struct mq_arena *a, const char *role,
                        const char *after_id, int limit, struct mq_role_member *out, size_t *n)
{
    struct mq_member_row *rows = mq_arena_calloc(a, limit > 0 ? (size_t)limit : 1, sizeof(*rows));
    struct mq_db *db = NULL;
    struct mq_role_info info;
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = role_get(db, a, role, &info);
    if (!err) err = mq_store_role_members(db, a, role, after_id, limit, rows, n);
    err = mq_store_finish(db, err);
    for (size_t i = 0; !err && i < *n; i++) {
        out[i] =
            (struct mq_role_member){.email = rows[i].email, .display_name = rows[i].display_name};
        memcpy(out[i].id, rows[i].id, sizeof(out[i].id));
    }
    return err;
}

mq_err mq_roles_check_target(struct mq_db *db, struct mq_arena *a, const struct mq_authz *actor,
                             const char *user_id, struct mq_refusal *why)
{
    struct mq_user_row u;
    struct mq_authz held;
    mq_err err = mq_store_user_by_id(db, a, user_id, &u);
    if (!err) err = mq_authz_load(db, a, user_id, &held);
    if (!err && !mq_authz_within(&held, actor))
        err = mq_refuse(why, MQ_EPERM, "not_within_yours", NULL,
                        "this account may do things you may not: only someone who holds all of it "
                        "can change its roles");
    return err;
}

mq_err mq_roles_check_grantable(struct mq_db *db, struct mq_arena *a, const struct mq_authz *actor,
                                const char *role, struct mq_refusal *why)
{
    struct mq_role_info info;
    mq_err err = role_get(db, a, role, &info);
    if (err == MQ_ENOTFOUND)
        return mq_refuse(why, MQ_EINVAL, "unknown_role", NULL, "no role has that name");
    for (size_t i = 0; !err && i < info.nperms; i++)
        if (!mq_authz_allows(actor, info.perms[i]))
            err = mq_refuse(why, MQ_EPERM, "not_within_yours", NULL,
                            "you cannot grant a role that holds permissions you do not");
    return err;
}

mq_err mq_roles_grant_in(struct mq_db *db, struct mq_arena *a, const struct mq_authz *actor,
                         const char *by, const char *user_id, const char *role, int64_t now,
                         bool *changed, struct mq_refusal *why)
{
    *changed = false;
    mq_err err = mq_roles_check_target(db, a, actor, user_id, why);
    if (!err) err = mq_roles_check_grantable(db, a, actor, role, why);
    return err ? err : mq_store_user_role_add(db, user_id, role, by, now, changed);
}

mq_err mq_roles_revoke_in(struct mq_db *db, struct mq_arena *a, const struct mq_authz *actor,
                          const char *user_id, const char *role, bool *changed,
                          struct mq_refusal *why)
{
    int64_t admins = 0;
    bool held = false;
    *changed = false;
    mq_err err = mq_roles_check_target(db, a, actor, user_id, why);
    if (!err) err = mq_store_user_has_role(db, user_id, role, &held);
    if (!err && held && !strcmp(role, "admin")) {
        struct mq_user_row u;
        err = mq_store_user_by_id(db, a, user_id, &u);
        if (!err && !u.suspended_at && !u.deleted_at) err = mq_store_user_admins(db, &admins);
        if (!err && !u.suspended_at && !u.deleted_at && admins <= 1)
            err = mq_refuse(why, MQ_ECONFLICT, "last_admin", NULL,
                            "this is the only active admin; make someone else admin first");
    }
    return err || !held ? err : mq_store_user_role_remove(db, user_id, role, changed);
}

mq_err mq_roles_grant(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                      const char *by, const char *user_id, const char *role, bool *changed,
                      struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    return mq_store_finish(db, mq_roles_grant_in(db, a, actor, by, user_id, role,
                                                 mq_clock_now_ms(ctx->clock), changed, why));
}

mq_err mq_roles_revoke(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                       const char *user_id, const char *role, bool *changed, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    return mq_store_finish(db, mq_roles_revoke_in(db, a, actor, user_id, role, changed, why));
}
