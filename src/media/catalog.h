/* catalog.h - reading the catalogue: works and their files, as the
 * libraries one may see hold them (media/libraries.h). An item or file of
 * a library one cannot see is MQ_ENOTFOUND, as one that does not exist. */
#ifndef MQ_MEDIA_CATALOG_H
#define MQ_MEDIA_CATALOG_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "store/catalog.h"

/* The page of items `f` asks for (f->visible_json is filled from vis). */
MQ_MUST_CHECK mq_err mq_catalog_list(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_visible *vis, struct mq_item_filter *f,
                                     struct mq_item_row **out, size_t *n);

/* One item, with its genres. */
MQ_MUST_CHECK mq_err mq_catalog_get(struct mq_ctx *ctx, struct mq_arena *a,
                                    const struct mq_visible *vis, const char *id,
                                    struct mq_item_row *out, const char ***genres, size_t *ngenres);

/* An item's files: main files, extras, subtitles, images. */
MQ_MUST_CHECK mq_err mq_catalog_files(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_visible *vis, const char *item_id,
                                      struct mq_file_row **out, size_t *n);

/* One file, for streaming. */
MQ_MUST_CHECK mq_err mq_catalog_file(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_visible *vis, const char *id,
                                     struct mq_file_row *out);

/* An item's cast or crew (kind "cast" or "crew"). */
MQ_MUST_CHECK mq_err mq_catalog_credits(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_visible *vis, const char *item_id,
                                        const char *kind, struct mq_credit_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_catalog_similar(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_visible *vis, const char *item_id,
                                        int limit, struct mq_item_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_catalog_collections_of(struct mq_ctx *ctx, struct mq_arena *a,
                                               const char *item_id, struct mq_collection_row **out,
                                               size_t *n);
/* Where the work can be watched elsewhere (the caller read the item
 * through visibility first, as for collections_of). */
MQ_MUST_CHECK mq_err mq_catalog_availability(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *item_id, struct mq_availability_row **out,
                                             size_t *n);
/* A collection and its items one may see; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_catalog_collection(struct mq_ctx *ctx, struct mq_arena *a,
                                           const struct mq_visible *vis, const char *id, int limit,
                                           struct mq_collection_row *out,
                                           struct mq_item_row **items, size_t *n);

/* A person and the works one may see them in (at most limit): a person
 * in none of them is MQ_ENOTFOUND, as one that does not exist. */
MQ_MUST_CHECK mq_err mq_catalog_person(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, const char *id, int limit,
                                       struct mq_person_row *out, struct mq_person_credit **credits,
                                       size_t *n);

MQ_MUST_CHECK mq_err mq_catalog_genres(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, struct mq_genre_count **out,
                                       size_t *n);

MQ_MUST_CHECK mq_err mq_catalog_stats(struct mq_ctx *ctx, const struct mq_visible *vis,
                                      const char *library_id, struct mq_library_stats *out);

#endif
