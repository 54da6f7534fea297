/* upcoming.h - what is announced next for a member (the works after those
 * they finished, new episodes of series they watch, works of people and
 * collections they follow), by date, with where each will be; and the
 * member's calendar feed token, the one credential accepted in a URL
 * (calendar applications can only be given a URL), kept as its SHA-256. */
#ifndef MQ_TRACK_UPCOMING_H
#define MQ_TRACK_UPCOMING_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "store/monitor.h"

struct mq_upcoming_item {
    struct mq_upcoming_row row;
    const char *platforms; /* "Netflix, Max" in the member's region, or NULL */
    const char *url;       /* the first platform's page, or NULL */
};

/* From `from` ("YYYY-MM-DD"), after (after_date, after_id) when given. */
MQ_MUST_CHECK mq_err mq_upcoming(struct mq_ctx *ctx, struct mq_arena *a,
                                 const struct mq_visible *vis, const char *user_id,
                                 const char *from, const char *after_date, const char *after_id,
                                 int limit, struct mq_upcoming_item **out, size_t *n);

/* A new token (replacing any), shown this once. */
MQ_MUST_CHECK mq_err mq_calendar_token_rotate(struct mq_ctx *ctx, struct mq_arena *a,
                                              const char *user_id, const char **token);
MQ_MUST_CHECK mq_err mq_calendar_token_revoke(struct mq_ctx *ctx, const char *user_id);
/* When the member's token was made; MQ_ENOTFOUND when they have none. */
MQ_MUST_CHECK mq_err mq_calendar_token_status(struct mq_ctx *ctx, const char *user_id,
                                              int64_t *created_at);
/* Whose token it is; MQ_EPERM when it is no one's. */
MQ_MUST_CHECK mq_err mq_calendar_owner(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                       const char **user_id);

/* The feed of the token's owner: what mq_upcoming gives them from `from`,
 * with their libraries and limits as stored. MQ_EPERM for a token that is
 * no one's. */
MQ_MUST_CHECK mq_err mq_calendar_feed(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                      const char *from, int limit, struct mq_upcoming_item **out,
                                      size_t *n);

#endif
