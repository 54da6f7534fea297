/* mfa.h - second factors: TOTP, backup codes, and how sign-in asks for them.
 *
 * A user turns MFA on by confirming a factor (a first right TOTP code);
 * from then on a right password at sign-in yields an mfa_token instead of
 * tokens, and POST /auth/mfa/verify with a factor completes the sign-in.
 * Backup codes stand in for a lost authenticator but are not a factor of
 * their own. An admin may require MFA for roles; a user of such a role
 * without a factor gets an enrol-only session until they confirm one.
 *
 * Wrong codes count toward the account's lockout like wrong passwords, and
 * a right password does not reset that count while a factor is pending, so
 * an attacker who knows the password still gets only a few guesses per
 * lockout period. */
#ifndef MQ_AUTH_MFA_H
#define MQ_AUTH_MFA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/sessions.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/mfa.h"
#include "store/store.h"
#include "store/users.h"

#define MQ_MFA_CHALLENGE_TTL_MS   (5 * 60 * 1000)
#define MQ_MFA_CHALLENGE_ATTEMPTS 5
#define MQ_BACKUP_CODES           10
#define MQ_BACKUP_CODE_LEN        19 /* four groups of four characters, dash-separated */

/* Methods, as bits. */
enum {
    MQ_MFA_TOTP = 1 << 0,
    MQ_MFA_BACKUP_CODE = 1 << 1,
    MQ_MFA_WEBAUTHN = 1 << 2,
};

/* Who asks, for the factor changes: the user, their session (the one that
 * proves a factor or re-authenticates), their role, and where from (for the
 * notice mailed to them). */
struct mq_mfa_who {
    const char *user_id, *session_id;
    const char *const *roles; /* the roles the user holds */
    size_t nroles;
    const char *ip;
};

struct mq_mfa_status {
    int webauthn;      /* credentials (flagged ones too: they still make MFA required) */
    bool enabled;      /* sign-in asks for a second factor */
    bool required;     /* the user's role must have one */
    bool totp;         /* a confirmed authenticator */
    bool totp_pending; /* set up, waiting for a first code */
    int backup_codes_left, backup_codes_total;
    int trusted_devices;
    int64_t enabled_at;
};

MQ_MUST_CHECK mq_err mq_mfa_status(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_who *who, struct mq_mfa_status *out);

/* The roles that must have MFA (admin policy): a new JSON array. */
MQ_MUST_CHECK mq_err mq_mfa_policy_get(struct mq_ctx *ctx, struct mq_arena *a, json_t **roles);
/* MQ_EINVAL when an entry is not a known role. */
MQ_MUST_CHECK mq_err mq_mfa_policy_set(struct mq_ctx *ctx, json_t *roles);

/* The same inside the caller's transaction (the settings change several
 * things at once). _set_in answers MQ_EINVAL when an entry names no role. */
MQ_MUST_CHECK mq_err mq_mfa_policy_get_in(struct mq_db *db, struct mq_arena *a, json_t **roles);
MQ_MUST_CHECK mq_err mq_mfa_policy_set_in(struct mq_db *db, struct mq_arena *a, json_t *roles,
                                          int64_t now_ms);

struct mq_totp_setup {
    char *secret; /* base32 */
    char *uri;    /* otpauth:// */
    char *qr_svg;
    unsigned char *qr_png;
    size_t qr_png_len;
};

/* A new secret, waiting for its first code. MQ_ECONFLICT when a confirmed
 * authenticator exists (remove it first). */
MQ_MUST_CHECK mq_err mq_mfa_totp_setup(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_mfa_who *who, struct mq_totp_setup *out);

/* Confirms the pending authenticator with a right code and turns MFA on;
 * the session counts as verified with it. MQ_ENOTFOUND with none pending,
 * MQ_EPERM for a wrong code. */
MQ_MUST_CHECK mq_err mq_mfa_totp_confirm(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_mfa_who *who, const char *code);

/* Removes the authenticator; MFA goes off with the last factor (not when
 * the role requires it: MQ_EPERM). MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_mfa_totp_remove(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_mfa_who *who);

/* Mails the owner about a change to their factors (template mfa-changed),
 * in the transaction that makes it. */
MQ_MUST_CHECK mq_err mq_mfa_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                   const struct mq_mfa_who *who, const char *change);

