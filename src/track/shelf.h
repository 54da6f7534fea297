/* shelf.h - a member's own library ("my library" in the API): every work
 * they watched, read or plan, here or elsewhere, with a status, the
 * platform, a rating and notes. Playing keeps it current (track/progress.h);
 * members set the rest. Text is kept as given and escaped where shown. */
#ifndef MQ_TRACK_SHELF_H
#define MQ_TRACK_SHELF_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "store/track.h"

#define MQ_SHELF_NOTES_MAX    4000 /* bytes */
#define MQ_SHELF_PLATFORM_MAX 64

/* planned, in_progress, completed, dropped, paused. */
bool mq_shelf_status_valid(const char *status);

struct mq_shelf_change {
    const char *status;   /* required */
    const char *platform; /* NULL = none */
    int64_t consumed_at;  /* 0 = none */
    int64_t rating;       /* 5-100 (tenths), 0 = none */
    const char *notes;    /* NULL = none */
};

/* Sets the entry for a work the member may see; *created says whether it
 * is new. MQ_EINVAL with *why for a bad status, platform, rating, date or
 * notes; MQ_ENOTFOUND for a work they cannot see. */
MQ_MUST_CHECK mq_err mq_shelf_put(struct mq_ctx *ctx, struct mq_arena *a,
                                  const struct mq_visible *vis, const char *user_id,
                                  const char *item_id, const struct mq_shelf_change *c,
                                  struct mq_shelf_item *out, bool *created, struct mq_refusal *why);
/* The member's entry for a work (with the work); MQ_ENOTFOUND without one. */
MQ_MUST_CHECK mq_err mq_shelf_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                  const char *item_id, struct mq_shelf_item *out);
MQ_MUST_CHECK mq_err mq_shelf_delete(struct mq_ctx *ctx, const char *user_id, const char *item_id);
/* f->view is filled from vis and user_id. */
MQ_MUST_CHECK mq_err mq_shelf_list(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_visible *vis, const char *user_id,
                                   struct mq_shelf_filter *f, struct mq_shelf_item **out,
                                   size_t *n);

#endif
