/* track.h - what members watched and read: progress (track_progress),
 * plays (track_plays) and their own libraries (track_library). */
#ifndef MQ_STORE_TRACK_H
#define MQ_STORE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/catalog.h"
#include "store/store.h"

/* What tracking needs to know of a work. */
struct mq_track_item {
    const char *id, *kind, *title, *library_id, *parent_id;
    const char *work_id; /* an episode's or season's series; else the item itself */
    int64_t level;       /* rating level that applies (0 = unrated) */
    int64_t file_ms;     /* the longest main file's duration (0 = none) */
    int64_t runtime_min; /* 0 = unknown */
    int64_t deleted_at;
};

struct mq_progress_row {
    const char *user_id, *item_id, *state; /* started, in_progress, completed */
    int64_t position_ms, duration_ms;      /* duration 0 = unknown */
    int64_t progress;                      /* 0-1000 */
    const char *locator, *device;          /* NULL = none */
    int64_t reported_at, updated_at;
};

struct mq_play_row {
    const char *id, *user_id, *item_id, *work_id, *kind, *title;
    int64_t watched_at, duration_ms; /* duration 0 = unknown */
    const char *source, *platform, *device, *dedup;
    int64_t created_at;
};

/* An entry of a member's own library. */
struct mq_shelf_row {
    const char *user_id, *item_id, *status, *platform; /* platform NULL = none */
    int64_t rating;                                    /* 5-100, 0 = none */
    const char *notes;
    int64_t consumed_at; /* 0 = none */
    const char *source;
    int64_t added_at, updated_at, activity_at;
};

/* Whose rows, and what of the catalogue they may see (as mq_item_filter). */
struct mq_track_view {
    const char *user_id, *visible_json;
    int max_level;
    bool block_unrated;
};

/* A keyset position: after the row with this key and id. */
struct mq_track_after {
    bool has;
    int64_t key;
    const char *text, *id;
};

/* ---- progress -------------------------------------------------------- */

MQ_MUST_CHECK mq_err mq_store_track_item(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_track_item *out);
MQ_MUST_CHECK mq_err mq_store_progress_get(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, const char *item_id,
                                           struct mq_progress_row *out);
/* Writes the row unless the stored one was reported later; *applied says
 * whether it was written. */
MQ_MUST_CHECK mq_err mq_store_progress_put(struct mq_db *db, const struct mq_progress_row *r,
                                           bool *applied);
MQ_MUST_CHECK mq_err mq_store_progress_delete(struct mq_db *db, const char *user_id,
                                              const char *item_id);

/* Continue Watching: in-progress works the member may see, newest first. */
struct mq_progress_item {
    struct mq_item_row item;
    struct mq_progress_row p;
    const char *work_title; /* an episode's series, else NULL */
    int64_t season;         /* an episode's season number, -1 = none */
};
MQ_MUST_CHECK mq_err mq_store_progress_list(struct mq_db *db, struct mq_arena *a,
                                            const struct mq_track_view *v,
                                            const struct mq_track_after *after, int limit,
                                            struct mq_progress_item **out, size_t *n);

/* ---- plays ----------------------------------------------------------- */

/* Adds a play; *added is false when one with the same dedup was there. */
MQ_MUST_CHECK mq_err mq_store_play_insert(struct mq_db *db, const struct mq_play_row *r,
                                          bool *added);
MQ_MUST_CHECK mq_err mq_store_play_delete(struct mq_db *db, const char *user_id, const char *id);
/* Every play of the item by the member; *n how many went. */
MQ_MUST_CHECK mq_err mq_store_plays_forget(struct mq_db *db, const char *user_id,
                                           const char *item_id, int64_t *n);
MQ_MUST_CHECK mq_err mq_store_plays_count(struct mq_db *db, const char *user_id,
                                          const char *item_id, int64_t *n);

struct mq_history_filter {
    const char *user_id;
    const char *kind, *platform, *source; /* NULL = any */
    int64_t from, to;                     /* [from, to), 0 = open */
    struct mq_track_after after;          /* key: watched_at; id: the play's */
    int limit;
};
struct mq_history_row {
    struct mq_play_row play;
    const char *work_title;  /* NULL when the work left the catalogue */
    int64_t season, episode; /* -1 = none */
};
MQ_MUST_CHECK mq_err mq_store_history(struct mq_db *db, struct mq_arena *a,
                                      const struct mq_history_filter *f,
                                      struct mq_history_row **out, size_t *n);

