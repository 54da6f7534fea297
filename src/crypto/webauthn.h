/* webauthn.h - the relying party's checks of WebAuthn ceremonies (W3C Web
 * Authentication Level 3, §7.1 registration and §7.2 authentication),
 * without storage: the service in passkeys.c keeps challenges and
 * credentials.
 *
 * Attestation formats: "none", and "packed" with self attestation or an
 * x5c certificate (its signature and §8.2.1 certificate requirements are
 * checked; there is no metadata service here to anchor the chain, so such
 * attestation is recorded as "basic", untrusted). */
#ifndef MQ_CRYPTO_WEBAUTHN_H
#define MQ_CRYPTO_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_WEBAUTHN_CRED_ID_MAX 1023

struct mq_webauthn_rp {
    const char *id;             /* rp id: a registrable domain, e.g. "example.org" */
    const char *const *origins; /* accepted origins, exactly */
    size_t norigins;
};

/* What a ceremony carries, decoded from base64url. */
struct mq_webauthn_blob {
    const unsigned char *data;
    size_t len;
};

struct mq_webauthn_registration {
    unsigned char cred_id[MQ_WEBAUTHN_CRED_ID_MAX];
    size_t cred_id_len;
    unsigned char *cose_key; /* arena */
    size_t cose_key_len;
    int alg;
    uint32_t sign_count;
    unsigned char aaguid[16];
    const char *fmt;              /* "none" or "packed" */
    const char *attestation_type; /* "none", "self" or "basic" */
    bool user_verified, backup_eligible, backed_up;
};

/* §7.1: clientDataJSON (type webauthn.create, the challenge, an allowed
 * origin, not cross-origin), the attestation object (rpIdHash, UP, UV when
 * required, attested credential data, a supported key) and its statement.
 * MQ_EPERM with *why for every refusal. */
MQ_MUST_CHECK mq_err mq_webauthn_verify_registration(
    struct mq_arena *a, const struct mq_webauthn_rp *rp, const unsigned char *challenge,
    size_t challenge_len, struct mq_webauthn_blob client_data, struct mq_webauthn_blob attestation,
    bool require_uv, struct mq_webauthn_registration *out, const char **why);

struct mq_webauthn_assertion {
    struct mq_webauthn_blob client_data, authenticator_data, signature;
};

/* §7.2, for a credential whose COSE key and stored sign count are given:
 * clientDataJSON (type webauthn.get, challenge, origin), authenticator data
 * (rpIdHash, UP, UV when required) and the signature over authenticatorData
 * ‖ SHA-256(clientDataJSON). MQ_EPERM with *why when it does not verify;
 * MQ_ECONFLICT when it does but the sign count did not increase (a cloned
 * authenticator, perhaps). *new_count and *uv are set on both. */
MQ_MUST_CHECK mq_err mq_webauthn_verify_assertion(
    const struct mq_webauthn_rp *rp, const unsigned char *challenge, size_t challenge_len,
    const struct mq_webauthn_assertion *in, const unsigned char *cose_key, size_t key_len,
    uint32_t stored_count, bool require_uv, uint32_t *new_count, bool *uv, const char **why);

/* base64url without padding, decoded into the arena; false when malformed. */
bool mq_webauthn_b64url(struct mq_arena *a, const char *text, struct mq_webauthn_blob *out);

#endif
