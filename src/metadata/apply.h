/* apply.h - details documents (provider.h) written into the catalogue.
 *
 * Documents come in the library's provider order; for each field the first
 * document that has it wins, and the item's `sources` records which
 * provider that was. A field an admin set (the item's `locked`) is never
 * written. Everything happens in the caller's write transaction. */
#ifndef MQ_METADATA_APPLY_H
#define MQ_METADATA_APPLY_H

#include <jansson.h>

#include "core/ctx.h"
#include "store/catalog.h"

struct mq_apply {
    struct mq_ctx *ctx;
    struct mq_db *db;
    struct mq_arena *a;
    int64_t now;
    json_t *changed; /* field names that changed, appended to */
};

/* The item's own fields, genres, credits, external ids, pictures,
 * availability and details. docs[0] has the highest priority. */
MQ_MUST_CHECK mq_err mq_apply_item(struct mq_apply *ap, struct mq_item_row *item,
                                   json_t *const *docs, size_t ndocs);

/* A series' seasons and episodes from its details and season documents:
 * scanned seasons and episodes are found by number (or air date, or
 * absolute number) and filled; the others are made, with origin
 * 'provider', so "season 5 is out" is knowable before its files are. A
 * season's or episode's own NFO document (parts) comes first for it. */
struct mq_part_doc {
    const char *item_id; /* a season or an episode */
    json_t *doc;         /* its NFO's document */
    bool used;           /* set when written with the provider's */
};
MQ_MUST_CHECK mq_err mq_apply_seasons(struct mq_apply *ap, const struct mq_item_row *series,
                                      const char *provider, json_t *const *seasons, size_t nseasons,
                                      struct mq_part_doc *parts, size_t nparts);

/* A film's collection: the collection made or found by name, the film at
 * its place in release order, the other parts found by provider id
 * anywhere in the catalogue or made as catalogue-only works, and each
 * part sequel_of the one before (source 'provider'). */
MQ_MUST_CHECK mq_err mq_apply_collection(struct mq_apply *ap, const struct mq_item_row *film,
                                         const char *provider, const json_t *collection);

/* A catalogue-only work of `kind` for a provider's id (found again if one
 * exists anywhere): *id is its item id. */
MQ_MUST_CHECK mq_err mq_apply_catalogue_item(struct mq_apply *ap, const char *provider,
                                             const json_t *part, const char *kind, char id[37]);

#endif
