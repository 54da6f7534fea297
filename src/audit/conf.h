/* conf.h - the audit log's settings: how long entries are kept, and how
 * long refusals fold into one entry. */
#ifndef MQ_AUDIT_CONF_H
#define MQ_AUDIT_CONF_H

#include "core/config.h"

struct mq_audit_conf {
    long retention;   /* ms */
    long fold_window; /* ms */
};

extern const struct mq_config_module mq_config_audit;

static inline const struct mq_audit_conf *mq_audit_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_audit);
}

#endif
