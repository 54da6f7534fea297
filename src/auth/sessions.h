/* sessions.h - signing in, refreshing, signing out, and authenticating
 * requests.
 *
 * A session is a refresh-token family. Refresh tokens are 256-bit random
 * strings ("mqr_" + base64url), stored only as SHA-256 hashes, rotated on
 * every use; a rotated token shown again means it was stolen, so the whole
 * session is revoked. Access tokens are EdDSA JWTs naming their session
 * (sid); every authenticated request checks that the session is still open,
 * so revoking one takes effect at once, on every instance.
 *
 * Sign-in does the same work for unknown addresses as for known ones (an
 * argon2id computation) and fails the same way, so accounts cannot be found
 * by trying; locked and suspended accounts fail the same way too. Only the
 * right password learns that an account is deleted (and may restore it) or
 * that its address must be verified first. */
#ifndef MQ_SESSIONS_H
#define MQ_SESSIONS_H

#include <stdbool.h>

#include "auth/authz.h"
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

struct mq_login {
    const char *email, *password, *ip, *user_agent, *device_name;
    const char *device_token; /* from an earlier "remember this device" */
    bool restore;             /* restore the account if deleted within the grace period */
};

/* How the user of a new session proved a second factor. */
struct mq_session_factor {
    const char *method; /* "totp", "backup_code", "webauthn", "trusted_device" or NULL */
    bool enrol_only;    /* none yet, and the role requires one */
};

/* What a sign-in attempt amounted to, for the audit log. */
enum mq_login_outcome {
    MQ_LOGIN_OK,
    MQ_LOGIN_UNKNOWN,    /* no such account */
    MQ_LOGIN_WRONG,      /* wrong password */
    MQ_LOGIN_LOCKOUT,    /* wrong password, and this one locked the account */
    MQ_LOGIN_LOCKED,     /* the account is locked */
    MQ_LOGIN_DISABLED,   /* suspended */
    MQ_LOGIN_DELETED,    /* right password, but the account is deleted (see restore) */
    MQ_LOGIN_UNVERIFIED, /* right password, address unverified, and that is required */
    MQ_LOGIN_RESTORED,   /* signed in, and the deleted account restored */
    MQ_LOGIN_MFA,        /* right password; a second factor is asked for */
};

/* Slow (argon2id): run it on the CPU pool. MQ_EPERM for every kind of
 * refusal; *outcome says which, *user_id (may be "") whose. Only a right
 * password learns of deletion or a missing verification. */
MQ_MUST_CHECK mq_err mq_auth_login(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_login *in, struct mq_tokens *out,
                                   enum mq_login_outcome *outcome, char user_id[37]);

/* Opens a session for a user whose identity is already proven, inside the
 * caller's write transaction (after a password change, for instance).
 * factor may be NULL (no second factor proven). */
MQ_MUST_CHECK mq_err mq_auth_session_open(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                          const char *user_id, const struct mq_login *in,
                                          const struct mq_session_factor *factor,
                                          struct mq_tokens *out);

/* An admin acting as a user, in the caller's write transaction: a session
 * of the user's that names the admin, lives as long as its one access
 * token (whose "act" claim names the admin too) and has no refresh token. */
MQ_MUST_CHECK mq_err mq_auth_impersonation_open(struct mq_ctx *ctx, struct mq_db *db,
                                                struct mq_arena *a, const char *user_id,
                                                const char *actor_id, const char *ip,
                                                const char *user_agent, struct mq_tokens *out);

struct mq_user_row;

/* Counts a failed proof (password or second factor) toward the account's
 * lockout, in the caller's transaction; *locked says whether this one
 * locked it, and then the owner is mailed. */
MQ_MUST_CHECK mq_err mq_auth_count_failure(struct mq_ctx *ctx, struct mq_db *db,
                                           const struct mq_user_row *user, const char *ip,
                                           bool *locked);

/* Re-authentication with the password (slow: argon2id, run it on the CPU
 * pool): stamps the session as recently proven. MQ_EPERM when wrong; a
 * wrong password counts toward lockout. */
MQ_MUST_CHECK mq_err mq_auth_reauth_password(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *user_id, const char *session_id,
                                             const char *password, const char *ip);

/* Rotates a refresh token. MQ_EPERM when it is unknown, expired, or was
 * already used; in that last case *reused is set and its session revoked. */
MQ_MUST_CHECK mq_err mq_auth_refresh(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                     struct mq_tokens *out, bool *reused, char user_id[37]);

/* Ends a session. */
MQ_MUST_CHECK mq_err mq_auth_logout(struct mq_ctx *ctx, const char *session_id, const char *reason);

/* The user's open sessions, newest first, below `before_id` (NULL: from
 * the newest); at most `limit`, in the arena. */
MQ_MUST_CHECK mq_err mq_auth_sessions_list(struct mq_ctx *ctx, struct mq_arena *a,
                                           const char *user_id, const char *before_id, int limit,
                                           struct mq_session_row **out, size_t *n);

/* Ends one of the user's open sessions; MQ_ENOTFOUND when there is no such
 * open session of theirs. */
MQ_MUST_CHECK mq_err mq_auth_session_end(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *user_id, const char *session_id,
                                         const char *reason);

/* Ends every open session of the user but `keep`; *ended counts them. */
MQ_MUST_CHECK mq_err mq_auth_sessions_end_others(struct mq_ctx *ctx, const char *user_id,
                                                 const char *keep, const char *reason,
                                                 int64_t *ended);

/* Finds the session a refresh token belongs to (for logout by refresh
 * token); MQ_EPERM for an unknown token. */
MQ_MUST_CHECK mq_err mq_auth_refresh_session(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *token, const char **session_id);

struct mq_principal {
    const char *user_id, *session_id; /* arena; session_id is NULL for an API key */
    struct mq_authz authz;            /* the user's roles and permissions */
    const char *mfa_method;           /* how the session proved a second factor, or NULL */
    int64_t auth_at;                  /* when its user last proved who they are */
    bool enrol_only;                  /* may only enrol a second factor */
    const char *actor_id;             /* impersonation: the admin acting as the user, or NULL */
    /* Signed in with an API key (auth/apikeys.h): its id, its scopes (which
     * narrow authz) and its own rate limit. */
    const char *api_key_id;
    const char **scopes;
    size_t nscopes;
    const char *key_rate_limit; /* NULL = the default */
};

/* Whether the principal may do what `needed` names: their roles allow it
 * and, for an API key, so do its scopes. */
bool mq_principal_allows(const struct mq_principal *who, const char *needed);

/* Checks a bearer access token and that its session is open. MQ_EPERM with
 * a reason otherwise. */
MQ_MUST_CHECK mq_err mq_auth_authenticate(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                          struct mq_principal *out, const char **why);

#endif
