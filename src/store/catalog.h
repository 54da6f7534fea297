/* catalog.h - the catalogue's rows: works (media_items) and files
 * (media_files), as the scanner writes them and the API reads them. */
#ifndef MQ_STORE_CATALOG_H
#define MQ_STORE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_item_row {
    const char *id, *library_id, *kind, *parent_id, *match_key;
    int64_t position, position_end; /* -1 = none */
    const char *title, *sort_title, *original_title, *overview;
    int64_t year; /* 0 = none */
    const char *release_date;
    int64_t runtime_min; /* 0 = none */
    const char *content_rating_system, *content_rating;
    int64_t rating; /* 0-100, -1 = none */
    const char *edition, *external_ids, *locked;
    int64_t quality;      /* 0-1000 */
    int64_t rating_level; /* content_rating on the parental ladder, 0 = unrated */
    int64_t refreshed_at, added_at, updated_at, deleted_at; /* 0 = none */
    const char *origin;  /* scan, provider, admin; NULL on insert = scan */
    const char *sources; /* JSON: field -> provider that gave it */
    const char *details; /* JSON: what providers say beyond the columns */
};

struct mq_file_row {
    const char *id, *library_id, *item_id, *video_id, *role, *detail, *path;
    int64_t dev, ino, size, mtime; /* mtime in ns */
    const char *state, *reason;
    const char *container;
    int64_t duration_ms, bit_rate, width, height; /* 0 = unknown */
    const char *video_codec, *hdr;
    const char *streams, *chapters, *tags; /* JSON */
    int64_t probed_at, seen_at, missing_since, added_at, updated_at;
};

/* ---- files ----------------------------------------------------------- */

/* A library's files as the scanner compares them: only id, item_id, role,
 * path, dev, ino, size, mtime, state and missing_since are read. */
MQ_MUST_CHECK mq_err mq_store_files_identity(struct mq_db *db, struct mq_arena *a,
                                             const char *library_id, struct mq_file_row **out,
                                             size_t *n);
/* Inserts, or replaces the file at the same path (keeping its id). */
MQ_MUST_CHECK mq_err mq_store_file_upsert(struct mq_db *db, const struct mq_file_row *r);
/* A file found at a new path with its old identity: path and seen_at. */
MQ_MUST_CHECK mq_err mq_store_file_move(struct mq_db *db, const char *id, const char *path,
                                        int64_t now);
MQ_MUST_CHECK mq_err mq_store_file_set_missing(struct mq_db *db, const char *id, int64_t since);
/* Back after missing: state ok, missing_since cleared. */
MQ_MUST_CHECK mq_err mq_store_file_found(struct mq_db *db, const char *id, int64_t now);
MQ_MUST_CHECK mq_err mq_store_file_delete(struct mq_db *db, const char *id);
MQ_MUST_CHECK mq_err mq_store_file_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                       struct mq_file_row *out);
/* An item's files (main, extras, subtitles, images), by role and path. */
MQ_MUST_CHECK mq_err mq_store_item_files(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                         struct mq_file_row **out, size_t *n);

/* ---- items ----------------------------------------------------------- */

/* The item a scan made for `match_key` in the library; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_item_by_match(struct mq_db *db, struct mq_arena *a,
                                            const char *library_id, const char *match_key,
                                            struct mq_item_row *out);
MQ_MUST_CHECK mq_err mq_store_item_insert(struct mq_db *db, const struct mq_item_row *r);
/* Every column but id, library_id, match_key and added_at. */
MQ_MUST_CHECK mq_err mq_store_item_update(struct mq_db *db, const struct mq_item_row *r);
MQ_MUST_CHECK mq_err mq_store_item_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                       struct mq_item_row *out);
/* The rating level that applies to an item: its own, else its season's or
 * series' (0 = unrated). */
MQ_MUST_CHECK mq_err mq_store_item_level(struct mq_db *db, const char *id, int64_t *level);

/* The item's runtime from its main files (an audiobook's parts add up,
 * other works take their longest file), unless an admin locked it. */
