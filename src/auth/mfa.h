/* mfa.h - the authenticator app (TOTP), backup codes, remembered devices,
 * turning MFA on and off, and checking a code of any kind for sign-in and
 * re-authentication (auth/signin.h asks).
 *
 * A user turns MFA on by confirming a factor (a first right TOTP code, or
 * a security key: auth/passkeys.h); the rules every factor keeps are in
 * auth/mfa_policy.h. Backup codes stand in for a lost authenticator but
 * are not a factor of their own. */
#ifndef MQ_AUTH_MFA_H
#define MQ_AUTH_MFA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/authz.h"
#include "auth/mfa_policy.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/mfa.h"
#include "store/store.h"
#include "store/users.h"

#define MQ_BACKUP_CODES    10
#define MQ_BACKUP_CODE_LEN 19 /* four groups of four characters, dash-separated */

/* Methods, as bits. */
enum {
    MQ_MFA_TOTP = 1 << 0,
    MQ_MFA_BACKUP_CODE = 1 << 1,
    MQ_MFA_WEBAUTHN = 1 << 2,
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

/* For a member who lost their factors: an admin (`actor`, who must hold all
 * the member may do: else MQ_EPERM, not_within_yours) removes the
 * authenticator, every security key and passkey, the backup codes and the
 * remembered devices, and MFA goes off; a role that must have MFA gets
 * enrol-only sessions until a new factor is set up. The member is mailed.
 * *removed counts the factors that were there. MQ_ENOTFOUND: no such user. */
MQ_MUST_CHECK mq_err mq_mfa_admin_reset(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_authz *actor, const char *user_id,
                                        const char *ip, int *removed, struct mq_refusal *why);

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

/* A remembered device ("remember this device"): never its token's hash. */
struct mq_mfa_device {
    const char *id, *ip, *user_agent, *device_name;
    int64_t created_at, expires_at, last_used_at;
};

/* The user's trusted devices ("remember this device"), newest first. */
MQ_MUST_CHECK mq_err mq_mfa_devices_list(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *user_id, struct mq_mfa_device **out,
                                         size_t *n);
/* MQ_ENOTFOUND when the user has no such live device. */
MQ_MUST_CHECK mq_err mq_mfa_device_revoke(struct mq_ctx *ctx, const char *user_id, const char *id);

/* What checking a factor found beyond right or wrong. */
struct mq_mfa_check {
    const char *purpose;        /* of a WebAuthn challenge: "mfa" or "reauth" */
    const char *mfa_token_hash; /* the sign-in a WebAuthn challenge must belong to */
    bool cloned;                /* out: a WebAuthn counter went backwards */
};

/* In the caller's write transaction: checks a code of `method` ("totp",
 * "backup_code" or "webauthn", whose answer is `assertion`) against the
 * user's factors `f`, and uses it up when right (a TOTP step, a backup
 * code, a WebAuthn counter). *ok says whether it was right; MQ_EINVAL for
 * a method the user lacks. */
MQ_MUST_CHECK mq_err mq_mfa_check(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                  const char *user_id, const struct mq_mfa_factors *f,
                                  const char *method, const char *code, json_t *assertion,
                                  const char *ip, struct mq_mfa_check *chk, bool *ok);

/* The MQ_MFA_* methods a user with factors `f` may sign in with. */
unsigned mq_mfa_methods(const struct mq_mfa_factors *f);

#endif
