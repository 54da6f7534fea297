/* imports.h - imports of watch history (track_imports, track_import_rows),
 * the aliases members' resolutions taught (track_aliases), and the
 * catalogue lookups matching makes. */
#ifndef MQ_STORE_IMPORTS_H
#define MQ_STORE_IMPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/catalog.h"
#include "store/store.h"
#include "store/track.h"

struct mq_import_counts {
    int64_t total, rows_read, skipped, matched, review, failed, duplicates;
};

struct mq_import_row {
    const char *id, *user_id, *job_id, *format, *filename, *options, *state, *error;
    struct mq_import_counts c;
    int64_t created_at, started_at, finished_at; /* 0 = not yet */
};

MQ_MUST_CHECK mq_err mq_store_import_insert(struct mq_db *db, const struct mq_import_row *r,
                                            const char *body);
/* By its id or its job's; MQ_ENOTFOUND; without the body. */
MQ_MUST_CHECK mq_err mq_store_import_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                         struct mq_import_row *out);
/* The file as uploaded (base64), NULL once read. */
MQ_MUST_CHECK mq_err mq_store_import_body(struct mq_db *db, struct mq_arena *a, const char *id,
                                          const char **out);
/* State, counters, error and times (0 leaves a time as it is); the body
 * goes when `drop_body`. */
MQ_MUST_CHECK mq_err mq_store_import_update(struct mq_db *db, const struct mq_import_row *r,
                                            bool drop_body);
MQ_MUST_CHECK mq_err mq_store_import_job(struct mq_db *db, const char *id, const char *job_id);
/* A member's imports, newest first. */
MQ_MUST_CHECK mq_err mq_store_imports_list(struct mq_db *db, struct mq_arena *a,
                                           const char *user_id, const struct mq_track_after *after,
                                           int limit, struct mq_import_row **out, size_t *n);
/* How many files the member imported since `since` (entries made by hand
 * aside). */
MQ_MUST_CHECK mq_err mq_store_imports_since(struct mq_db *db, const char *user_id, int64_t since,
                                            int64_t *n);
/* The counters as the rows say, for a resolution's change. */
MQ_MUST_CHECK mq_err mq_store_import_recount(struct mq_db *db, const char *id);

struct mq_import_line {
    const char *import_id;
    int64_t line;
    const char *raw, *entry, *title, *state, *item_id;
    int64_t confidence; /* 0-1000 */
    const char *method, *candidates, *reason, *play_id;
};

/* Writes a row, replacing one the same job wrote before (a job run again). */
MQ_MUST_CHECK mq_err mq_store_import_line_put(struct mq_db *db, const struct mq_import_line *r);
MQ_MUST_CHECK mq_err mq_store_import_line_get(struct mq_db *db, struct mq_arena *a,
                                              const char *import_id, int64_t line,
                                              struct mq_import_line *out);
/* Rows in one state (NULL = any), by line after `after_line`. */
MQ_MUST_CHECK mq_err mq_store_import_lines(struct mq_db *db, struct mq_arena *a,
                                           const char *import_id, const char *state,
                                           int64_t after_line, int limit,
                                           struct mq_import_line **out, size_t *n);

/* ---- aliases ------------------------------------------------------------ */

struct mq_alias_row {
    const char *key, *title, *item_id, *created_by;
    int64_t created_at;
};
/* MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_alias_get(struct mq_db *db, struct mq_arena *a, const char *key,
                                        struct mq_alias_row *out);
MQ_MUST_CHECK mq_err mq_store_alias_put(struct mq_db *db, const struct mq_alias_row *r);
MQ_MUST_CHECK mq_err mq_store_alias_delete(struct mq_db *db, const char *key);
/* By key after `after` (NULL = the first page). */
MQ_MUST_CHECK mq_err mq_store_aliases(struct mq_db *db, struct mq_arena *a, const char *after,
                                      int limit, struct mq_alias_row **out, size_t *n);

/* The aliases a member's resolutions made, by key after `after`. */
MQ_MUST_CHECK mq_err mq_store_aliases_by(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                         const char *after, int limit, struct mq_alias_row **out,
                                         size_t *n);

/* ---- what matching looks up ---------------------------------------------- */

enum mq_match_id { MQ_MATCH_TMDB, MQ_MATCH_IMDB, MQ_MATCH_TVDB, MQ_MATCH_ISBN };

/* Works of `kind` (NULL: movie, series, book, audiobook) the member may
 * see whose external id of that provider is `value` (at most max). */
MQ_MUST_CHECK mq_err mq_store_match_by_id(struct mq_db *db, struct mq_arena *a,
                                          const struct mq_track_view *v, enum mq_match_id provider,
                                          const char *value, const char *kind, int max,
                                          struct mq_item_row **out, size_t *n);
/* Works of `kind` (NULL as above) the member may see whose title or
 * original title, folded without spaces (the search index's
 * title_compact), is `compact` (at most max). */
MQ_MUST_CHECK mq_err mq_store_match_by_title(struct mq_db *db, struct mq_arena *a,
                                             const struct mq_track_view *v, const char *compact,
                                             const char *kind, int max, struct mq_item_row **out,
                                             size_t *n);

#endif
