#include "store/conf.h"

#include <string.h>

#define OFF(f) offsetof(struct mq_store_conf, f)

static bool postgres_url(const char *s, size_t n, const char **why)
{
    *why = "must be a postgres:// or postgresql:// URL (leave unset for SQLite)";
    return (n > 11 && !strncmp(s, "postgres://", 11)) ||
           (n > 13 && !strncmp(s, "postgresql://", 13));
}

static const struct mq_setting settings[] = {
    {"database_url", MQ_SETTING_URL, OFF(database_url), NULL, NULL, 0, 4096, MQ_CONFIG_SECRET, NULL,
     postgres_url,
     "postgres://user:password@host:5432/db to use PostgreSQL; unset = SQLite in data_dir"},
    {"db_pool_size", MQ_SETTING_INT, OFF(pool_size), "8", NULL, 1, 256, 0, NULL, NULL,
     "database connections: SQLite readers (plus one writer), or PostgreSQL connections"},
    {"db_acquire_timeout", MQ_SETTING_INT, OFF(acquire_timeout), "5000", NULL, 1, 600000, 0, NULL,
     NULL, "milliseconds to wait for a free database connection before answering 503"},
    {"db_sqlite_mmap", MQ_SETTING_SIZE, OFF(sqlite_mmap), "1GiB", NULL, 0, 1L << 40, 0, NULL, NULL,
     "SQLite: how much of the database file is read through memory mapping, shared by every "
     "connection (0 = none; each connection then reads pages with system calls into its own "
     "cache)"},
};

const struct mq_config_module mq_config_store = {.name = "store",
                                                 .rank = 30,
                                                 .size = sizeof(struct mq_store_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
