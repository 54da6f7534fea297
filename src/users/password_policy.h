/* password_policy.h - what a new password must be: long enough, not too
 * long, UTF-8, not common, not the address or the name, and, when the
 * server asks for it, of four kinds of character. The hashing itself is
 * crypto/password.h. */
#ifndef MQ_USERS_PASSWORD_POLICY_H
#define MQ_USERS_PASSWORD_POLICY_H

#include <stdbool.h>

#include "core/config.h"
#include "core/err.h"

/* Checks a new password against the policy: password_min_length to 128
 * bytes, UTF-8, not among the 30,000 most common passwords (also after its
 * trailing digits and symbols are dropped: "iloveyou123456"), not the e-mail
 * address, its local part or the name (ignoring case), and, when
 * password_require_classes is set, lower case, upper case, digit and symbol.
 * On failure returns MQ_EINVAL with *why filled. */
MQ_MUST_CHECK mq_err mq_password_policy_check(const struct mq_config *cfg, const char *password,
                                              const char *email, const char *name,
                                              struct mq_refusal *why);

/* True when s is one of the common passwords (ignoring case). */
bool mq_password_policy_is_common(const char *s);

#endif
