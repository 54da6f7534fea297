/* history.h - a member's plays, here and elsewhere, and what they add up
 * to: plays and hours by type, month and platform, top genres, the longest
 * streak of days with a play, and how much of what they started they
 * finished. Months and days are the member's own, in their time zone. */
#ifndef MQ_TRACK_HISTORY_H
#define MQ_TRACK_HISTORY_H

#include "core/ctx.h"
#include "store/track.h"

MQ_MUST_CHECK mq_err mq_history_list(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_history_filter *f, struct mq_history_row **out,
                                     size_t *n);
/* MQ_ENOTFOUND unless it is one of the member's plays. */
MQ_MUST_CHECK mq_err mq_history_delete(struct mq_ctx *ctx, const char *user_id, const char *id);

struct mq_stat_bucket {
    const char *name; /* a type, platform, genre or month ("2026-11") */
    int64_t plays, ms;
};

struct mq_track_stats {
    int64_t plays, ms;
    struct mq_stat_bucket *types, *months, *platforms, *genres;
    size_t ntypes, nmonths, nplatforms, ngenres;
    int64_t streak_days;            /* the longest run of days with a play */
    int64_t streak_from, streak_to; /* its first and last day, Unix ms at their start (UTC) */
    int64_t completed, started;     /* library entries finished, and begun at all */
};

MQ_MUST_CHECK mq_err mq_track_stats(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                    struct mq_track_stats *out);

#endif
