/* progress.h - where members are in works and what they finished:
 * positions reported by players, plays, watched and unwatched, Continue
 * Watching and Next Up.
 *
 * A device reports every few seconds while it plays, so a report costs one
 * read and one row written (track_progress, one row per member and item);
 * only crossing a threshold writes more. The device's own clock orders
 * reports: of two devices, the later report wins, whichever arrives last.
 * Crossing track_complete_percent (or less than track_complete_credits
 * left) records a play and takes the work out of Continue Watching; a
 * position under the resume thresholds is kept but not offered. Each
 * accepted report publishes progress.updated for the member's other
 * devices. */
#ifndef MQ_TRACK_PROGRESS_H
#define MQ_TRACK_PROGRESS_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "store/track.h"

/* What a player says. */
struct mq_progress_report {
    int64_t position_ms;
    int64_t duration_ms; /* 0 = the work's own */
    int progress;        /* books: share read, 0-1000; -1 = from the position */
    const char *locator; /* JSON text (EPUB CFI, page, chapter), or NULL */
    const char *device;  /* the player's name, or NULL */
    int64_t reported_at; /* the device's clock, Unix ms; 0 = now */
};

struct mq_progress {
    struct mq_progress_row row; /* row.state NULL: nothing recorded */
    bool resumable;
    int64_t resume_ms; /* where to resume, 0 = from the start */
    int64_t plays;     /* times finished */
    bool applied;      /* false: a later report was already stored */
};

/* Records a report for a work the member may see (movie, episode, book,
 * audiobook): MQ_ENOTFOUND for others they cannot see, MQ_EINVAL with *why
 * (not_playable) for a series or season. */
MQ_MUST_CHECK mq_err mq_progress_report(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_visible *vis, const char *user_id,
                                        const char *item_id, const struct mq_progress_report *r,
                                        struct mq_progress *out, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_progress_get(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_visible *vis, const char *user_id,
                                     const char *item_id, struct mq_progress *out);
/* Forgets the position (not the plays). */
MQ_MUST_CHECK mq_err mq_progress_clear(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, const char *user_id,
                                       const char *item_id);

/* Marks a work watched at `at` (0 = now) on `platform` (NULL = here): a
 * film, episode or book gets one more play (a rewatch); a series or season
 * gives one play to each of its episodes not yet played. *marked says how
 * many plays were added. */
MQ_MUST_CHECK mq_err mq_watched_mark(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_visible *vis, const char *user_id,
                                     const char *item_id, int64_t at, const char *platform,
                                     int64_t *marked, struct mq_refusal *why);
/* Unwatches: forgets the plays and position of the work, or of every
 * episode of a series or season; *forgotten how many plays went. */
MQ_MUST_CHECK mq_err mq_watched_unmark(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, const char *user_id,
                                       const char *item_id, int64_t *forgotten);

/* Continue Watching: works in progress, the latest report first. */
MQ_MUST_CHECK mq_err mq_continue_watching(struct mq_ctx *ctx, struct mq_arena *a,
                                          const struct mq_visible *vis, const char *user_id,
                                          const struct mq_track_after *after, int limit,
                                          struct mq_progress_item **out, size_t *n);

/* Next Up: for each series the member played episodes of (the latest
 * first), the episode after the furthest one they played, in the library
 * or only in the catalogue. Series they are caught up with, or dropped,
 * are left out. */
struct mq_next_up {
    struct mq_item_row series;
    struct mq_episode_row next;
    int64_t last_played_at; /* the series' latest play, the cursor's key */
};
MQ_MUST_CHECK mq_err mq_next_up(struct mq_ctx *ctx, struct mq_arena *a,
                                const struct mq_visible *vis, const char *user_id,
                                const struct mq_track_after *after, int limit,
                                struct mq_next_up **out, size_t *n);

/* The view of the catalogue a member's lists use. */
void mq_track_view_of(const struct mq_visible *vis, const char *user_id, struct mq_track_view *v);

#endif
