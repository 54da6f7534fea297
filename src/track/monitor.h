/* monitor.h - what comes next: for each member, the works after what they
 * finished (the next season, a sequel, the next film of a collection or
 * book of a series, new works by people or in collections they follow)
 * that they have not finished themselves, here or elsewhere, and that are
 * out and within their reach: in a library they may see, or streaming on
 * a platform they use, in their region. Each such work is told once per
 * member (the notification's dedupe key is the work's), however many
 * runs, instances or restarts find it.
 *
 * It reads the database only: the metadata refresh keeps the catalogue's
 * dates and availability fresh. "track.monitor" is a job, scheduled by
 * track_monitor_schedule; an admin can run it now. */
#ifndef MQ_TRACK_MONITOR_H
#define MQ_TRACK_MONITOR_H

#include "core/ctx.h"
#include "jobs/runner.h"
#include "store/monitor.h"

/* Queues a run now; MQ_ECONFLICT while one waits or runs. */
MQ_MUST_CHECK mq_err mq_monitor_run_now(struct mq_ctx *ctx, char job_id[37]);

MQ_MUST_CHECK mq_err mq_monitor_runs(struct mq_ctx *ctx, struct mq_arena *a, const char *before,
                                     int limit, struct mq_monitor_run_row **out, size_t *n);

/* Registers "track.monitor" on track_monitor_schedule (read from cfg:
 * a change takes a restart). */
MQ_MUST_CHECK mq_err mq_monitor_register(struct mq_jobs *jobs, const struct mq_config *cfg);

/* Whether a platform the catalogue names ("Amazon Prime Video") is one a
 * member uses ("amazon", "amazon_prime_video"): folded to letters and
 * digits, one starts the other. Exposed for the unit tests. */
bool mq_platform_matches(const char *offered, const char *used);

#endif
