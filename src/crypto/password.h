/* password.h - password hashes: argon2id (libsodium). The rules a new
 * password must meet are users/password_policy.h.
 *
 * Hashing is slow on purpose (argon2_memory, argon2_iterations): callers on
 * a request path run it on a worker pool, never on a connection thread. */
#ifndef MQ_CRYPTO_PASSWORD_H
#define MQ_CRYPTO_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>

#include "core/config.h"
#include "core/err.h"

#define MQ_PASSWORD_HASH_MAX crypto_pwhash_STRBYTES /* with the NUL */
#define MQ_PASSWORD_MAX      128                    /* bytes */

/* Hashes with the configured parameters into out ("$argon2id$v=19$m=..."). */
MQ_MUST_CHECK mq_err mq_password_hash(const struct mq_config *cfg, const char *password,
                                      char out[MQ_PASSWORD_HASH_MAX]);

/* *ok is whether password matches hash; MQ_EINVAL for a hash that is not
 * one of ours. Takes as long as hashing. */
MQ_MUST_CHECK mq_err mq_password_verify(const char *hash, const char *password, bool *ok);

/* True when hash was made with parameters other than the configured ones:
 * re-hash at the next successful login. */
bool mq_password_needs_rehash(const struct mq_config *cfg, const char *hash);

#endif
