/* metadata.h - what the metadata layer keeps: provider responses, how each
 * work was identified, pictures fetched from providers, refresh runs, and
 * the catalogue lookups identification needs (src/metadata/). */
#ifndef MQ_STORE_METADATA_H
#define MQ_STORE_METADATA_H

#include <stdint.h>

#include "core/arena.h"
#include "store/catalog.h"
#include "store/store.h"

/* ---- the response cache --------------------------------------------------- */

struct mq_md_cache_row {
    const char *body;
    int64_t status, fetched_at, expires_at;
};
/* MQ_ENOTFOUND when absent or expired at `now`. */
MQ_MUST_CHECK mq_err mq_store_md_cache_get(struct mq_db *db, struct mq_arena *a, const char *key,
                                           int64_t now, struct mq_md_cache_row *out);
MQ_MUST_CHECK mq_err mq_store_md_cache_put(struct mq_db *db, const char *key, const char *provider,
                                           int64_t status, const char *body, int64_t now,
                                           int64_t expires_at);
MQ_MUST_CHECK mq_err mq_store_md_cache_prune(struct mq_db *db, int64_t now, int64_t *n);

/* ---- identification -------------------------------------------------------- */

struct mq_match_row {
    const char *item_id, *library_id, *state, *provider, *provider_id;
    int64_t confidence; /* 0-1000 */
    const char *method, *candidates, *reason, *matched_by;
    int64_t attempts, next_refresh_at, updated_at;
    /* Read with the list: the item's. */
    const char *kind, *title;
    int64_t year;
};
MQ_MUST_CHECK mq_err mq_store_match_put(struct mq_db *db, const struct mq_match_row *r);
MQ_MUST_CHECK mq_err mq_store_match_get(struct mq_db *db, struct mq_arena *a, const char *item_id,
                                        struct mq_match_row *out);
/* A library's top-level works (movie, series, book, audiobook) that have no
 * match row yet, or whose row is pending, by id after `after` ("" from the
 * start); at most limit. */
MQ_MUST_CHECK mq_err mq_store_matches_new(struct mq_db *db, struct mq_arena *a,
                                          const char *library_id, const char *after, int limit,
                                          struct mq_item_row **out, size_t *n);
/* A library's works waiting for an admin (review, unmatched, failed),
 * oldest first, after the item id `after` ("" from the start);
 * catalogue-only works are left out (no scan made them). */
MQ_MUST_CHECK mq_err mq_store_matches_waiting(struct mq_db *db, struct mq_arena *a,
                                              const char *after, int limit,
                                              struct mq_match_row **out, size_t *n);
/* Matched works due for a refresh at `now` (and failed ones due for a
 * retry), soonest first. */
MQ_MUST_CHECK mq_err mq_store_matches_due(struct mq_db *db, struct mq_arena *a, int64_t now,
                                          int limit, struct mq_match_row **out, size_t *n);
/* Matched works of a library, or of every library (NULL), by item id. */
MQ_MUST_CHECK mq_err mq_store_matches_of(struct mq_db *db, struct mq_arena *a,
                                         const char *library_id, const char *after, int limit,
                                         struct mq_match_row **out, size_t *n);
/* Pending counts the works no identification has reached yet too. */
MQ_MUST_CHECK mq_err mq_store_match_counts(struct mq_db *db, const char *library_id,
                                           int64_t counts[5]);
/* The states, in the order of the counts above. */
extern const char *const mq_match_states[5];

/* ---- the catalogue, as identification reads it ---------------------------- */

/* The work of `kind` whose external id `key` ("tmdb", "imdb") is value:
 * in the library (library_id), only in the catalogue (NULL), or anywhere
 * ("*", a library's first). Not deleted ones. MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_item_by_external(struct mq_db *db, struct mq_arena *a,
                                               const char *kind, const char *key, const char *value,
                                               const char *library_id, struct mq_item_row *out);
/* An item's children (seasons, episodes), by position. */
MQ_MUST_CHECK mq_err mq_store_item_children(struct mq_db *db, struct mq_arena *a,
                                            const char *parent_id, struct mq_item_row **out,
                                            size_t *n);
/* The item's files of a role (main, nfo), by path. */
MQ_MUST_CHECK mq_err mq_store_item_files_role(struct mq_db *db, struct mq_arena *a,
                                              const char *item_id, const char *role,
                                              struct mq_file_row **out, size_t *n);
/* The NFO files of a series' seasons and episodes (at most limit). */
MQ_MUST_CHECK mq_err mq_store_descendant_nfos(struct mq_db *db, struct mq_arena *a,
                                              const char *item_id, int limit,
                                              struct mq_file_row **out, size_t *n);
/* The longest main file's duration of the item (ms, 0 = none). */
MQ_MUST_CHECK mq_err mq_store_item_duration(struct mq_db *db, const char *item_id, int64_t *ms);

MQ_MUST_CHECK mq_err mq_store_relation_put(struct mq_db *db, const char *from_id, const char *to_id,
                                           const char *kind, const char *source, int64_t confidence,
                                           int64_t now);
/* A catalogue-only work found again in a library: its relations,
 * collections and availability move to `into`, and it is deleted. */
MQ_MUST_CHECK mq_err mq_store_item_merge(struct mq_db *db, const char *from_id,
                                         const char *into_id);
MQ_MUST_CHECK mq_err mq_store_availability_clear(struct mq_db *db, const char *item_id,
                                                 const char *source);

/* ---- pictures from providers -------------------------------------------- */

struct mq_remote_image_row {
    const char *owner_id, *kind, *provider, *remote, *file, *state, *error;
    int64_t updated_at;
};
/* Records what the provider has for owner and kind; a new remote path
 * makes it pending again (to be fetched). */
MQ_MUST_CHECK mq_err mq_store_remote_image_put(struct mq_db *db, const char *owner_id,
                                               const char *kind, const char *provider,
                                               const char *remote, int64_t now);
MQ_MUST_CHECK mq_err mq_store_remote_images_pending(struct mq_db *db, struct mq_arena *a, int limit,
                                                    struct mq_remote_image_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_store_remote_image_done(struct mq_db *db, const char *owner_id,
                                                const char *kind, const char *remote,
                                                const char *file, const char *error, int64_t now);
/* Only fetched ones (state 'ok'). */
MQ_MUST_CHECK mq_err mq_store_remote_images_of(struct mq_db *db, struct mq_arena *a,
                                               const char *owner_id,
                                               struct mq_remote_image_row **out, size_t *n);

/* ---- runs ----------------------------------------------------------------- */

struct mq_md_run_row {
    const char *id, *kind, *job_id, *state;
    int64_t total, done, changed, unchanged, failed;
    const char *details; /* JSON array of {"item_id", "title", "changed": [fields]} */
    int64_t started_at, finished_at;
};
MQ_MUST_CHECK mq_err mq_store_md_run_put(struct mq_db *db, const struct mq_md_run_row *r);
MQ_MUST_CHECK mq_err mq_store_md_runs_recent(struct mq_db *db, struct mq_arena *a, int limit,
                                             struct mq_md_run_row **out, size_t *n);

#endif
