/* watch.h - keeping libraries current while the server runs.
 *
 * One thread watches every folder of every library with inotify. Changes
 * mark their library dirty; once it has been quiet for watch_debounce (and
 * long enough for a file being copied in to settle, scan_settle), an
 * ordinary incremental scan is enqueued: it opens only what changed, so
 * the scanner stays the one writer of the catalogue.
 *
 * Never silently: when a watch cannot be set (the kernel's
 * fs.inotify.max_user_watches, watch_max_folders, an error) or the file
 * system sends no events for changes made elsewhere (NFS, SMB, FUSE, 9p),
 * the library's watch state says `polling` with the reason, the log says
 * so once, /metrics counts it, /readyz lists it, and the library is
 * scanned every watch_poll_interval instead. */
#ifndef MQ_MEDIA_WATCH_H
#define MQ_MEDIA_WATCH_H

#include <stdint.h>

#include "core/buf.h"
#include "core/ctx.h"
#include "core/err.h"

struct mq_watch;

struct mq_watch_stats {
    int64_t libraries_watched, libraries_polled, folders_watched;
    int64_t events_total, scans_triggered_total, watch_failures_total, overflows_total;
};

/* Starts the thread (it sets its watches in the background, and again when
 * a library changes). */
MQ_MUST_CHECK mq_err mq_watch_start(struct mq_ctx *ctx, struct mq_watch **out);
void mq_watch_stop(struct mq_watch *w);

void mq_watch_stats(struct mq_watch *w, struct mq_watch_stats *out);
MQ_MUST_CHECK mq_err mq_watch_render_metrics(struct mq_watch *w, struct mq_buf *out);

/* The libraries that are polled rather than watched, and why:
 * [{"library": NAME, "id": ID, "state": "polling", "reason": "..."}]
 * (a new reference; [] when every library is watched). */
struct json_t;
struct json_t *mq_watch_polled(struct mq_watch *w);

/* File systems whose changes made elsewhere send no inotify events: the
 * name of the kind (for the reason shown), or NULL for a local one. */
const char *mq_watch_remote_fs(const char *path);

#endif
