/* notify.h - telling members (and admins) what happened, once, where they
 * want to hear it (docs/internals/notify.md).
 *
 * A producer (the monitor, an import ending, a password changed) calls
 * mq_notify in the transaction that makes the change. That stores the
 * notification, which is the in-app centre's entry and what every channel
 * renders, and, for each of the recipient's channels, by their
 * preferences: queues a delivery job now (or at the end of their quiet
 * hours), adds it to a digest, or does nothing. A notification with the
 * same dedupe key as an earlier one for the same recipient is nothing at
 * all, so a producer that runs twice, or on two instances, tells once.
 *
 * Deliveries ("notify.deliver" jobs) retry with the job queue's backoff
 * up to notify_max_attempts, log every attempt (mq_notify_deliveries),
 * and pause a channel after notify_pause_after failures in a row, which
 * its owner is told in the app. Services never see HTTP: the API's
 * handlers call these. */
#ifndef MQ_NOTIFY_H
#define MQ_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "jobs/runner.h"
#include "notify/prefs.h"
#include "store/notify.h"
#include "store/store.h"

struct mq_notice {
    const char *event;      /* one of notify/events.h */
    const char *user_id;    /* the member; NULL for a server event */
    const char *dedupe_key; /* one notification per recipient and key; NULL = always new */
    json_t *vars;           /* borrowed: the strings the event's template needs */
    const char *link;       /* a path in Marquee ("/media/<id>"), or NULL */
    const char *external_url, *image_url, *media_id; /* or NULL */
};

/* In the caller's write transaction. *id (may be NULL) is the new
 * notification's (arena), or NULL when the notice was a repeat.
 * MQ_EINVAL for an unknown event, a server event for a member or the
 * other way round, or a template value missing. */
MQ_MUST_CHECK mq_err mq_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                               const struct mq_notice *n, const char **id);

/* The same for several notices to one recipient (every user_id the
 * same), their preferences and channels read once: the monitor's
 * findings for a member, a scan's news. *made counts the new
 * notifications (noisy ones the member has off make none). */
MQ_MUST_CHECK mq_err mq_notify_each(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                    const struct mq_notice *n, size_t count, size_t *made);

/* The same in a transaction of its own, for producers outside one (the
 * watcher, the job runner). */
MQ_MUST_CHECK mq_err mq_notify_now(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_notice *n);

/* Registers the delivery, digest and purge jobs and their schedules. */
MQ_MUST_CHECK mq_err mq_notify_register(struct mq_jobs *jobs);

/* Sends a test notification through a channel of owner's ("" = a server
 * channel): a notify.test notification and a delivery job, the path every
 * real one takes. *job_id is the delivery's, as the log shows it. */
MQ_MUST_CHECK mq_err mq_notify_test(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                    const char *id, char job_id[37]);

/* ---- the in-app centre ------------------------------------------------------ */

MQ_MUST_CHECK mq_err mq_notifications_list(struct mq_ctx *ctx, struct mq_arena *a,
                                           const char *user_id, bool unread_only,
                                           const char *before, int limit,
                                           struct mq_notification_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_notifications_unread(struct mq_ctx *ctx, const char *user_id, int64_t *n);
MQ_MUST_CHECK mq_err mq_notification_mark_read(struct mq_ctx *ctx, const char *user_id,
                                               const char *id);
MQ_MUST_CHECK mq_err mq_notifications_mark_all_read(struct mq_ctx *ctx, const char *user_id,
                                                    int64_t *changed);
MQ_MUST_CHECK mq_err mq_notification_delete(struct mq_ctx *ctx, const char *user_id,
                                            const char *id);

/* ---- preferences ---------------------------------------------------------- */

/* The member's preferences, every event resolved for their channels. */
MQ_MUST_CHECK mq_err mq_notify_prefs_get(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *user_id, json_t **out);
/* Replaces them (refusals as mq_notify_prefs_read); *out as get. */
MQ_MUST_CHECK mq_err mq_notify_prefs_put(struct mq_ctx *ctx, struct mq_arena *a,
                                         const char *user_id, const json_t *doc, json_t **out,
                                         struct mq_refusal *why);
/* The member's preferences as the monitor reads them. */
MQ_MUST_CHECK mq_err mq_notify_prefs_load(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                          struct mq_notify_prefs *out);

/* ---- one-click unsubscribe (RFC 8058) ------------------------------------ */

struct mq_unsubscribe {
    const char *user_id, *channel_id, *channel_name, *event;
};
/* The token of a mail's unsubscribe link: event "*" is every event of
 * the channel (a digest's). NULL when the config has no key. */
char *mq_notify_unsubscribe_token(struct mq_arena *a, const json_t *config, const char *channel,
                                  const char *event);
/* What a token from a mail's link unsubscribes from; MQ_EPERM when it is
 * not one (altered, or the channel is gone). */
MQ_MUST_CHECK mq_err mq_notify_unsubscribe_check(struct mq_ctx *ctx, struct mq_arena *a,
                                                 const char *token, struct mq_unsubscribe *out);
/* Turns that event off on that channel. */
MQ_MUST_CHECK mq_err mq_notify_unsubscribe(struct mq_ctx *ctx, struct mq_arena *a,
                                           const char *token, struct mq_unsubscribe *out);

/* ---- the delivery log ------------------------------------------------------- */

/* owner "" = the server's channels. */
MQ_MUST_CHECK mq_err mq_notify_deliveries(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                          const char *channel_id, const char *before, int limit,
                                          struct mq_notify_delivery_row **out, size_t *n);

#endif
