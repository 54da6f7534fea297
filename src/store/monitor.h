/* monitor.h - relations between works, what members follow, and what the
 * monitor reads to find the next thing after what a member finished
 * (migration 0023; the catalogue's tables from 0013, tracking's from
 * 0019). A relation row reads "from_id KIND to_id": the sequel is
 * from_id. */
#ifndef MQ_STORE_MONITOR_H
#define MQ_STORE_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_relation_row {
    const char *from_id, *to_id, *kind, *source;
    const char *from_title;       /* the admin list's */
    const char *other_library_id; /* NULL for a catalogue-only work */
    int64_t confidence, created_at;
    /* The work at the other end, from the asking item's side. */
    const char *other_id, *other_title, *other_kind;
    int64_t other_year; /* 0 = none */
    bool other_follows; /* the other end comes after the asking item */
};

/* The item's relations both ways, not deleted, admins' over the others'. */
MQ_MUST_CHECK mq_err mq_store_relations_of(struct mq_db *db, struct mq_arena *a,
                                           const char *item_id, struct mq_relation_row **out,
                                           size_t *n);
/* Every relation not deleted (admin list), from `after` ("from|to|kind"). */
MQ_MUST_CHECK mq_err mq_store_relations_list(struct mq_db *db, struct mq_arena *a,
                                             const char *item_id, const char *source,
                                             const char *after_from, const char *after_to,
                                             const char *after_kind, int limit,
                                             struct mq_relation_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_relation_admin_put(struct mq_db *db, const char *from_id,
                                                 const char *to_id, const char *kind, int64_t now);
/* Marks it deleted (it stays so); MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_store_relation_delete(struct mq_db *db, const char *from_id,
                                              const char *to_id, const char *kind, int64_t now);
/* Derived relations of one kind, `pairs` a JSON array of [from, to],
 * each unless one of any source (deleted too) is there; *made says how
 * many are new. */
MQ_MUST_CHECK mq_err mq_store_relations_derive(struct mq_db *db, const char *pairs,
                                               const char *kind, int64_t confidence, int64_t now,
                                               int64_t *made);
/* Derives what the catalogue's shape says: seasons and episodes of
 * series, films of a collection by release, books of a series by index. */
MQ_MUST_CHECK mq_err mq_store_relations_derive_shape(struct mq_db *db, int64_t now, int64_t *made);

struct mq_titled_row {
    const char *id, *title;
    int64_t year;
};
/* Every film or book not deleted (kind "movie" or "book"), by title. */
MQ_MUST_CHECK mq_err mq_store_titles(struct mq_db *db, struct mq_arena *a, const char *kind,
                                     struct mq_titled_row **out, size_t *n);

/* ---- follows -------------------------------------------------------------- */

struct mq_follow_row {
    const char *kind, *target_id, *name; /* name NULL when the target is gone */
    int64_t created_at;
};
MQ_MUST_CHECK mq_err mq_store_follow_put(struct mq_db *db, const char *user_id, const char *kind,
                                         const char *target_id, int64_t now);
MQ_MUST_CHECK mq_err mq_store_follow_delete(struct mq_db *db, const char *user_id, const char *kind,
                                            const char *target_id);
MQ_MUST_CHECK mq_err mq_store_follows(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                      struct mq_follow_row **out, size_t *n);
/* Whether the target exists: a series, a collection (kind collection), a
 * book series (a collection of kind series), a person. */
MQ_MUST_CHECK mq_err mq_store_follow_target(struct mq_db *db, const char *kind, const char *id,
                                            bool *exists);

/* ---- what the monitor reads --------------------------------------------------- */

struct mq_reach {
    int64_t units;      /* the work itself, or a season's episodes */
    int64_t released;   /* of them, out by today (or undated) */
    int64_t in_library; /* of them, with a file in a library the member may see */
};

struct mq_next_row {
    const char *item_id, *relation, *after_id; /* relation: sequel_of, part_of, ... */
    const char *title, *after_title, *kind;
    const char *group_name; /* the collection or series both are in, the person; or NULL */
    struct mq_reach reach;  /* a playable work's; units 0 for a series (ask its reach) */
};
/* Works that follow (sequel_of, prequel_of, part_of, next_in_series) one
 * the member finished, which they have not; their reach for `visible`
 * (the member's libraries, a JSON array) at `today`. */
MQ_MUST_CHECK mq_err mq_store_monitor_next(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, const char *visible,
                                           const char *today, struct mq_next_row **out, size_t *n);

struct mq_season_row {
    const char *id, *series_id, *series_title, *title;
    int64_t position, episodes, watched, aired;
};
/* The seasons of every series the member watched an episode of or
 * follows, with how many episodes each has, the member finished, and
 * have aired by `today` ("YYYY-MM-DD"); by series and number. */
MQ_MUST_CHECK mq_err mq_store_monitor_seasons(struct mq_db *db, struct mq_arena *a,
                                              const char *user_id, const char *today,
                                              struct mq_season_row **out, size_t *n);

struct mq_next_episode_row {
    const char *id, *title;
    int64_t position;
};
/* The first episode of a season after the last one the member finished
 * there, if they have not seen it and it is new: released on or after
 * since_day ("YYYY-MM-DD"), or undated and added since since_ms.
 * MQ_ENOTFOUND when none. */
MQ_MUST_CHECK mq_err mq_store_monitor_next_episode(struct mq_db *db, struct mq_arena *a,
                                                   const char *user_id, const char *season_id,
                                                   const char *since_day, int64_t since_ms,
                                                   struct mq_next_episode_row *out);

/* Works by people, or in collections, the member follows, added after
 * they began following, that they have not finished; reach as above. */
MQ_MUST_CHECK mq_err mq_store_monitor_followed_works(struct mq_db *db, struct mq_arena *a,
                                                     const char *user_id, const char *visible,
                                                     const char *today, struct mq_next_row **out,
                                                     size_t *n);

struct mq_reach_of {
    const char *item_id;
    struct mq_reach reach;
};
/* How far each item of ids (a JSON array: films, books, seasons, series)
 * can be had by a member whose libraries are `visible` (a JSON array) at
 * `today`; items with no units are left out. In no particular order. */
MQ_MUST_CHECK mq_err mq_store_monitor_reach_many(struct mq_db *db, struct mq_arena *a,
                                                 const char *ids, const char *visible,
                                                 const char *today, struct mq_reach_of **out,
                                                 size_t *n);

struct mq_offer_row {
    const char *item_id; /* set by mq_store_monitor_offers_many */
    const char *platform, *url;
};
/* The offers of each work of ids (a JSON array; works, whose offers are
 * their own), in region at now, by item and platform. */
MQ_MUST_CHECK mq_err mq_store_monitor_offers_many(struct mq_db *db, struct mq_arena *a,
                                                  const char *ids, const char *region, int64_t now,
                                                  struct mq_offer_row **out, size_t *n);
/* Where the item (or its season, or series) streams in region at now. */
MQ_MUST_CHECK mq_err mq_store_monitor_offers(struct mq_db *db, struct mq_arena *a,
                                             const char *item_id, const char *region, int64_t now,
                                             struct mq_offer_row **out, size_t *n);

/* The platforms a member's plays came from, Marquee's own left out. */
MQ_MUST_CHECK mq_err mq_store_monitor_platforms(struct mq_db *db, struct mq_arena *a,
                                                const char *user_id, const char ***out, size_t *n);

/* ---- upcoming ---------------------------------------------------------------- */

struct mq_upcoming_row {
    const char *id, *kind, *title, *release_date;
    const char *series_title; /* an episode's series, or NULL */
    int64_t season, episode;  /* an episode's, else -1 */
    int64_t updated_at;
};
/* Announced works for what the member finished the one before of,
 * watches (a series they played an episode of), or follows, released on
 * or after `from` ("YYYY-MM-DD") and not finished yet, in libraries they
 * may see (visible: JSON array) or catalogue-only, within their parental
 * limits; by date, after (date, id). */
struct mq_upcoming_query {
    const char *user_id, *visible, *from, *after_date, *after_id;
    int64_t max_level, block_unrated;
    int limit;
};
MQ_MUST_CHECK mq_err mq_store_upcoming(struct mq_db *db, struct mq_arena *a,
                                       const struct mq_upcoming_query *q,
                                       struct mq_upcoming_row **out, size_t *n);

/* Calendar tokens: only the hash is kept. */
MQ_MUST_CHECK mq_err mq_store_calendar_token_put(struct mq_db *db, const char *user_id,
                                                 const char *hash, int64_t now);
MQ_MUST_CHECK mq_err mq_store_calendar_token_delete(struct mq_db *db, const char *user_id);
/* The member's token's creation time; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_calendar_token_of(struct mq_db *db, const char *user_id,
                                                int64_t *created_at);
/* Whose token it is; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_calendar_token_user(struct mq_db *db, struct mq_arena *a,
                                                  const char *hash, const char **user_id);

/* ---- runs ------------------------------------------------------------------- */

struct mq_monitor_run_row {
    const char *id, *job_id, *state, *error;
    int64_t members, candidates, notified, relations_derived, started_at, finished_at;
};
MQ_MUST_CHECK mq_err mq_store_monitor_run_insert(struct mq_db *db,
                                                 const struct mq_monitor_run_row *r);
MQ_MUST_CHECK mq_err mq_store_monitor_run_update(struct mq_db *db,
                                                 const struct mq_monitor_run_row *r);
MQ_MUST_CHECK mq_err mq_store_monitor_runs(struct mq_db *db, struct mq_arena *a, const char *before,
                                           int limit, struct mq_monitor_run_row **out, size_t *n);

#endif
