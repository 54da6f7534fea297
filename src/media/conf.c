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
    {"watch_libraries", MQ_SETTING_BOOL, OFF(watch), "true", NULL, 0, 0, 0, NULL, NULL,
     "keep libraries current with inotify while the server runs (off: scheduled scans only)"},
    {"watch_debounce", MQ_SETTING_DURATION, OFF(watch_debounce), "2s", NULL, 0, 600000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "quiet time after the last change in a library before it is scanned (at least "
     "scan_settle, so that a file being copied in is complete)"},
    {"watch_max_folders", MQ_SETTING_INT, OFF(watch_max_folders), "65536", NULL, 1, 4194304, 0,
     NULL, NULL,
     "folders this server watches at most (each costs the kernel about 1 KiB); past it, and "
     "past the kernel's fs.inotify.max_user_watches, a library is polled instead"},
    {"watch_poll_interval", MQ_SETTING_DURATION, OFF(watch_poll_interval), "15m", NULL, 60000,
     86400000, MQ_CONFIG_LIVE, NULL, NULL,
     "how often a library that cannot be watched (watch limit, network file system) is "
     "scanned"},
};

const struct mq_config_module mq_config_media = {.name = "media",
                                                 .rank = 65,
                                                 .size = sizeof(struct mq_media_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
