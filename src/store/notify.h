/* notify.h - notifications, members' notification settings, channels,
 * digests waiting and the delivery log (migration 0022). user_id NULL (or
 * "" where a parameter says so) is the server's: its channels and the
 * deliveries through them. */
#ifndef MQ_STORE_NOTIFY_H
#define MQ_STORE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_notification_row {
    const char *id, *user_id, *event, *dedupe_key, *title, *body, *vars;
    const char *link, *external_url, *image_url, *media_id; /* NULL = none */
    bool in_app;
    int64_t created_at, read_at; /* read_at 0 = unread */
};

/* *inserted is false when the member (or the server) already has a
 * notification with the same dedupe key. */
MQ_MUST_CHECK mq_err mq_store_notification_insert(struct mq_db *db,
                                                  const struct mq_notification_row *r,
                                                  bool *inserted);
/* Whether the recipient ("" = the server) has a notification with the key. */
MQ_MUST_CHECK mq_err mq_store_notification_known(struct mq_db *db, const char *user_id,
                                                 const char *dedupe_key, bool *known);
/* Of keys (a JSON array of strings), those the recipient has. */
MQ_MUST_CHECK mq_err mq_store_notifications_known(struct mq_db *db, struct mq_arena *a,
                                                  const char *user_id, const char *keys,
                                                  const char ***out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_notification_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                               struct mq_notification_row *out);
/* A member's in-app notifications, newest first, ids below `before` (NULL:
 * from the newest), at most limit. */
MQ_MUST_CHECK mq_err mq_store_notifications(struct mq_db *db, struct mq_arena *a,
                                            const char *user_id, bool unread_only,
                                            const char *before, int limit,
                                            struct mq_notification_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_notifications_unread(struct mq_db *db, const char *user_id,
                                                   int64_t *n);
/* MQ_ENOTFOUND unless it is one of the member's. */
MQ_MUST_CHECK mq_err mq_store_notification_read(struct mq_db *db, const char *user_id,
                                                const char *id, int64_t now);
MQ_MUST_CHECK mq_err mq_store_notifications_read_all(struct mq_db *db, const char *user_id,
                                                     int64_t now, int64_t *changed);
MQ_MUST_CHECK mq_err mq_store_notification_delete(struct mq_db *db, const char *user_id,
                                                  const char *id);
/* Notifications made before `before`, with their digests waiting. */
MQ_MUST_CHECK mq_err mq_store_notifications_purge(struct mq_db *db, int64_t before,
                                                  int64_t *deleted);

/* The member's settings document; MQ_ENOTFOUND when they never set any. */
MQ_MUST_CHECK mq_err mq_store_notify_settings_get(struct mq_db *db, struct mq_arena *a,
                                                  const char *user_id, const char **doc);
MQ_MUST_CHECK mq_err mq_store_notify_settings_put(struct mq_db *db, const char *user_id,
                                                  const char *doc, int64_t now);

struct mq_notify_channel_row {
    const char *id, *user_id, *kind, *name, *target, *config, *options;
    const char *pause_reason; /* NULL unless paused */
    bool enabled;
    int failures;
    int64_t paused_at, last_success_at, last_failure_at, created_at, updated_at; /* 0 = never */
};

MQ_MUST_CHECK mq_err mq_store_notify_channel_insert(struct mq_db *db,
                                                    const struct mq_notify_channel_row *r);
/* Name, target, config, options and enabled as in r; resume clears the
 * failures and any pause. MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_notify_channel_update(struct mq_db *db,
                                                    const struct mq_notify_channel_row *r,
                                                    bool resume);
/* owner "" = a server channel. MQ_ENOTFOUND unless the owner's. */
MQ_MUST_CHECK mq_err mq_store_notify_channel_get(struct mq_db *db, struct mq_arena *a,
                                                 const char *owner, const char *id,
                                                 struct mq_notify_channel_row *out);
/* Any channel by id, whoever owns it (the delivery job). */
MQ_MUST_CHECK mq_err mq_store_notify_channel_by_id(struct mq_db *db, struct mq_arena *a,
                                                   const char *id,
                                                   struct mq_notify_channel_row *out);
MQ_MUST_CHECK mq_err mq_store_notify_channels(struct mq_db *db, struct mq_arena *a,
                                              const char *owner, struct mq_notify_channel_row **out,
                                              size_t *n);
MQ_MUST_CHECK mq_err mq_store_notify_channel_delete(struct mq_db *db, const char *owner,
                                                    const char *id);
MQ_MUST_CHECK mq_err mq_store_notify_channel_count(struct mq_db *db, const char *owner, int64_t *n);
/* After an attempt: a success clears the failures and any pause (only a
 * test reaches a paused channel, so a test that gets through resumes it);
 * a failure counts one
 * more, and pauses the channel (with reason) once `pause_after` failures
 * are in a row: *paused says whether this failure paused it. */
MQ_MUST_CHECK mq_err mq_store_notify_channel_succeeded(struct mq_db *db, const char *id,
                                                       int64_t now);
MQ_MUST_CHECK mq_err mq_store_notify_channel_failed(struct mq_db *db, const char *id, int64_t now,
                                                    int pause_after, const char *reason,
                                                    bool *paused);

/* Digests waiting. */
MQ_MUST_CHECK mq_err mq_store_notify_pending_add(struct mq_db *db, const char *channel_id,
                                                 const char *notification_id, const char *digest,
                                                 int64_t due_at);
/* Channels with a digest due at `now`, at most limit. */
MQ_MUST_CHECK mq_err mq_store_notify_pending_due(struct mq_db *db, struct mq_arena *a, int64_t now,
                                                 int limit, const char ***out, size_t *n);
/* Takes (deletes and returns) a channel's notifications due at `now`,
 * oldest first, at most limit. */
MQ_MUST_CHECK mq_err mq_store_notify_pending_take(struct mq_db *db, struct mq_arena *a,
                                                  const char *channel_id, int64_t now, int limit,
                                                  const char ***out, size_t *n);

struct mq_notify_delivery_row {
    const char *id, *message_id, *channel_id, *user_id, *channel_kind, *channel_name;
    const char *event, *summary, *outcome, *error; /* error NULL when sent */
    int notifications, attempt, status;            /* status 0 = no HTTP answer */
    int64_t duration_ms, created_at;
    bool test;
};

MQ_MUST_CHECK mq_err mq_store_notify_delivery_insert(struct mq_db *db,
                                                     const struct mq_notify_delivery_row *r);
/* Deliveries of owner ("" = the server's channels), newest first, ids
 * below `before` (NULL = from the newest), optionally of one channel. */
MQ_MUST_CHECK mq_err mq_store_notify_deliveries(struct mq_db *db, struct mq_arena *a,
                                                const char *owner, const char *channel_id,
                                                const char *before, int limit,
                                                struct mq_notify_delivery_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_notify_deliveries_purge(struct mq_db *db, int64_t before,
                                                      int64_t *deleted);

#endif
