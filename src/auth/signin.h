/* signin.h - proving who one is: a password, then a second factor when the
 * account has one (or its role must), or a passkey alone; each ends in a
 * session (auth/sessions.h). Also proving it again (re-authentication)
 * before a sensitive change, and the lockout both count towards.
 *
 * The line it draws: this module calls sessions, mfa (checking a code) and
 * passkeys (checking an assertion); none of them calls back.
 *
 * Sign-in does the same work for unknown addresses as for known ones (an
 * argon2id computation) and fails the same way, so accounts cannot be found
 * by trying; locked and suspended accounts fail the same way too. Only the
 * right password learns that an account is deleted (and may restore it) or
 * that its address must be verified first.
 *
 * A right password for an account with MFA yields an mfa_token (stored
 * hashed with the sign-in's device, for five minutes and five attempts)
 * instead of tokens; a second factor with it completes the sign-in. A user
 * whose role must have MFA but who has no factor yet gets an enrol-only
 * session. Wrong codes count toward the account's lockout like wrong
 * passwords, and a right password does not reset that count while a
 * factor is pending, so an attacker who knows the password still gets only
 * a few guesses per lockout period. */
#ifndef MQ_AUTH_SIGNIN_H
#define MQ_AUTH_SIGNIN_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/mfa_policy.h"
#include "auth/passkeys.h"
#include "auth/sessions.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/users.h"

#define MQ_MFA_CHALLENGE_TTL_MS   (5 * 60 * 1000)
#define MQ_MFA_CHALLENGE_ATTEMPTS 5

/* A password sign-in. */
struct mq_login {
    const char *email, *password;
    struct mq_device device;
    const char *device_token; /* from an earlier "remember this device" */
    bool restore;             /* restore the account if deleted within the grace period */
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
 * refusal; *outcome says which, *user_id (may be "") whose. On
 * MQ_LOGIN_MFA, out has an mfa_token and the methods instead of tokens. */
MQ_MUST_CHECK mq_err mq_signin_password(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_login *in, struct mq_tokens *out,
                                        enum mq_login_outcome *outcome, char user_id[37]);

/* The second half of a sign-in. */
struct mq_mfa_answer {
    const char *mfa_token, *method, *code;
    json_t *assertion; /* for "webauthn": an AuthenticationResponseJSON */
    bool remember_device;
    const char *ip;
};

/* What a second-factor attempt amounted to, for the audit log. */
enum mq_mfa_outcome {
    MQ_MFA_OK,
    MQ_MFA_BAD_TOKEN, /* unknown, used, expired or out of attempts */
    MQ_MFA_WRONG,     /* wrong code */
    MQ_MFA_LOCKOUT,   /* wrong code, and it locked the account */
    MQ_MFA_LOCKED,    /* the account is locked or suspended */
    MQ_MFA_CLONED,    /* a WebAuthn counter went backwards: the credential is flagged */
};

/* Completes a sign-in. MQ_EPERM for every refusal (*outcome says which,
 * *user_id whose if known); MQ_EINVAL for a method the user does not have. */
MQ_MUST_CHECK mq_err mq_signin_second_factor(struct mq_ctx *ctx, struct mq_arena *a,
                                             const struct mq_mfa_answer *in, struct mq_tokens *out,
                                             enum mq_mfa_outcome *outcome, char user_id[37]);

/* WebAuthn request options for the sign-in an mfa_token stands for (it
 * counts no attempt). MQ_EPERM for a token that is not live; MQ_EINVAL
 * when the user has no WebAuthn credential. */
MQ_MUST_CHECK mq_err mq_signin_webauthn_options(struct mq_ctx *ctx, struct mq_arena *a,
                                                const char *mfa_token, json_t **options);

/* Sign-in with a discoverable credential and user verification, no e-mail
 * typed. MQ_EPERM for every refusal (*verdict and *user_id say more);
 * unknown credentials are refusals too. The outcome is as for a password
 * sign-in. */
MQ_MUST_CHECK mq_err mq_signin_passkey(struct mq_ctx *ctx, struct mq_arena *a, json_t *assertion,
                                       const struct mq_device *device, struct mq_tokens *out,
                                       enum mq_passkey_verdict *verdict,
                                       enum mq_login_outcome *outcome, char user_id[37],
                                       const char **why);

/* Counts a failed proof (password or second factor) toward the account's
 * lockout, in the caller's transaction; *locked says whether this one
 * locked it, and then the owner is mailed. */
MQ_MUST_CHECK mq_err mq_signin_count_failure(struct mq_ctx *ctx, struct mq_db *db,
                                             const struct mq_user_row *user, const char *ip,
                                             bool *locked);

/* Re-authentication with the password (slow: argon2id, run it on the CPU
 * pool): stamps the session as recently proven. MQ_EPERM when wrong; a
 * wrong password counts toward lockout. */
MQ_MUST_CHECK mq_err mq_signin_reauth_password(struct mq_ctx *ctx, struct mq_arena *a,
                                               const char *user_id, const char *session_id,
                                               const char *password, const char *ip);

/* Re-authentication with a second factor: stamps the session. MQ_EPERM
 * for a wrong code; MQ_ECONFLICT when a WebAuthn counter went backwards
 * (the credential is now flagged); MQ_EINVAL for a method the user lacks. */
MQ_MUST_CHECK mq_err mq_signin_reauth_factor(struct mq_ctx *ctx, struct mq_arena *a,
                                             const struct mq_mfa_who *who, const char *method,
                                             const char *code, json_t *assertion);

/* The session proved who its user is recently enough (reauth_window) to
 * change factors. */
bool mq_signin_recent(const struct mq_ctx *ctx, const struct mq_principal *who);

#endif
