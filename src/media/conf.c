#include "media/conf.h"

#define OFF(f) offsetof(struct mq_media_conf, f)

static const struct mq_setting settings[] = {
    {"probe_workers", MQ_SETTING_INT, OFF(probe_workers), "2", NULL, 1, 64, 0, NULL, NULL,
     "probe helper processes (libavformat runs in them, never in the server); each probes one "
     "file at a time"},
    {"probe_timeout", MQ_SETTING_DURATION, OFF(probe_timeout), "30s", NULL, 1000, 3600000, 0, NULL,
     NULL,
     "longest a file may take to probe; past it its helper is killed, the file is recorded as "
     "failed and the scan goes on"},
    {"probe_memory_limit", MQ_SETTING_SIZE, OFF(probe_memory_limit), "1GiB", NULL, 64L << 20,
     64L << 30, 0, NULL, NULL,
     "address space of each probe helper; a file that needs more fails alone"},
    {"scan_interval", MQ_SETTING_DURATION, OFF(scan_interval), "6h", NULL, 0, 30L * 86400000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "how often each library is rescanned (a library's own scan_interval wins; 0 = never)"},
    {"scan_missing_grace", MQ_SETTING_DURATION, OFF(scan_missing_grace), "7d", NULL, 0,
     365L * 86400000, MQ_CONFIG_LIVE, NULL, NULL,
     "how long a vanished file stays marked missing before its item is removed, so an "
     "unmounted disk does not empty a library"},
    {"scan_settle", MQ_SETTING_DURATION, OFF(scan_settle), "5s", NULL, 0, 3600000, MQ_CONFIG_LIVE,
     NULL, NULL,
     "a file modified more recently than this is still being written: skipped until the next "
     "scan or watch event"},
    {"scan_batch", MQ_SETTING_INT, OFF(scan_batch), "200", NULL, 1, 10000, MQ_CONFIG_LIVE, NULL,
     NULL, "files written to the catalogue per transaction during a scan"},
};

const struct mq_config_module mq_config_media = {.name = "media",
                                                 .rank = 65,
                                                 .size = sizeof(struct mq_media_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
