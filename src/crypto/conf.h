/* conf.h - the primitives' settings: the cost of a password hash, and the
 * file of the master keys that seal secrets. */
#ifndef MQ_CRYPTO_CONF_H
#define MQ_CRYPTO_CONF_H

#include "core/config.h"

struct mq_crypto_conf {
    long argon2_memory; /* bytes */
    int argon2_iterations;
    char *master_key_file; /* NULL or "" = data_dir/master.key */
};

extern const struct mq_config_module mq_config_crypto;

static inline const struct mq_crypto_conf *mq_crypto_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_crypto);
}

#endif