/* In the caller's transaction, once a confirmed factor (`what`, such as
 * "The authenticator app") is gone: MQ_EPERM when it was the last and the
 * role must have one (roll back); when it was the last, MFA goes off and
 * remembered devices and backup codes end. The owner is mailed. */
MQ_MUST_CHECK mq_err mq_mfa_factor_removed(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                           const struct mq_mfa_who *who, bool last,
                                           const char *what);

/* For a member who lost their factors: an admin (`actor`, who must hold all
 * the member may do: else MQ_EPERM, not_within_yours) removes the
 * authenticator, every security key and passkey, the backup codes and the
 * remembered devices, and MFA goes off; a role that must have MFA gets
 * enrol-only sessions until a new factor is set up. The member is mailed.
 * *removed counts the factors that were there. MQ_ENOTFOUND: no such user. */
MQ_MUST_CHECK mq_err mq_mfa_admin_reset(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_authz *actor, const char *user_id,
                                        const char *ip, int *removed, const char **code,
                                        const char **why);

/* Ten new codes in the arena, replacing any. With `only_if_none`,
 * MQ_ECONFLICT when unused codes exist. */
MQ_MUST_CHECK mq_err mq_mfa_backup_codes_new(struct mq_ctx *ctx, struct mq_arena *a,
                                             const struct mq_mfa_who *who, bool only_if_none,
                                             char *codes[MQ_BACKUP_CODES]);

/* The canonical form of a typed backup code (16 upper-case characters, no
 * dashes or spaces); false when it cannot be one. */
bool mq_backup_code_normalise(const char *typed, char out[17]);

/* MQ_EINVAL without a confirmed factor. */
MQ_MUST_CHECK mq_err mq_mfa_enable(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_who *who);
/* Sign-in stops asking for a second factor; the factors stay. MQ_EPERM
 * when the role requires MFA. Ends the trusted devices. */
MQ_MUST_CHECK mq_err mq_mfa_disable(struct mq_ctx *ctx, struct mq_arena *a,
                                    const struct mq_mfa_who *who);

/* The user's trusted devices ("remember this device"), newest first. */
MQ_MUST_CHECK mq_err mq_mfa_devices_list(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *user_id, struct mq_trusted_device **out,
                                         size_t *n);
/* MQ_ENOTFOUND when the user has no such live device. */
MQ_MUST_CHECK mq_err mq_mfa_device_revoke(struct mq_ctx *ctx, const char *user_id, const char *id);

/* The sign-in gate, in the sign-in's write transaction once the password
 * is right: decides whether the user needs a second factor (then makes an
 * mfa_token in out->mfa_token, with out->mfa_methods), gets an enrol-only
 * session (*factor filled so), or a full one (a trusted device token may
 * have vouched: *factor says so). *pending tells the caller not to open a
 * session. */
MQ_MUST_CHECK mq_err mq_mfa_gate(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                 const struct mq_user_row *user, const struct mq_login *in,
                                 struct mq_tokens *out, struct mq_session_factor *factor,
                                 bool *pending);

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
MQ_MUST_CHECK mq_err mq_mfa_verify(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_answer *in, struct mq_tokens *out,
                                   enum mq_mfa_outcome *outcome, char user_id[37]);

/* Re-authentication with a factor (the password way is in sessions.h):
 * stamps the session. MQ_EPERM for a wrong code; MQ_ECONFLICT when a
 * WebAuthn counter went backwards (the credential is now flagged). */
MQ_MUST_CHECK mq_err mq_mfa_reauth(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_who *who, const char *method,
                                   const char *code, json_t *assertion);

/* WebAuthn request options for the sign-in an mfa_token stands for (it
 * counts no attempt). MQ_EPERM for a token that is not live; MQ_EINVAL
 * when the user has no WebAuthn credential. */
MQ_MUST_CHECK mq_err mq_mfa_webauthn_options(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *mfa_token, json_t **options);

/* The hash under which a sign-in's mfa_token is stored (for binding a
 * WebAuthn challenge to it); false for a token of the wrong shape. */
bool mq_mfa_token_hash(const char *mfa_token, char hash[65]);

/* The session proved who its user is recently enough to change factors. */
bool mq_mfa_recent(const struct mq_ctx *ctx, const struct mq_principal *who);

#endif
