/* conf.h - the libraries' settings: probing, scanning, watching. */
#ifndef MQ_MEDIA_CONF_H
#define MQ_MEDIA_CONF_H

#include "core/config.h"

struct mq_media_conf {
    int probe_workers;        /* helper processes */
    long probe_timeout;       /* ms per file */
    long probe_memory_limit;  /* bytes of address space per helper */
    long scan_interval;       /* ms between scheduled rescans of a library; 0 = never */
    long scan_missing_grace;  /* ms before a vanished file's item is removed */
    long scan_settle;         /* ms a file must be unchanged before it is probed */
    int scan_batch;           /* files written per transaction */
    int watch;                /* watch libraries with inotify */
    long watch_debounce;      /* ms of quiet before a changed library is scanned */
    int watch_max_folders;    /* inotify watches this process sets at most */
    long watch_poll_interval; /* ms between scans of a library that cannot be watched */
};

extern const struct mq_config_module mq_config_media;

static inline const struct mq_media_conf *mq_media_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_media);
}

#endif
