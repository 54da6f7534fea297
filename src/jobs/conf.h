/* conf.h - the job runner's settings: its queues and workers, and the
 * timing of polls, leases, retries and purges. */
#ifndef MQ_JOBS_CONF_H
#define MQ_JOBS_CONF_H

#include "core/config.h"

struct mq_jobs_conf {
    char *queues;       /* "default:4,maintenance:1": worker pool per queue */
    long poll_interval; /* ms between looks for jobs enqueued elsewhere */
    long lease;         /* ms a claimed job is held without a heartbeat */
    long backoff_base;  /* ms; retry n waits base * 2^(n-1), with jitter */
    long backoff_max;   /* ms */
    long retention;     /* ms completed and discarded jobs are kept */
    long stuck_after;   /* ms one job may run before /readyz reports it */
};

extern const struct mq_config_module mq_config_jobs;

static inline const struct mq_jobs_conf *mq_jobs_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_jobs);
}

#endif
