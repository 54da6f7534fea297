/* conf.h - the accounts' settings: who may register, the password policy,
 * the rates of registrations and mailed links, and avatars. */
#ifndef MQ_USERS_CONF_H
#define MQ_USERS_CONF_H

#include "core/config.h"

enum mq_registration_mode { MQ_REGISTRATION_CLOSED, MQ_REGISTRATION_OPEN, MQ_REGISTRATION_INVITE };

struct mq_users_conf {
    int password_min_length;
    int password_require_classes;      /* 1 = lower, upper, digit and symbol each needed */
    struct mq_conf_rate rate_register; /* per client address, on registration */
    struct mq_conf_rate rate_forgot;   /* per e-mail address, on reset/verify mail */
    int registration;                  /* enum mq_registration_mode */

    long avatar_max_size;      /* bytes */
    int avatar_max_megapixels; /* decoded, in 8-bit RGBA pixels */
};

extern const struct mq_config_module mq_config_users;

static inline const struct mq_users_conf *mq_users_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_users);
}

#endif
