/* builtin.h - the jobs every Marquee runs, whatever else is registered. */
#ifndef MQ_JOBS_BUILTIN_H
#define MQ_JOBS_BUILTIN_H

#include "jobs/runner.h"

/* Registers "jobs.purge" (deletes completed, cancelled and discarded jobs
 * older than jobs_retention) and schedules it hourly on queue "maintenance". */
MQ_MUST_CHECK mq_err mq_jobs_register_builtin(struct mq_jobs *jobs);

#endif
