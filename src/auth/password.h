/* password.h - password hashes (argon2id, libsodium) and the password policy.
 *
 * Hashing is slow on purpose (argon2_memory, argon2_iterations): callers on
 * a request path run it on a worker pool, never on a connection thread. */
#ifndef MQ_PASSWORD_H
#define MQ_PASSWORD_H

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

/* Checks a new password against the policy: password_min_length to 128
 * bytes, UTF-8, not among the 30,000 most common passwords (also after its
 * trailing digits and symbols are dropped: "iloveyou123456"), not the e-mail
 * address, its local part or the name (ignoring case), and, when
 * password_require_classes is set, lower case, upper case, digit and symbol.
 * On failure returns MQ_EINVAL with a stable code and a reason. */
MQ_MUST_CHECK mq_err mq_password_check(const struct mq_config *cfg, const char *password,
                                       const char *email, const char *name, const char **code,
                                       const char **why);

/* True when s is one of the common passwords (ignoring case). */
bool mq_password_is_common(const char *s);

#endif
