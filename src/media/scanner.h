/* scanner.h - a library's folders read into the catalogue.
 *
 * A scan walks the folders, compares every file with what the catalogue
 * holds by its identity (device, inode, size, modification time), probes
 * only what is new or changed (media/probe.h, in helper processes), reads
 * names (media/names.h), and writes in batches of scan_batch files, one
 * transaction each, counters included: a scan killed at any moment leaves
 * a consistent catalogue, and the next one finds the files written before
 * unchanged and goes on from there. A file that vanished is marked missing
 * and leaves only after scan_missing_grace; a file found elsewhere with its
 * identity is the same file moved, and keeps its id and item. The pipeline
 * is described in docs/internals/media.md. */
#ifndef MQ_MEDIA_SCANNER_H
#define MQ_MEDIA_SCANNER_H

#include <stdbool.h>

#include "core/ctx.h"
#include "jobs/queue.h"
#include "jobs/runner.h"
#include "store/libraries.h"

struct mq_prober;

struct mq_scan_opts {
    bool full;                /* probe every file again */
    const char *job_id;       /* the job running it, or NULL */
    struct mq_prober *prober; /* NULL = ctx's */
    /* Called after each batch is written, with the counters so far. */
    void (*progress)(const struct mq_library_scan_row *scan, void *arg);
    void *arg;
};

/* Scans one library. *out (may be NULL) gets the scan's final row, in the
 * arena. MQ_ENOTFOUND for no such library; other errors end the scan as
 * failed, its row saying why. */
MQ_MUST_CHECK mq_err mq_scan_library(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                                     const struct mq_scan_opts *o, struct mq_library_scan_row *out);

/* Enqueues a scan job for the library (unique per library). MQ_ECONFLICT
 * (with *why) when one is already waiting or running; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_scan_request(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                                     bool full, const char *by, struct mq_job *out,
                                     struct mq_refusal *why);

/* The library's latest scan, and whether it is under way now. */
MQ_MUST_CHECK mq_err mq_scan_status(struct mq_ctx *ctx, struct mq_arena *a, const char *library_id,
                                    struct mq_library_scan_row *out, bool *never);

/* The media.scan job and the media.scan_due schedule, which enqueues a scan
 * of every library whose interval has passed. */
MQ_MUST_CHECK mq_err mq_scanner_register(struct mq_jobs *jobs);

#endif