/* A member's plays as the statistics add them up, oldest first: the
 * duration falls back to the item's runtime. */
struct mq_stat_play {
    int64_t watched_at, duration_ms;
    const char *kind, *platform;
};
MQ_MUST_CHECK mq_err mq_store_stat_plays(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                         struct mq_stat_play **out, size_t *n);
struct mq_store_count {
    const char *name;
    int64_t n;
};
/* Plays by the genres of their works, most first (at most limit). */
MQ_MUST_CHECK mq_err mq_store_stat_genres(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                          int limit, struct mq_store_count **out, size_t *n);
/* Library entries by status. */
MQ_MUST_CHECK mq_err mq_store_stat_statuses(struct mq_db *db, struct mq_arena *a,
                                            const char *user_id, struct mq_store_count **out,
                                            size_t *n);

/* ---- series ------------------------------------------------------------ */

/* The episodes of a series or of one season the member may see, in order,
 * with whether the member has played each and whether a file backs it. */
struct mq_episode_row {
    struct mq_item_row item;
    int64_t season; /* the season's number */
    bool watched, in_library;
};
MQ_MUST_CHECK mq_err mq_store_episodes(struct mq_db *db, struct mq_arena *a,
                                       const struct mq_track_view *v, const char *parent_id,
                                       struct mq_episode_row **out, size_t *n);
/* The series the member played episodes of, latest play first, without
 * those they dropped: id (in `name`) and the last play's time. */
MQ_MUST_CHECK mq_err mq_store_series_played(struct mq_db *db, struct mq_arena *a,
                                            const char *user_id, const struct mq_track_after *after,
                                            int limit, struct mq_store_count **out, size_t *n);

/* ---- the member's library -------------------------------------------- */

MQ_MUST_CHECK mq_err mq_store_shelf_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                        const char *item_id, struct mq_shelf_row *out);
MQ_MUST_CHECK mq_err mq_store_shelf_put(struct mq_db *db, const struct mq_shelf_row *r);
MQ_MUST_CHECK mq_err mq_store_shelf_delete(struct mq_db *db, const char *user_id,
                                           const char *item_id);
/* Activity on a work: makes its entry with r->status, or moves the
 * existing one's activity_at and its status forward (planned or paused
 * to in_progress; any but completed to completed, when r->status says). */
MQ_MUST_CHECK mq_err mq_store_shelf_touch(struct mq_db *db, const struct mq_shelf_row *r);

/* Sets the rating (5-100) of an existing entry. */
MQ_MUST_CHECK mq_err mq_store_shelf_rate(struct mq_db *db, const char *user_id, const char *item_id,
                                         int64_t rating, int64_t now);

enum mq_shelf_sort { MQ_SHELF_ACTIVITY, MQ_SHELF_TITLE, MQ_SHELF_ADDED, MQ_SHELF_RATING };
struct mq_shelf_filter {
    struct mq_track_view view;
    const char *status, *kind, *platform, *source; /* NULL = any */
    int min_rating;                                /* 5-100, 0 = any */
    enum mq_shelf_sort sort;
    struct mq_track_after after; /* key: the sort's number; text: the sort title */
    int limit;
};
struct mq_shelf_item {
    struct mq_item_row item;
    struct mq_shelf_row e;
};
MQ_MUST_CHECK mq_err mq_store_shelf_list(struct mq_db *db, struct mq_arena *a,
                                         const struct mq_shelf_filter *f,
                                         struct mq_shelf_item **out, size_t *n);

/* ---- a member's export ---------------------------------------------------- */

/* Everything of one member, whatever they may see now, in pages by item:
 * library entries and positions after `after_item` (NULL = the first),
 * with the work's title (in the row's `title`). */
struct mq_export_entry {
    struct mq_shelf_row e;
    struct mq_progress_row p;
    const char *title, *kind;
};
MQ_MUST_CHECK mq_err mq_store_export_library(struct mq_db *db, struct mq_arena *a,
                                             const char *user_id, const char *after_item, int limit,
                                             struct mq_export_entry **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_export_progress(struct mq_db *db, struct mq_arena *a,
                                              const char *user_id, const char *after_item,
                                              int limit, struct mq_export_entry **out, size_t *n);

#endif
