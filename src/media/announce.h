/* announce.h - telling members what a scan brought.
 *
 * A scan that changed something queues media.announce (mq_announce_queue,
 * in its closing transaction); the job tells each member who may see the
 * library and turned the events on (both are off by default, being noisy):
 * library.scan_done, the scan's counts, and media.added, each new work
 * their parental controls allow, at most MQ_ANNOUNCE_WORKS_MAX a scan (a
 * first scan of a thousand films is one summary, not a thousand
 * notices). Dedupe keys (the scan, the work) make a retried job tell
 * nothing twice. */
#ifndef MQ_MEDIA_ANNOUNCE_H
#define MQ_MEDIA_ANNOUNCE_H

#include <stdint.h>

#include "core/ctx.h"
#include "jobs/runner.h"
#include "store/store.h"
#include "store/libraries.h"

#define MQ_ANNOUNCE_WORKS_MAX 25

/* In the scan's transaction: queues the announcement of a finished one. */
MQ_MUST_CHECK mq_err mq_announce_queue(struct mq_ctx *ctx, struct mq_db *db,
                                       const struct mq_library_scan_row *scan);

MQ_MUST_CHECK mq_err mq_announce_register(struct mq_jobs *jobs);

#endif
