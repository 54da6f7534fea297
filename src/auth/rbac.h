/* rbac.h - permissions and the built-in roles.
 *
 * A permission is "resource:action"; a grant may use "*" for either half
 * ("users:*", "*:*"). Every route declares the one permission it needs
 * (src/api/routes.c); MQ_PERM_PUBLIC routes need none, MQ_PERM_SIGNED_IN
 * routes only a signed-in user. The built-in roles are admin (*:*),
 * moderator, user and guest; custom roles live in the database
 * (auth/roles.h), and what a user holds together in auth/authz.h. */
#ifndef MQ_AUTH_RBAC_H
#define MQ_AUTH_RBAC_H

#include <stdbool.h>
#include <stddef.h>

#define MQ_PERM_PUBLIC    "public"    /* anyone, signed in or not */
#define MQ_PERM_SIGNED_IN "signed-in" /* any signed-in user, whatever their role */

struct mq_permission {
    const char *name, *description;
};

/* Every permission a route or a role can name, with what it allows. */
const struct mq_permission *mq_rbac_permissions(size_t *n);

/* A known permission (or MQ_PERM_PUBLIC / MQ_PERM_SIGNED_IN). */
bool mq_rbac_known(const char *permission);

/* Whether `granted` (may hold wildcards) covers `needed`. */
bool mq_rbac_covers(const char *granted, const char *needed);

/* The permissions of a built-in role, NULL-terminated; NULL for an unknown
 * role. */
const char *const *mq_rbac_role_permissions(const char *role);

/* Whether a role or key may be granted `grant`: "resource:action" that
 * covers at least one permission of the catalogue ("users:*" does,
 * "nothing:*" does not). */
bool mq_rbac_grant_valid(const char *grant);

/* Whether the role is one of the built-in ones, which cannot be changed or
 * deleted. */
bool mq_rbac_builtin(const char *role);

#endif
