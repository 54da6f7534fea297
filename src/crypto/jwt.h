/* jwt.h - JSON Web Tokens signed with EdDSA (Ed25519, RFC 8037), and only
 * that: a token naming any other algorithm ("none", HS256, RS256...) is
 * refused before anything else is looked at, so no key confusion is possible.
 *
 * Access tokens carry iss, aud, sub, sid, jti, iat and exp; their header
 * carries kid, the RFC 7638 thumbprint of the signing key. */
#ifndef MQ_CRYPTO_JWT_H
#define MQ_CRYPTO_JWT_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_JWT_MAX 4096 /* bytes; longer tokens are refused unread */
#define MQ_KID_LEN 43   /* base64url SHA-256 */

struct mq_signing_key {
    char kid[MQ_KID_LEN + 1];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

/* Derives a key pair from a 32-byte seed; kid is its RFC 7638 thumbprint. */
void mq_signing_key_from_seed(const unsigned char seed[crypto_sign_SEEDBYTES],
                              struct mq_signing_key *out);

/* The RFC 7638 thumbprint of an Ed25519 public key, base64url. */
void mq_jwk_thumbprint(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                       char out[MQ_KID_LEN + 1]);

/* JWS compact serialisation: base64url(header).base64url(payload).sig,
 * allocated in the arena. */
MQ_MUST_CHECK mq_err mq_jws_sign(struct mq_arena *a, const struct mq_signing_key *key,
                                 const char *header_json, const char *payload, size_t len,
                                 char **out);

struct mq_jwt_claims {
    const char *iss, *aud, *sub, *sid, *jti; /* strings in the arena */
    int64_t iat, exp;                        /* Unix seconds */
    const char *act_sub;                     /* RFC 8693 "act": {"sub"}, who acts as sub; or NULL */
};

/* Issues a token with the claims (NULL strings are left out). */
MQ_MUST_CHECK mq_err mq_jwt_issue(struct mq_arena *a, const struct mq_signing_key *key,
                                  const struct mq_jwt_claims *claims, char **token);

/* Finds the public key for a kid, or NULL. */
typedef const unsigned char *(*mq_jwt_key_fn)(void *cls, const char *kid);

struct mq_jwt_expect {
    const char *iss, *aud;
    int64_t now; /* Unix seconds */
    int leeway;  /* seconds allowed for clock skew */
};

/* Verifies signature, algorithm, kid, issuer, audience and times, and fills
 * claims. MQ_EPERM with a reason for any token that is not ours and valid. */
MQ_MUST_CHECK mq_err mq_jwt_verify(struct mq_arena *a, const char *token, mq_jwt_key_fn keys,
                                   void *cls, const struct mq_jwt_expect *expect,
                                   struct mq_jwt_claims *out, const char **why);

#endif
