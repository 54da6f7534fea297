#include "audit/conf.h"

static const struct mq_setting settings[] = {
    {"audit_retention", MQ_SETTING_DURATION, offsetof(struct mq_audit_conf, retention), "90d", NULL,
     3600000L, 3650L * 86400000L, MQ_CONFIG_LIVE, NULL, NULL,
     "audit entries older than this are purged daily behind a signed checkpoint (the chain "
     "stays verifiable)"},
};

const struct mq_config_module mq_config_audit = {.name = "audit",
                                                 .rank = 70,
                                                 .size = sizeof(struct mq_audit_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