MQ_MUST_CHECK mq_err mq_store_item_runtime_from_files(struct mq_db *db, const char *id);

/* Sets or clears deleted_at (0 = restored). */
MQ_MUST_CHECK mq_err mq_store_item_set_deleted(struct mq_db *db, const char *id, int64_t at);
/* In the library, the scanned items (match_key set) that no file backs any
 * more and that have no children left: marked deleted at `now`; *n says how
 * many. Runs until none is left, so emptied seasons, then series, follow. */
MQ_MUST_CHECK mq_err mq_store_items_prune(struct mq_db *db, const char *library_id, int64_t now,
                                          int64_t *n);

struct mq_added_work_row {
    const char *id, *title, *kind;
};
/* The library's works (no parent: a film, a series, a book) added at or
 * after `since` (Unix ms) and not deleted, oldest first; at most max. */
MQ_MUST_CHECK mq_err mq_store_works_added_since(struct mq_db *db, struct mq_arena *a,
                                                const char *library_id, int64_t since, size_t max,
                                                struct mq_added_work_row **out, size_t *n);

/* ---- browsing -------------------------------------------------------- */

enum mq_item_sort {
    MQ_SORT_TITLE,    /* sort_title ascending */
    MQ_SORT_YEAR,     /* newest year first */
    MQ_SORT_ADDED,    /* newest first */
    MQ_SORT_RATING,   /* best first */
    MQ_SORT_DURATION, /* longest first */
    MQ_SORT_POSITION, /* season or episode number (children of one item) */
};

struct mq_item_filter {
    const char *visible_json; /* the libraries one may see, a JSON array of ids */
    const char *kind;         /* NULL = the top-level kinds (movie, series, book, audiobook) */
    const char *genre, *library_id, *content_rating; /* NULL = any */
    int year_from, year_to;                          /* 0 = open */
    int has_file;                                    /* -1 any, 0 without, 1 with a file */
    bool missing;                                    /* only items whose every file is missing */
    const char *parent_id;                           /* children of one item (seasons, episodes) */
    int max_level;      /* parental controls: the highest rating level shown, 0 = any */
    bool block_unrated; /* and whether unrated works are left out */
    enum mq_item_sort sort;
    /* Keyset position: after the row with this sort value and id (the
     * first page: has_after false). */
    bool has_after;
    const char *after_text; /* MQ_SORT_TITLE */
    int64_t after_int;      /* the others */
    const char *after_id;
    int limit;
};

MQ_MUST_CHECK mq_err mq_store_items_list(struct mq_db *db, struct mq_arena *a,
                                         const struct mq_item_filter *f, struct mq_item_row **out,
                                         size_t *n);

/* An item's genres, in name order. */
MQ_MUST_CHECK mq_err mq_store_item_genres(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                          const char ***out, size_t *n);
/* Every genre of the items one may see, with how many items have it. */
struct mq_genre_count {
    const char *genre;
    int64_t items;
};
MQ_MUST_CHECK mq_err mq_store_genres(struct mq_db *db, struct mq_arena *a, const char *visible_json,
                                     struct mq_genre_count **out, size_t *n);

/* ---- administration ----------------------------------------------- */

/* Replaces an item's genres. */
MQ_MUST_CHECK mq_err mq_store_item_genres_set(struct mq_db *db, const char *item_id,
                                              const char *const *genres, size_t n);

struct mq_availability_row {
    const char *id, *item_id, *platform, *region, *kind, *url;
    int64_t available_from, available_until, created_at; /* 0 = open */
};
MQ_MUST_CHECK mq_err mq_store_availability_insert(struct mq_db *db,
                                                  const struct mq_availability_row *r);
MQ_MUST_CHECK mq_err mq_store_availability_of(struct mq_db *db, struct mq_arena *a,
                                              const char *item_id, struct mq_availability_row **out,
                                              size_t *n);

/* Removes for good the items deleted before `before`; *n how many. */
MQ_MUST_CHECK mq_err mq_store_items_purge(struct mq_db *db, int64_t before, int64_t *n);

