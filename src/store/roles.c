#include "store/roles.h"

#include <stdio.h>
#include <string.h>

static const struct mq_sql SQL_LIST = {
    "roles.list",
    "SELECT r.name, r.description, r.permissions, r.created_at, r.updated_at, "
    "(SELECT COUNT(*) FROM user_roles ur WHERE ur.role = r.name) FROM roles r ORDER BY r.name",
    NULL};
static const struct mq_sql SQL_GET = {
    "roles.get",
    "SELECT r.name, r.description, r.permissions, r.created_at, r.updated_at, "
    "(SELECT COUNT(*) FROM user_roles ur WHERE ur.role = r.name) FROM roles r WHERE r.name = $1",
    NULL};
static const struct mq_sql SQL_INSERT = {
    "roles.insert",
    "INSERT INTO roles (name, description, permissions, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $4)",
    NULL};
static const struct mq_sql SQL_UPDATE = {
    "roles.update",
    "UPDATE roles SET description = COALESCE($2, description), "
    "permissions = COALESCE($3, permissions), updated_at = $4 WHERE name = $1",
    NULL};
static const struct mq_sql SQL_DELETE = {"roles.delete", "DELETE FROM roles WHERE name = $1", NULL};
static const struct mq_sql SQL_GRANTS_DELETE = {"user_roles.delete_role",
                                                "DELETE FROM user_roles WHERE role = $1", NULL};
static const struct mq_sql SQL_BUMP_HOLDERS = {
    "users.authz_bump_role",
    "UPDATE users SET authz_version = authz_version + 1 WHERE id IN "
    "(SELECT user_id FROM user_roles WHERE role = $1)",
    NULL};
static const struct mq_sql SQL_COUNT = {"user_roles.count",
                                        "SELECT COUNT(*) FROM user_roles WHERE role = $1", NULL};
static const struct mq_sql SQL_MEMBERS = {
    "user_roles.members",
    "SELECT u.id, u.email, u.display_name FROM user_roles ur JOIN users u ON u.id = ur.user_id "
    "WHERE ur.role = $1 AND u.id > $2 ORDER BY u.id LIMIT $3",
    NULL};
static const struct mq_sql SQL_USER_ROLES = {
    "user_roles.of_user",
    "SELECT ur.role, r.permissions, ur.granted_at, ur.granted_by FROM user_roles ur "
    "LEFT JOIN roles r ON r.name = ur.role WHERE ur.user_id = $1 ORDER BY ur.role",
    NULL};
static const struct mq_sql SQL_HAS = {
    "user_roles.has", "SELECT 1 FROM user_roles WHERE user_id = $1 AND role = $2", NULL};
static const struct mq_sql SQL_ADD = {
    "user_roles.add",
    "INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id, role) DO NOTHING",
    NULL};
static const struct mq_sql SQL_REMOVE = {
    "user_roles.remove", "DELETE FROM user_roles WHERE user_id = $1 AND role = $2", NULL};
static const struct mq_sql SQL_BUMP = {
    "users.authz_bump", "UPDATE users SET authz_version = authz_version + 1 WHERE id = $1", NULL};

static void read_role(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_role_row *r = dst;
    r->name = mq_rows_dup(rows, 0, a, oom);
    r->description = mq_rows_dup(rows, 1, a, oom);
    r->permissions = mq_rows_dup(rows, 2, a, oom);
    r->created_at = mq_rows_int(rows, 3);
    r->updated_at = mq_rows_int(rows, 4);
    r->members = mq_rows_int(rows, 5);
}

mq_err mq_store_roles_list(struct mq_db *db, struct mq_arena *a, struct mq_role_row **out,
                           size_t *n)
{
    return mq_db_query_list(db, &SQL_LIST, NULL, 0, a, read_role, sizeof(**out), 0, out, n);
}

mq_err mq_store_role_get(struct mq_db *db, struct mq_arena *a, const char *name,
                         struct mq_role_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(name)};
    return mq_db_query_one(db, &SQL_GET, p, 1, a, read_role, out);
}

mq_err mq_store_role_insert(struct mq_db *db, const struct mq_role_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->name), MQ_P_TEXT(r->description), MQ_P_TEXT(r->permissions),
                           MQ_P_INT(r->created_at)};
    return mq_db_exec(db, &SQL_INSERT, p, 4, NULL);
}

