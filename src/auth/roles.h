/* roles.h - managing roles: the custom ones, and who holds which.
 *
 * No one hands out more than they hold: a role may only be made or changed
 * to permissions the acting user holds, granted if it is within what they
 * hold, and a user's roles changed only if all that user may do is within
 * it too (a moderator with users:update cannot make themselves admin, nor
 * demote one). The built-in roles cannot be changed or deleted, and the
 * last active admin keeps the admin role. */
#ifndef MQ_AUTH_ROLES_H
#define MQ_AUTH_ROLES_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/authz.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/roles.h"

#define MQ_ROLE_NAME_MAX 40

struct mq_role_info {
    const char *name, *description; /* arena */
    const char **perms;
    size_t nperms;
    bool builtin;
    int64_t members, created_at, updated_at; /* times are 0 for built-in roles */
};

/* Someone who holds a role. */
struct mq_role_member {
    char id[37];
    const char *email, *display_name; /* arena */
};

/* The built-in roles, then the custom ones by name. */
MQ_MUST_CHECK mq_err mq_roles_list(struct mq_ctx *ctx, struct mq_arena *a,
                                   struct mq_role_info **out, size_t *n);
/* MQ_ENOTFOUND when there is no such role. */
MQ_MUST_CHECK mq_err mq_roles_get(struct mq_ctx *ctx, struct mq_arena *a, const char *name,
                                  struct mq_role_info *out);

/* The refusals below fill *why (core/err.h): MQ_EINVAL (invalid_role_name,
 * invalid_permissions, invalid_description), MQ_EPERM (not_within_yours),
 * MQ_ECONFLICT (role_exists, builtin_role, last_admin), MQ_ENOTFOUND. */

MQ_MUST_CHECK mq_err mq_roles_create(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_authz *actor, const char *name,
                                     const char *description, const json_t *permissions,
                                     struct mq_role_info *out, struct mq_refusal *why);
/* NULL leaves a field as it is. */
MQ_MUST_CHECK mq_err mq_roles_update(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_authz *actor, const char *name,
                                     const char *description, const json_t *permissions,
                                     struct mq_role_info *before, struct mq_role_info *after,
                                     struct mq_refusal *why);
/* Removes the role from everyone who held it. */
MQ_MUST_CHECK mq_err mq_roles_delete(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_authz *actor, const char *name,
                                     struct mq_role_info *before, struct mq_refusal *why);
/* Holders by id after `after_id` ("" from the start). */
MQ_MUST_CHECK mq_err mq_roles_members(struct mq_ctx *ctx, struct mq_arena *a, const char *role,
                                      const char *after_id, int limit, struct mq_role_member *out,
                                      size_t *n);

/* In the caller's transaction: the account exists (else MQ_ENOTFOUND) and
 * all it may do is within what the actor may (else MQ_EPERM,
 * not_within_yours): the rule for changing anything of someone else's. */
MQ_MUST_CHECK mq_err mq_roles_check_target(struct mq_db *db, struct mq_arena *a,
                                           const struct mq_authz *actor, const char *user_id,
                                           struct mq_refusal *why);

/* In the caller's transaction: the role exists (else MQ_EINVAL,
 * unknown_role) and the actor holds every permission it gives (else
 * MQ_EPERM, not_within_yours): the rule for handing it to anyone. */
MQ_MUST_CHECK mq_err mq_roles_check_grantable(struct mq_db *db, struct mq_arena *a,
                                              const struct mq_authz *actor, const char *role,
                                              struct mq_refusal *why);

/* Gives or takes a role in the caller's write transaction; *changed says
 * whether it did anything. `by` (may be NULL) is the acting user's id. */
MQ_MUST_CHECK mq_err mq_roles_grant_in(struct mq_db *db, struct mq_arena *a,
                                       const struct mq_authz *actor, const char *by,
                                       const char *user_id, const char *role, int64_t now,
                                       bool *changed, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_roles_revoke_in(struct mq_db *db, struct mq_arena *a,
                                        const struct mq_authz *actor, const char *user_id,
                                        const char *role, bool *changed, struct mq_refusal *why);
/* Each in its own transaction. */
MQ_MUST_CHECK mq_err mq_roles_grant(struct mq_ctx *ctx, struct mq_arena *a,
                                    const struct mq_authz *actor, const char *by,
                                    const char *user_id, const char *role, bool *changed,
                                    struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_roles_revoke(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_authz *actor, const char *user_id,
                                     const char *role, bool *changed, struct mq_refusal *why);

#endif
