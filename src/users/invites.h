/* invites.h - invitations to register.
 *
 * With the `registration` setting at `invite`, only someone holding an
 * invitation may create an account; at `open` an invitation is optional and
 * still gives its role; at `closed` nobody registers. An invitation is a
 * secret code ("mqi_" + 256 random bits, shown once, stored as its SHA-256),
 * single use, with an expiry, optionally for one e-mail address, and gives
 * one role, which its maker must hold all of (no one grants more than they
 * hold). Using one forgets the address it was for. */
#ifndef MQ_USERS_INVITES_H
#define MQ_USERS_INVITES_H

#include "auth/authz.h"
#include "core/ctx.h"
#include "store/invites.h"
#include "store/store.h"

#define MQ_INVITE_TTL_DEFAULT_MS (7LL * 86400 * 1000)
#define MQ_INVITE_TTL_MIN_MS     (3600LL * 1000)
#define MQ_INVITE_TTL_MAX_MS     (30LL * 86400 * 1000)

/* An invitation as the services hand it out: never its code's hash. */
struct mq_invite {
    const char *id;
    const char *email; /* the lookup form of the one address it is for, or NULL */
    const char *role;
    const char *created_by, *used_by; /* user ids, or NULL */
    int64_t created_at, expires_at;
    int64_t used_at; /* 0 = not used */
};

struct mq_invite_new {
    const char *email; /* the one address it is for, or NULL for anyone */
    const char *role;  /* NULL = "user" */
    int64_t ttl_ms;    /* 0 = MQ_INVITE_TTL_DEFAULT_MS */
};

/* Makes an invitation as `actor` (user id `by`, NULL for the bootstrap
 * token). *secret is the code, in the arena, shown only now. On MQ_EINVAL
 * or MQ_EPERM, *why says what is wrong. */
MQ_MUST_CHECK mq_err mq_invites_create(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_authz *actor, const char *by,
                                       const struct mq_invite_new *in, struct mq_invite *out,
                                       const char **secret, struct mq_refusal *why);

/* Newest first, those with an id below `before` ("" from the newest). */
MQ_MUST_CHECK mq_err mq_invites_list(struct mq_ctx *ctx, struct mq_arena *a, const char *before,
                                     int limit, struct mq_invite *out, size_t *n);

/* MQ_ENOTFOUND when there is no such invitation. */
MQ_MUST_CHECK mq_err mq_invites_delete(struct mq_ctx *ctx, const char *id);

/* The invitation `secret` names, if it can still bring in `email`:
 * unused, unexpired, and for that address or anyone. MQ_EPERM otherwise,
 * the same for every reason. */
MQ_MUST_CHECK mq_err mq_invites_find(struct mq_ctx *ctx, struct mq_arena *a, const char *secret,
                                     const char *email, struct mq_invite *out);

/* In the caller's transaction: marks it used by user_id; MQ_EPERM when it
 * was used or expired meanwhile. */
MQ_MUST_CHECK mq_err mq_invites_use_in(struct mq_ctx *ctx, struct mq_db *db, const char *id,
                                       const char *user_id);

#endif
