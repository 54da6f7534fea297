/* conf.h - the mail's settings: which SMTP server, from which address, and
 * how long one delivery may take. */
#ifndef MQ_MAIL_CONF_H
#define MQ_MAIL_CONF_H

#include "core/config.h"

struct mq_mail_conf {
    char *smtp_url;    /* NULL or "" = mail goes to the log */
    char *mail_from;   /* required with smtp_url */
    long smtp_timeout; /* ms */
};

extern const struct mq_config_module mq_config_mail;

static inline const struct mq_mail_conf *mq_mail_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_mail);
}

#endif
