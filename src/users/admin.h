/* admin.h - looking after other people's accounts: list, read, change,
 * suspend, erase, and act as them.
 *
 * The acting user may only touch an account whose permissions are all
 * within their own (auth/roles.h), never suspend or erase themselves here,
 * and never leave the server without an active admin. Suspending ends every
 * session and revokes every API key in the same transaction. */
#ifndef MQ_USERS_ADMIN_H
#define MQ_USERS_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/authz.h"
#include "auth/sessions.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/users.h"
#include "users/users.h"

/* Who acts: their permissions, and their id (NULL for the bootstrap token). */
struct mq_admin_actor {
    const struct mq_authz *authz;
    const char *user_id;
};

/* An account with its roles. */
struct mq_admin_user {
    struct mq_user user;
    struct mq_authz authz;
};

MQ_MUST_CHECK mq_err mq_admin_users_list(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_user_filter *f, struct mq_admin_user *out,
                                         size_t *n);
/* MQ_ENOTFOUND for no such account. */
MQ_MUST_CHECK mq_err mq_admin_user_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                       struct mq_admin_user *out);

/* What PATCH may change; NULL / -1 leave a field as it is. */
struct mq_admin_change {
    const char *display_name, *email;
    const json_t *roles; /* the whole set, an array of names */
    int disabled;        /* 1 suspend, 0 reinstate, -1 as is */
};

/* The refusals fill *why: MQ_EINVAL (invalid_email, invalid_name,
 * invalid_roles, unknown_role), MQ_EPERM (not_within_yours), MQ_ECONFLICT
 * (email_taken, last_admin, not_yourself), MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_admin_user_update(struct mq_ctx *ctx, struct mq_arena *a,
                                          const struct mq_admin_actor *actor, const char *id,
                                          const struct mq_admin_change *change,
                                          struct mq_admin_user *before, struct mq_admin_user *after,
                                          struct mq_refusal *why);

/* Hard delete for erasure: the account and all that hangs off it
 * (sessions, keys, factors, preferences, picture). The audit log keeps its
 * id, which from then on names no one. */
MQ_MUST_CHECK mq_err mq_admin_user_erase(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_admin_actor *actor, const char *id,
                                         struct mq_refusal *why);

/* A short-lived access token for acting as the user (never an admin, nor
 * anyone who may do what the actor may not, nor a suspended account). */
MQ_MUST_CHECK mq_err mq_admin_impersonate(struct mq_ctx *ctx, struct mq_arena *a,
                                          const struct mq_admin_actor *actor, const char *id,
                                          const char *ip, const char *user_agent,
                                          struct mq_tokens *out, struct mq_refusal *why);

#endif
