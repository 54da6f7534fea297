/* channels.h - where a member's notifications go (and the server's, for
 * admins): e-mail, a generic webhook, Discord, ntfy, Gotify, Telegram.
 *
 * What a channel needs (URL, tokens, chat id) is its config, sealed at
 * rest (crypto/secrets.h, context "channel:<id>") and never shown again:
 * a channel shows its kind, name and target (the URL's host, the mail
 * address). Each channel also gets a random key of its own, sealed with
 * the rest: it signs a webhook's deliveries (shown once, as whsec_...) and
 * an e-mail channel's unsubscribe links. URLs must pass
 * mq_outbound_url_valid, and are checked again at every connection. */
#ifndef MQ_NOTIFY_CHANNELS_H
#define MQ_NOTIFY_CHANNELS_H

#include <jansson.h>

#include "core/ctx.h"
#include "store/notify.h"

#define MQ_CHANNEL_NAME_MAX 80
#define MQ_CHANNEL_KEY_LEN  32

/* What a create or an update gives; NULL (or -1) leaves a field as it is. */
struct mq_channel_input {
    const char *kind; /* create only: email, webhook, discord, ntfy, gotify, telegram */
    const char *name;
    json_t *config; /* the kind's fields; replaces the old ones */
    int enabled;    /* 0 or 1; enabling a paused channel resumes it */
    json_t *events; /* server channels: the events they take (NULL at create: all) */
    int priority;   /* ntfy 1-5, Gotify 0-10; -1 = the kind's default */
};

/* owner "" = a server channel. *secret is the webhook's signing secret,
 * shown this once (NULL for other kinds). Refusals: invalid_kind,
 * invalid_name, invalid_config (field config.X), url_not_allowed,
 * email_unverified, too_many_channels. */
MQ_MUST_CHECK mq_err mq_channel_create(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                       const struct mq_channel_input *in,
                                       struct mq_notify_channel_row *out, const char **secret,
                                       struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_channel_update(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                       const char *id, const struct mq_channel_input *in,
                                       struct mq_notify_channel_row *out, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_channel_delete(struct mq_ctx *ctx, const char *owner, const char *id);
MQ_MUST_CHECK mq_err mq_channel_get(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                    const char *id, struct mq_notify_channel_row *out);
MQ_MUST_CHECK mq_err mq_channels_list(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                                      struct mq_notify_channel_row **out, size_t *n);

/* The channel's config, unsealed (a new reference); MQ_EPERM when it does
 * not open. */
MQ_MUST_CHECK mq_err mq_channel_config(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_notify_channel_row *c, json_t **out);

/* The channel's key (MQ_CHANNEL_KEY_LEN bytes) from its config. */
bool mq_channel_key(const json_t *config, unsigned char key[MQ_CHANNEL_KEY_LEN]);

/* Queues a delivery of notifications to a channel in the caller's
 * transaction, at run_at (0 = now). digest is NULL, "daily" or "weekly". */
MQ_MUST_CHECK mq_err mq_channel_enqueue(struct mq_ctx *ctx, struct mq_db *db,
                                        const struct mq_notify_channel_row *c,
                                        const char *const *ids, size_t n, const char *digest,
                                        bool test, int64_t run_at, char job_id[37]);

#endif
