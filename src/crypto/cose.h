/* cose.h - COSE_Key public keys (RFC 9052/9053), as WebAuthn authenticators
 * send them: parsed with libcbor, verified with OpenSSL.
 *
 * Three algorithms: ES256 (-7, EC2 on P-256), RS256 (-257, RSASSA-PKCS1-v1_5
 * with SHA-256) and EdDSA (-8, OKP on Ed25519). */
#ifndef MQ_CRYPTO_COSE_H
#define MQ_CRYPTO_COSE_H

#include <cbor.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define MQ_COSE_ES256 (-7)
#define MQ_COSE_RS256 (-257)
#define MQ_COSE_EDDSA (-8)

struct mq_cose_key;

/* Reads a COSE_Key map. MQ_EPERM (with *why) for one that is malformed,
 * of an unsupported algorithm, or whose point is not on its curve. */
MQ_MUST_CHECK mq_err mq_cose_key_from_cbor(const cbor_item_t *map, struct mq_cose_key **out,
                                           const char **why);
/* The same from its CBOR bytes, which must hold nothing else. */
MQ_MUST_CHECK mq_err mq_cose_key_parse(const unsigned char *cbor, size_t len,
                                       struct mq_cose_key **out, const char **why);
void mq_cose_key_free(struct mq_cose_key *k);

int mq_cose_key_alg(const struct mq_cose_key *k);

/* Checks `sig` over `msg` with the key's algorithm (ES256 signatures in DER,
 * as WebAuthn has them). */
bool mq_cose_verify(const struct mq_cose_key *k, const unsigned char *msg, size_t len,
                    const unsigned char *sig, size_t sig_len);

/* Checks a signature with an X.509 certificate's key (EVP_PKEY), for the
 * algorithms above. */
bool mq_cose_verify_pkey(void *evp_pkey, int alg, const unsigned char *msg, size_t len,
                         const unsigned char *sig, size_t sig_len);

#endif
