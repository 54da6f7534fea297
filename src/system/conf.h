/* conf.h - the settings of the instance as a whole: where its state lives,
 * what it is called, where people reach it, how it logs, its CPU pool and
 * how long it takes to stop. */
#ifndef MQ_SYSTEM_CONF_H
#define MQ_SYSTEM_CONF_H

#include "core/config.h"
#include "core/log.h"

struct mq_system_conf {
    char *data_dir;
    char *server_name;    /* what people see this server called */
    char *public_url;     /* never ends with '/'; http's listen when unset */
    char *log_level;      /* as mq_log_level_parse reads it */
    int cpu_workers;      /* threads for slow CPU work; 0 = one per CPU */
    int image_workers;    /* threads decoding images; 0 = half the CPUs */
    int shutdown_timeout; /* seconds to let in-flight requests finish */
};

extern const struct mq_config_module mq_config_system;

static inline const struct mq_system_conf *mq_system_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_system);
}

/* The log level log_level names (it was checked when read). */
static inline enum mq_log_level mq_system_log_level(const struct mq_config *cfg)
{
    enum mq_log_level level = MQ_LOG_INFO;
    return mq_log_level_parse(mq_system_conf(cfg)->log_level, &level) ? MQ_LOG_INFO : level;
}

#endif
