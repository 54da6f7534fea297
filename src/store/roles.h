/* roles.h - statements of roles (the custom ones) and user_roles. The
 * rules (built-in roles, the last admin, what may be granted) live in
 * src/auth/roles.c. Every change to a user's roles, or to a role they hold,
 * bumps users.authz_version in the same statement group. */
#ifndef MQ_STORE_ROLES_H
#define MQ_STORE_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_role_row {
    const char *name, *description; /* arena */
    const char *permissions;        /* a JSON array of permission strings */
    int64_t created_at, updated_at;
    int64_t members; /* filled by mq_store_role_members_count / list */
};

struct mq_role_grant {
    const char *role;        /* arena */
    const char *permissions; /* the custom role's JSON array; NULL for a built-in role */
    int64_t granted_at;
    const char *granted_by; /* arena, or NULL */
};

struct mq_member_row {
    char id[37];
    const char *email, *display_name; /* arena */
};

/* Custom roles by name, with their member counts. */
MQ_MUST_CHECK mq_err mq_store_roles_list(struct mq_db *db, struct mq_arena *a,
                                         struct mq_role_row **out, size_t *n);
/* MQ_ENOTFOUND when no custom role has that name. */
MQ_MUST_CHECK mq_err mq_store_role_get(struct mq_db *db, struct mq_arena *a, const char *name,
                                       struct mq_role_row *out);
/* MQ_ECONFLICT when the name is taken. */
MQ_MUST_CHECK mq_err mq_store_role_insert(struct mq_db *db, const struct mq_role_row *r);
/* NULL leaves a field as it is. MQ_ENOTFOUND for no such role. */
MQ_MUST_CHECK mq_err mq_store_role_update(struct mq_db *db, const char *name,
                                          const char *description, const char *permissions,
                                          int64_t now);
/* Removes the role and every grant of it. MQ_ENOTFOUND for no such role. */
MQ_MUST_CHECK mq_err mq_store_role_delete(struct mq_db *db, const char *name);
/* How many hold the role (any role, built-in or custom). */
MQ_MUST_CHECK mq_err mq_store_role_members_count(struct mq_db *db, const char *role, int64_t *n);
/* Holders of the role by id, after `after_id` ("" from the start), at most
 * `limit`. */
MQ_MUST_CHECK mq_err mq_store_role_members(struct mq_db *db, struct mq_arena *a, const char *role,
                                           const char *after_id, int limit,
                                           struct mq_member_row *out, size_t *n);

/* The roles a user holds, by name, at most `max`. */
MQ_MUST_CHECK mq_err mq_store_user_roles(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                         struct mq_role_grant *out, size_t max, size_t *n);
MQ_MUST_CHECK mq_err mq_store_user_has_role(struct mq_db *db, const char *user_id, const char *role,
                                            bool *has);
/* *changed says whether the user did not hold it before. */
MQ_MUST_CHECK mq_err mq_store_user_role_add(struct mq_db *db, const char *user_id, const char *role,
                                            const char *granted_by, int64_t now, bool *changed);
/* *changed says whether the user held it. */
MQ_MUST_CHECK mq_err mq_store_user_role_remove(struct mq_db *db, const char *user_id,
                                               const char *role, bool *changed);
/* What the user may do changed (roles, status): cached permissions of
 * theirs are stale on every instance from now. */
MQ_MUST_CHECK mq_err mq_store_user_authz_bump(struct mq_db *db, const char *user_id);

#endif
