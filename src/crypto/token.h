/* token.h - opaque secret tokens: refresh tokens, e-mailed links.
 *
 * A token is a short prefix naming its kind ("mqr_", "mqv_", ...) and 256
 * random bits in base64url. Only its SHA-256 is stored: a fast hash is right
 * for 256 random bits, which no one can guess or search for. */
#ifndef MQ_CRYPTO_TOKEN_H
#define MQ_CRYPTO_TOKEN_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/rand.h"

#define MQ_SECRET_TOKEN_LEN 47 /* 4-character prefix + 43 base64url characters */

/* A new token in the arena (NULL when out of memory) and its hash. */
char *mq_secret_token_new(const struct mq_rng *rng, struct mq_arena *a, const char prefix[5],
                          char hash[65]);

/* The stored form of a token. */
void mq_secret_token_hash(const char *token, char hash[65]);

/* The token has the prefix and length of its kind (checked before any
 * lookup, so junk never reaches the database). */
bool mq_secret_token_shaped(const char *token, const char prefix[5]);

#endif
