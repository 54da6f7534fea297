/* sessions.h - sessions and their tokens: opening one for a user whose
 * identity is proven (auth/signin.h proves it), refreshing, ending, listing,
 * and authenticating a request by its access token.
 *
 * A session is a refresh-token family. Refresh tokens are 256-bit random
 * strings ("mqr_" + base64url), stored only as SHA-256 hashes, rotated on
 * every use; a rotated token shown again means it was stolen, so the whole
 * session is revoked. Access tokens are EdDSA JWTs naming their session
 * (sid); every authenticated request checks that the session is still open,
 * so revoking one takes effect at once, on every instance. */
#ifndef MQ_AUTH_SESSIONS_H
#define MQ_AUTH_SESSIONS_H

#include <stdbool.h>

#include "auth/principal.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "crypto/token.h"
#include "store/sessions.h"

#define MQ_REFRESH_TOKEN_LEN MQ_SECRET_TOKEN_LEN /* "mqr_" and 43 base64url characters */

struct mq_tokens {
    char *access_token, *refresh_token; /* arena */
    int64_t expires_in;                 /* seconds */
    char session_id[37];
    /* A sign-in that waits for a second factor has no tokens but these: */
    char *mfa_token;      /* arena; NULL when no factor is asked for */
    unsigned mfa_methods; /* MQ_MFA_* bits (auth/mfa.h) */
    bool enrol_only;      /* the session may only enrol a second factor */
    char *device_token;   /* "remember this device", when asked for */
};

/* Where a session is used from, as the client says. */
struct mq_device {
    const char *ip, *user_agent, *device_name;
};

/* How the user of a new session proved a second factor. */
struct mq_session_factor {
    const char *method; /* "totp", "backup_code", "webauthn", "trusted_device" or NULL */
    bool enrol_only;    /* none yet, and the role requires one */
};

/* A session as the services hand it out (strings in the caller's arena). */
struct mq_session {
    const char *id, *ip, *user_agent, *device_name;
    int64_t created_at, last_seen_at, expires_at;
    const char *mfa_method;  /* how a second factor was proven, or NULL */
    int64_t mfa_verified_at; /* 0 = none */
    const char *actor_id;    /* an impersonation: the admin acting as the user; or NULL */
};

/* Opens a session for a user whose identity is already proven, inside the
 * caller's write transaction (after a password change, for instance).
 * factor may be NULL (no second factor proven). */
MQ_MUST_CHECK mq_err mq_session_open(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                     const char *user_id, const struct mq_device *device,
                                     const struct mq_session_factor *factor, struct mq_tokens *out);

/* An admin acting as a user, in the caller's write transaction: a session
 * of the user's that names the admin, lives as long as its one access
 * token (whose "act" claim names the admin too) and has no refresh token. */
MQ_MUST_CHECK mq_err mq_session_open_impersonation(struct mq_ctx *ctx, struct mq_db *db,
                                                   struct mq_arena *a, const char *user_id,
                                                   const char *actor_id,
                                                   const struct mq_device *device,
                                                   struct mq_tokens *out);

/* Rotates a refresh token. MQ_EPERM when it is unknown, expired, or was
 * already used; in that last case *reused is set and its session revoked. */
MQ_MUST_CHECK mq_err mq_session_refresh(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                        struct mq_tokens *out, bool *reused, char user_id[37]);

/* Ends a session. */
MQ_MUST_CHECK mq_err mq_session_logout(struct mq_ctx *ctx, const char *session_id,
                                       const char *reason);

/* The user's open sessions, newest first, below `before_id` (NULL: from
 * the newest); at most `limit`, in the arena. */
MQ_MUST_CHECK mq_err mq_sessions_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                      const char *before_id, int limit, struct mq_session **out,
                                      size_t *n);

/* Ends one of the user's open sessions; MQ_ENOTFOUND when there is no such
 * open session of theirs. */
MQ_MUST_CHECK mq_err mq_session_end(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                    const char *session_id, const char *reason);

/* Ends every open session of the user but `keep`; *ended counts them. */
MQ_MUST_CHECK mq_err mq_sessions_end_others(struct mq_ctx *ctx, const char *user_id,
                                            const char *keep, const char *reason, int64_t *ended);

/* Finds the session a refresh token belongs to (for logout by refresh
 * token); MQ_EPERM for an unknown token. */
MQ_MUST_CHECK mq_err mq_session_of_refresh_token(struct mq_ctx *ctx, struct mq_arena *a,
                                                 const char *token, const char **session_id);

/* Publishes session.revoked (core/events.h) in the caller's transaction:
 * for one session, or, with session_id NULL, for several of the user's,
 * which a subscriber then looks at again. `reason` ("logout", ...) goes in
 * the detail. Every path that ends sessions calls it. */
MQ_MUST_CHECK mq_err mq_session_publish_revoked(struct mq_ctx *ctx, struct mq_db *db,
                                                const char *user_id, const char *session_id,
                                                const char *reason);

/* Checks a bearer access token and that its session is open. MQ_EPERM with
 * a reason otherwise. */
MQ_MUST_CHECK mq_err mq_session_authenticate(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *token, struct mq_principal *out,
                                             const char **why);

#endif
