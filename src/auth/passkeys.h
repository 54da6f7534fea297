/* passkeys.h - WebAuthn credentials of users: registering them, the
 * options for each ceremony, checking assertions (as a second factor, for
 * re-authentication, and for passkey sign-in), listing, renaming, deleting.
 *
 * The relying party is webauthn_rp_id (default: the host of public_url),
 * and only webauthn_origins (default: public_url's origin) are accepted.
 * Every ceremony's challenge is 32 random bytes, stored hashed with its
 * purpose and owner, good once and for five minutes; an answer is matched
 * to its challenge through the challenge in clientDataJSON, so a challenge
 * made for one purpose, user or sign-in is no good for another. */
#ifndef MQ_AUTH_PASSKEYS_H
#define MQ_AUTH_PASSKEYS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/mfa_policy.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "store/store.h"
#include "store/webauthn.h"

#define MQ_PASSKEY_NAME_MAX 64

/* PublicKeyCredentialCreationOptions (JSON form) for the user. */
MQ_MUST_CHECK mq_err mq_passkeys_register_begin(struct mq_ctx *ctx, struct mq_arena *a,
                                                const struct mq_mfa_who *who, json_t **options);

/* Verifies a RegistrationResponseJSON and stores the credential under
 * `name`; turns MFA on, and the session counts as having proven it.
 * Refusals in *why: MQ_EINVAL invalid_credential when it does not verify
 * (the challenge is spent all the same), invalid_name; MQ_ECONFLICT
 * credential_exists. */
MQ_MUST_CHECK mq_err mq_passkeys_register_finish(struct mq_ctx *ctx, struct mq_arena *a,
                                                 const struct mq_mfa_who *who, json_t *credential,
                                                 const char *name, const char **id,
                                                 struct mq_refusal *why);

/* PublicKeyCredentialRequestOptions (JSON form). purpose "mfa" (for the
 * sign-in whose mfa_token hashes to mfa_token_hash) and "reauth" list the
 * user's credentials; "passkey" names no user and asks for user
 * verification. */
MQ_MUST_CHECK mq_err mq_passkeys_assert_begin(struct mq_ctx *ctx, struct mq_arena *a,
                                              const char *purpose, const char *user_id,
                                              const char *mfa_token_hash, json_t **options);

enum mq_passkey_verdict {
    MQ_PASSKEY_OK,
    MQ_PASSKEY_REFUSED, /* unknown credential or challenge, or it does not verify */
    MQ_PASSKEY_CLONED,  /* verified, but the counter went backwards: now flagged */
    MQ_PASSKEY_FLAGGED, /* flagged as possibly cloned before */
};

/* Checks an AuthenticationResponseJSON in the caller's write transaction.
 * user_id (may be NULL for "passkey") is whose credential it must be;
 * mfa_token_hash (for "mfa") which sign-in. On MQ_PASSKEY_OK the counter
 * is recorded; *user_out (arena) is the credential's owner when known. */
MQ_MUST_CHECK mq_err mq_passkeys_check(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                       const char *purpose, const char *user_id,
                                       const char *mfa_token_hash, json_t *assertion,
                                       enum mq_passkey_verdict *verdict, const char **user_out,
                                       const char **credential, const char **why);

/* A security key or passkey as the services hand it out. */
struct mq_passkey {
    const char *id, *name, *credential_id, *aaguid;
    const char *transports; /* a JSON array */
    const char *attestation_format, *attestation_type;
    int alg;
    bool backup_eligible, backed_up;
    int64_t created_at, last_used_at, flagged_at; /* 0 = unset */
};

MQ_MUST_CHECK mq_err mq_passkeys_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                      struct mq_passkey **out, size_t *n);
/* MQ_ENOTFOUND when the user has no such credential; MQ_EINVAL for a bad
 * name. */
MQ_MUST_CHECK mq_err mq_passkeys_rename(struct mq_ctx *ctx, const char *user_id, const char *id,
                                        const char *name);
/* Removes a credential under the same rules as removing the authenticator
 * app (mfa.h): MQ_EPERM for the last factor of a role that must have one. */
MQ_MUST_CHECK mq_err mq_passkeys_delete(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_mfa_who *who, const char *id);

#endif
