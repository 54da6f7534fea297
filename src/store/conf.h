/* conf.h - the database's settings: which one, and its connection pool. */
#ifndef MQ_STORE_CONF_H
#define MQ_STORE_CONF_H

#include "core/config.h"

struct mq_store_conf {
    char *database_url; /* NULL or "" = SQLite under data_dir */
    int pool_size;
    int acquire_timeout; /* milliseconds */
    long sqlite_mmap;    /* bytes */
};

extern const struct mq_config_module mq_config_store;

static inline const struct mq_store_conf *mq_store_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_store);
}

/* Whether the configuration names a PostgreSQL database. */
static inline bool mq_store_uses_postgres(const struct mq_config *cfg)
{
    const char *url = mq_store_conf(cfg)->database_url;
    return url && *url;
}

#endif
