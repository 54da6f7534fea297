/* conf.h - notifications' settings: where outbound requests may go, how
 * deliveries retry and when a failing channel is paused, digests'
 * time, how long notifications and the delivery log are kept. */
#ifndef MQ_NOTIFY_CONF_H
#define MQ_NOTIFY_CONF_H

#include "core/config.h"

struct mq_notify_conf {
    struct mq_conf_nets allowed_networks; /* internal addresses channels may reach anyway */
    long timeout;                         /* ms for one request to a channel */
    int max_attempts;                     /* of one delivery */
    int pause_after;                      /* failed attempts in a row that pause a channel */
    int channels_max;                     /* a member's channels */
    long retention;                       /* ms notifications and deliveries are kept */
    char *telegram_api;                   /* the Bot API's base URL */
    char *digest_time;                    /* "08:00" as given */
};

extern const struct mq_config_module mq_config_notify;

static inline const struct mq_notify_conf *mq_notify_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_notify);
}

#endif
