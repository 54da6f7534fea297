/* keyring.h - the keys that sign access tokens.
 *
 * Each instance has its own Ed25519 key in data_dir/signing-key.ed25519
 * (mode 0600, made on first start) and publishes only the public half in
 * the signing_keys table. Any instance can then verify any other's tokens,
 * and a dump of the database holds no signing secret. A new key (a new data
 * directory, or `marquee keys rotate-signing`) publishes a new kid; the old
 * public key stays published, so tokens signed before still verify, until
 * they have expired (access_token_ttl and a minute), then it retires: out
 * of the JWKS, still in the table for the audit checkpoints it signed. */
#ifndef MQ_AUTH_KEYRING_H
#define MQ_AUTH_KEYRING_H

#include <jansson.h>

#include "core/ctx.h"
#include "crypto/jwt.h"

struct mq_keyring;

/* Loads (or makes) this instance's key and publishes its public half. */
MQ_MUST_CHECK mq_err mq_keyring_open(struct mq_ctx *ctx, struct mq_keyring **out);
void mq_keyring_free(struct mq_keyring *kr);

/* This instance's signing key. Notices within a second that the key file
 * was rotated, and signs with the new key from then on. */
const struct mq_signing_key *mq_keyring_signer(struct mq_keyring *kr);

/* Replaces this instance's key file with a new key, publishes the new
 * public key and retires the old one once its tokens have expired. A
 * running server picks the new key up by itself. */
MQ_MUST_CHECK mq_err mq_keyring_rotate(struct mq_ctx *ctx, char old_kid[MQ_KID_LEN + 1],
                                       char new_kid[MQ_KID_LEN + 1]);

/* The published public key for kid, or NULL. Unknown kids are looked up in
 * the database (at most every 100 ms, and only for kids shaped like
 * thumbprints), so a new instance's key is found at once without letting
 * garbage kids hammer the database. Matches mq_jwt_key_fn. */
const unsigned char *mq_keyring_public(void *kr, const char *kid);

/* The JWK Set of published keys (RFC 7517): a new reference. */
MQ_MUST_CHECK mq_err mq_keyring_jwks(struct mq_keyring *kr, json_t **out);

#endif
