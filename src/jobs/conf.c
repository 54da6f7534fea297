#include "jobs/conf.h"

#include <stdlib.h>

#define OFF(f) offsetof(struct mq_jobs_conf, f)

/* name:workers[,name:workers...]: names are [a-z0-9_-]{1,32}, workers 0..64. */
static bool queues_valid(const char *s, size_t len, const char **why)
{
    const char *p = s, *end = s + len;
    int count = 0;
    while (p < end) {
        const char *name = p;
        while (p < end &&
               ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            p++;
        size_t n = (size_t)(p - name);
        if (n == 0 || n > 32 || p == end || *p != ':') {
            *why = "expected name:workers,... with names of a-z 0-9 _ - (at most 32)";
            return false;
        }
        p++;
        char *stop;
        long w = strtol(p, &stop, 10);
        if (stop == p || stop > end || w < 0 || w > 64) {
            *why = "each queue needs 0 to 64 workers";
            return false;
        }
        p = stop;
        if (++count > 16) {
            *why = "at most 16 queues";
            return false;
        }
        if (p < end && *p == ',')
            p++;
        else if (p < end) {
            *why = "expected name:workers,... separated by commas";
            return false;
        }
    }
    return true;
}

static const struct mq_setting settings[] = {
    {"jobs_queues", MQ_SETTING_STRING, OFF(queues),
     "default:2,maintenance:1,media:1,metadata:2,notify:2", NULL, 0, 1024, 0, NULL, queues_valid,
     "background job queues and their worker threads, as name:workers,...; queue:0 runs none of "
     "that queue here; library scans run on the media queue, metadata requests on the metadata "
     "queue, notification deliveries on the notify queue"},
    {"jobs_poll_interval", MQ_SETTING_DURATION, OFF(poll_interval), "1s", NULL, 10, 3600000L, 0,
     NULL, NULL,
     "how often idle workers look for jobs enqueued by other processes or due later, and leases "
     "are checked"},
    {"jobs_lease", MQ_SETTING_DURATION, OFF(lease), "60s", NULL, 1000, 86400000L, 0, NULL, NULL,
     "how long a claimed job stays with its process without a heartbeat (heartbeats every third "
     "of it), so a dead process's jobs return"},
    {"jobs_backoff_base", MQ_SETTING_DURATION, OFF(backoff_base), "1s", NULL, 1, 86400000L, 0, NULL,
     NULL, "first retry delay; doubles per attempt, with jitter"},
    {"jobs_backoff_max", MQ_SETTING_DURATION, OFF(backoff_max), "1h", NULL, 1, 604800000L, 0, NULL,
     NULL, "longest retry delay"},
    {"jobs_retention", MQ_SETTING_DURATION, OFF(retention), "7d", NULL, 60000, 31536000000L, 0,
     NULL, NULL, "how long finished jobs are kept before jobs.purge deletes them"},
    {"jobs_stuck_after", MQ_SETTING_DURATION, OFF(stuck_after), "15m", NULL, 1000, 604800000L, 0,
     NULL, NULL, "one job running longer than this makes /readyz answer 503 jobs_stuck"},
};

const struct mq_config_module mq_config_jobs = {.name = "jobs",
                                                .rank = 90,
                                                .size = sizeof(struct mq_jobs_conf),
                                                .settings = settings,
                                                .nsettings = MQ_CONFIG_COUNT(settings)};
