#include "crypto/password.h"
#include "crypto/conf.h"

#include <string.h>

mq_err mq_password_hash(const struct mq_config *cfg, const char *password,
                        char out[MQ_PASSWORD_HASH_MAX])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password),
                              (unsigned long long)mq_crypto_conf(cfg)->argon2_iterations,
                              (size_t)mq_crypto_conf(cfg)->argon2_memory,
                              crypto_pwhash_ALG_ARGON2ID13))
        return MQ_ENOMEM; /* libsodium fails only when it cannot get the memory */
    return MQ_OK;
}

mq_err mq_password_verify(const char *hash, const char *password, bool *ok)
{
    if (strncmp(hash, "$argon2id$", 10)) return MQ_EINVAL;
    *ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    return MQ_OK;
}

bool mq_password_needs_rehash(const struct mq_config *cfg, const char *hash)
{
    return crypto_pwhash_str_needs_rehash(
               hash, (unsigned long long)mq_crypto_conf(cfg)->argon2_iterations,
               (size_t)mq_crypto_conf(cfg)->argon2_memory) != 0;
}
