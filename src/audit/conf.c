#include "audit/conf.h"

static const struct mq_setting settings[] = {
    {"audit_retention", MQ_SETTING_DURATION, offsetof(struct mq_audit_conf, retention), "90d", NULL,
     3600000L, 3650L * 86400000L, MQ_CONFIG_LIVE, NULL, NULL,
     "audit entries older than this are purged daily behind a signed checkpoint (the chain "
     "stays verifiable)"},
    {"audit_fold_window", MQ_SETTING_DURATION, offsetof(struct mq_audit_conf, fold_window), "60s",
     NULL, 1000L, 86400000L, MQ_CONFIG_LIVE, NULL, NULL,
     "refusals anyone can cause at will (rate-limit rejections, wrong admin tokens) are kept as "
     "one entry per client and reason in this window, with their count"},
};

const struct mq_config_module mq_config_audit = {.name = "audit",
                                                 .rank = 70,
                                                 .size = sizeof(struct mq_audit_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
