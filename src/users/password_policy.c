#include "users/password_policy.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "crypto/password.h"
#include "users/conf.h"

/* Generated from share/common-passwords.txt: sorted, lower case, unique
 * words in one blob, found through offsets (read-only, no relocations). */
extern const char *const mq_common_passwords_blob;
extern const uint32_t mq_common_passwords_offsets[];
extern const size_t mq_common_passwords_count;

static int compare(const void *key, const void *elem)
{
    return strcmp(key, mq_common_passwords_blob + *(const uint32_t *)elem);
}

bool mq_password_policy_is_common(const char *s)
{
    char lower[MQ_PASSWORD_MAX + 1];
    size_t n = strlen(s);
    if (n > MQ_PASSWORD_MAX) return false;
    for (size_t i = 0; i <= n; i++) lower[i] = (char)tolower((unsigned char)s[i]);
    return bsearch(lower, mq_common_passwords_offsets, mq_common_passwords_count,
                   sizeof(mq_common_passwords_offsets[0]), compare) != NULL;
}

/* The word under decorations people add to meet rules: "Password123!". */
static bool common_at_heart(const char *password)
{
    char base[MQ_PASSWORD_MAX + 1];
    size_t n = strlen(password);
    memcpy(base, password, n + 1);
    while (n > 0 && !isalpha((unsigned char)base[n - 1])) base[--n] = '\0';
    return n >= 4 && mq_password_policy_is_common(base);
}

mq_err mq_password_policy_check(const struct mq_config *cfg, const char *password,
                                const char *email, const char *name, struct mq_refusal *why)
{
    size_t n = strlen(password);
    if (n < (size_t)mq_users_conf(cfg)->password_min_length)
        return mq_refuse(why, MQ_EINVAL, "password_too_short", NULL,
                         "the password is shorter than the minimum length");
    if (n > MQ_PASSWORD_MAX)
        return mq_refuse(why, MQ_EINVAL, "password_too_long", NULL,
                         "the password is longer than 128 bytes");
    if (!mq_utf8_valid(password, n))
        return mq_refuse(why, MQ_EINVAL, "invalid_utf8", NULL, "the password is not valid UTF-8");
    if (mq_password_policy_is_common(password) || common_at_heart(password))
        return mq_refuse(why, MQ_EINVAL, "weak_password", NULL,
                         "the password is one of the most common passwords");
    if (email && *email) {
        size_t local = strcspn(email, "@");
        if (!strcasecmp(password, email) ||
            (local >= 4 && local == n && !strncasecmp(password, email, n)))
            return mq_refuse(why, MQ_EINVAL, "weak_password", NULL,
                             "the password must not be the e-mail address");
    }
    if (name && *name && !strcasecmp(password, name))
        return mq_refuse(why, MQ_EINVAL, "weak_password", NULL,
                         "the password must not be the name");
    if (mq_users_conf(cfg)->password_require_classes) {
        bool lower = false, upper = false, digit = false, other = false;
        for (const char *p = password; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (islower(c))
                lower = true;
            else if (isupper(c))
                upper = true;
            else if (isdigit(c))
                digit = true;
            else
                other = true;
        }
        if (!(lower && upper && digit && other))
            return mq_refuse(why, MQ_EINVAL, "weak_password", NULL,
                             "the password needs a lower-case letter, an upper-case letter, a "
                             "digit and a symbol");
    }
    return MQ_OK;
}