mq_err mq_store_role_update(struct mq_db *db, const char *name, const char *description,
                            const char *permissions, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(name), description ? MQ_P_TEXT(description) : MQ_P_NULL,
                           permissions ? MQ_P_TEXT(permissions) : MQ_P_NULL, MQ_P_INT(now)};
    struct mq_param q[] = {MQ_P_TEXT(name)};
    mq_err err = mq_db_exec_one(db, &SQL_UPDATE, p, 4);
    if (!err && permissions) err = mq_db_exec(db, &SQL_BUMP_HOLDERS, q, 1, NULL);
    return err;
}

mq_err mq_store_role_delete(struct mq_db *db, const char *name)
{
    struct mq_param p[] = {MQ_P_TEXT(name)};
    mq_err err = mq_db_exec(db, &SQL_BUMP_HOLDERS, p, 1, NULL);
    if (!err) err = mq_db_exec(db, &SQL_GRANTS_DELETE, p, 1, NULL);
    return err ? err : mq_db_exec_one(db, &SQL_DELETE, p, 1);
}

mq_err mq_store_role_members_count(struct mq_db *db, const char *role, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(role)};
    return mq_db_query_int(db, &SQL_COUNT, p, 1, n);
}

mq_err mq_store_role_members(struct mq_db *db, struct mq_arena *a, const char *role,
                             const char *after_id, int limit, struct mq_member_row *out, size_t *n)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(role), MQ_P_TEXT(after_id), MQ_P_INT(limit)};
    bool oom = false;
    *n = 0;
    mq_err err = mq_db_query(db, &SQL_MEMBERS, p, 3, &rows);
    if (err) return err;
    while (*n < (size_t)limit && mq_rows_next(rows)) {
        struct mq_member_row *m = &out[(*n)++];
        snprintf(m->id, sizeof(m->id), "%s", mq_rows_text(rows, 0));
        m->email = mq_rows_dup(rows, 1, a, &oom);
        m->display_name = mq_rows_dup(rows, 2, a, &oom);
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_user_roles(struct mq_db *db, struct mq_arena *a, const char *user_id,
                           struct mq_role_grant *out, size_t max, size_t *n)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    bool oom = false;
    *n = 0;
    mq_err err = mq_db_query(db, &SQL_USER_ROLES, p, 1, &rows);
    if (err) return err;
    while (*n < max && mq_rows_next(rows)) {
        struct mq_role_grant *g = &out[(*n)++];
        g->role = mq_rows_dup(rows, 0, a, &oom);
        g->permissions = mq_rows_dup(rows, 1, a, &oom);
        g->granted_at = mq_rows_int(rows, 2);
        g->granted_by = mq_rows_dup(rows, 3, a, &oom);
    }
    err = mq_rows_close(rows);
    return err ? err : oom ? MQ_ENOMEM : MQ_OK;
}

mq_err mq_store_user_role_add(struct mq_db *db, const char *user_id, const char *role,
                              const char *granted_by, int64_t now, bool *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(role), MQ_P_INT(now),
                           granted_by ? MQ_P_TEXT(granted_by) : MQ_P_NULL};
    mq_err err = mq_db_exec_changed(db, &SQL_ADD, p, 4, changed);
    return !err && *changed ? mq_store_user_authz_bump(db, user_id) : err;
}

mq_err mq_store_user_role_remove(struct mq_db *db, const char *user_id, const char *role,
                                 bool *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(role)};
    mq_err err = mq_db_exec_changed(db, &SQL_REMOVE, p, 2, changed);
    return !err && *changed ? mq_store_user_authz_bump(db, user_id) : err;
}

mq_err mq_store_user_authz_bump(struct mq_db *db, const char *user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_exec(db, &SQL_BUMP, p, 1, NULL);
}

mq_err mq_store_user_has_role(struct mq_db *db, const char *user_id, const char *role, bool *has)
{
    struct mq_rows *rows = NULL;
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(role)};
    mq_err err = mq_db_query(db, &SQL_HAS, p, 2, &rows);
    if (err) return err;
    *has = mq_rows_next(rows);
    return mq_rows_close(rows);
}
