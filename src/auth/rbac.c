#include "auth/rbac.h"

#include <string.h>

static const struct mq_permission permissions[] = {
    {"*:*", "everything"},
    {"self:read", "read one's own profile, preferences, sessions, factors, keys, watch history and "
                  "library"},
    {"self:write", "change one's own profile, preferences, password, sessions, factors, keys, "
                   "watch history and library"},
    {"users:read", "list and read every account"},
    {"users:update", "change other accounts: profile, roles, status"},
    {"users:delete", "erase accounts"},
    {"users:impersonate", "act as another member (never an admin) with a short-lived token"},
    {"users:invite", "make and revoke invitations to register, for roles one holds"},
    {"roles:read", "list roles and their members"},
    {"roles:manage", "create, change and delete custom roles"},
    {"media:read", "browse, search and stream the libraries one may see"},
    {"libraries:read", "list the libraries one may see"},
    {"libraries:manage", "create, scan and grant libraries"},
    {"requests:create", "ask for new titles"},
    {"requests:read", "see every request"},
    {"requests:manage", "approve, decline and delete requests"},
    {"content:moderate", "hide and correct catalogue entries and comments"},
    {"audit:read", "read and export the audit log"},
    {"jobs:read", "see the background job queue"},
    {"jobs:manage", "retry and cancel background jobs"},
    {"settings:read", "read the server settings"},
    {"settings:update", "change the server settings, the MFA policy among them"},
    {"keys:rotate", "rotate the master key and re-seal every secret"},
};

static const char *const role_admin[] = {"*:*", NULL};
static const char *const role_moderator[] = {"users:read",       "users:update", "requests:*",
                                             "content:moderate", "audit:read",   NULL};
static const char *const role_user[] = {"media:read", "libraries:read", "requests:create", "self:*",
                                        NULL};
/* No writes, and no history kept. */
static const char *const role_guest[] = {"media:read", "libraries:read", NULL};

static const struct {
    const char *name;
    const char *const *permissions;
} roles[] = {
    {"admin", role_admin},
    {"moderator", role_moderator},
    {"user", role_user},
    {"guest", role_guest},
};

const struct mq_permission *mq_rbac_permissions(size_t *n)
{
    *n = sizeof(permissions) / sizeof(permissions[0]);
    return permissions;
}

bool mq_rbac_known(const char *permission)
{
    if (!permission) return false;
    if (!strcmp(permission, MQ_PERM_PUBLIC) || !strcmp(permission, MQ_PERM_SIGNED_IN)) return true;
    for (size_t i = 0; i < sizeof(permissions) / sizeof(permissions[0]); i++)
        if (!strcmp(permissions[i].name, permission)) return true;
    return false;
}

/* One half ("users", "*") against the needed half. */
static bool half_covers(const char *g, size_t glen, const char *n, size_t nlen)
{
    return (glen == 1 && g[0] == '*') || (glen == nlen && !memcmp(g, n, glen));
}

bool mq_rbac_covers(const char *granted, const char *needed)
{
    const char *gc = strchr(granted, ':'), *nc = strchr(needed, ':');
    if (!gc || !nc) return false;
    return half_covers(granted, (size_t)(gc - granted), needed, (size_t)(nc - needed)) &&
           half_covers(gc + 1, strlen(gc + 1), nc + 1, strlen(nc + 1));
}

const char *const *mq_rbac_role_permissions(const char *role)
{
    for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (!strcmp(roles[i].name, role)) return roles[i].permissions;
    return NULL;
}

bool mq_rbac_grant_valid(const char *grant)
{
    const char *colon = grant ? strchr(grant, ':') : NULL;
    if (!colon || strchr(colon + 1, ':') || colon == grant || !colon[1]) return false;
    for (size_t i = 0; i < sizeof(permissions) / sizeof(permissions[0]); i++)
        if (mq_rbac_covers(grant, permissions[i].name)) return true;
    return false;
}

bool mq_rbac_builtin(const char *role)
{
    return mq_rbac_role_permissions(role) != NULL;
}