/* What the quality score is made of, per item. */
struct mq_quality_row {
    const char *id, *title, *kind;
    int64_t quality;
    bool overview, poster, backdrop, year, genres, credits, external_ids, rating;
    int64_t refreshed_at, added_at;
};
/* Items not deleted, weakest first (quality, then id) after the position
 * (after_quality -1: from the start); at most limit. */
MQ_MUST_CHECK mq_err mq_store_quality_page(struct mq_db *db, struct mq_arena *a,
                                           int64_t after_quality, const char *after_id, int limit,
                                           struct mq_quality_row **out, size_t *n);
/* Items by id after `after_id` ("" from the start), for the recompute. */
MQ_MUST_CHECK mq_err mq_store_quality_batch(struct mq_db *db, struct mq_arena *a,
                                            const char *after_id, int limit,
                                            struct mq_quality_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_item_set_quality(struct mq_db *db, const char *id, int64_t q);
/* One item's; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_quality_of(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_quality_row *out);

/* ---- people and collections ------------------------------------------ */

struct mq_credit_row {
    const char *person_id, *name, *kind, *role, *department; /* kind: cast, crew */
    int64_t position;
    const char *provider_id; /* "tmdb:287": finds the person by it first; NULL = by name */
};
/* Replaces the item's credits of `kind`, making people as needed: by
 * provider id when the row has one, else by name. */
MQ_MUST_CHECK mq_err mq_store_credits_set(struct mq_db *db, const char *item_id, const char *kind,
                                          const struct mq_credit_row *rows, size_t n,
                                          const char *(*new_id)(void *arg), void *arg);
MQ_MUST_CHECK mq_err mq_store_credits_of(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                         const char *kind, struct mq_credit_row **out, size_t *n);

/* A person, and the works one may see them in (newest first), with the
 * part they had: kind cast or crew, role the character or the job. */
struct mq_person_row {
    const char *id, *name, *external_ids;
};
struct mq_person_credit {
    struct mq_item_row item;
    const char *kind, *role;
};
MQ_MUST_CHECK mq_err mq_store_person_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_person_row *out);
MQ_MUST_CHECK mq_err mq_store_person_credits(struct mq_db *db, struct mq_arena *a,
                                             const char *person_id, const struct mq_item_filter *f,
                                             struct mq_person_credit **out, size_t *n);

struct mq_collection_row {
    const char *id, *kind, *name, *overview;
    int64_t position; /* of an item in it */
    int64_t created_at, updated_at;
};
/* The collection of that kind and name, made if new; then the item in it
 * at position. */
MQ_MUST_CHECK mq_err mq_store_collection_put_item(struct mq_db *db, struct mq_arena *a,
                                                  const char *kind, const char *name,
                                                  const char *new_id, const char *item_id,
                                                  int64_t position, int64_t now,
                                                  const char **collection_id);
MQ_MUST_CHECK mq_err mq_store_collection_clear_item(struct mq_db *db, const char *item_id);
MQ_MUST_CHECK mq_err mq_store_collection_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                             struct mq_collection_row *out);
MQ_MUST_CHECK mq_err mq_store_collections_of(struct mq_db *db, struct mq_arena *a,
                                             const char *item_id, struct mq_collection_row **out,
                                             size_t *n);
/* The items of a collection one may see, in order. */
MQ_MUST_CHECK mq_err mq_store_collection_items(struct mq_db *db, struct mq_arena *a,
                                               const char *collection_id,
                                               const struct mq_item_filter *f,
                                               struct mq_item_row **out, size_t *n);
/* Works like this one: sharing a collection (3), people (2 each), genres
 * (1 each); best first; among those one may see. */
MQ_MUST_CHECK mq_err mq_store_similar(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                      const struct mq_item_filter *f, struct mq_item_row **out,
                                      size_t *n);

struct mq_library_stats {
    int64_t items[6]; /* movie, series, season, episode, book, audiobook */
    int64_t files, missing, failed, size, duration_ms;
};
MQ_MUST_CHECK mq_err mq_store_library_stats(struct mq_db *db, const char *library_id,
                                            struct mq_library_stats *out);

#endif
