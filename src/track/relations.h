/* relations.h - what follows what: relations between works, from the
 * metadata provider, derived from the catalogue, or set by an admin, and
 * what members follow (docs/internals/track.md).
 *
 * Derived relations come from the catalogue's shape (seasons and episodes
 * of series, a collection's films by release, a book series by index) and,
 * where nothing else says, from titles ("Title 2", "Title II", "Title:
 * Part Two", "Title Chapter 3", "Title Book 4"), with low confidence. An
 * admin's relation overrides the others of its kind from the same work,
 * and one an admin deleted stays deleted. In the API, to_id follows
 * from_id; a row reads "to_id KIND from_id". */
#ifndef MQ_TRACK_RELATIONS_H
#define MQ_TRACK_RELATIONS_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "store/monitor.h"

bool mq_relation_kind_valid(const char *kind);
bool mq_follow_kind_valid(const char *kind);

/* The item's relations the member may see; MQ_ENOTFOUND for an item they
 * may not. */
MQ_MUST_CHECK mq_err mq_relations_of(struct mq_ctx *ctx, struct mq_arena *a,
                                     const struct mq_visible *vis, const char *item_id,
                                     struct mq_relation_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_relations_list(struct mq_ctx *ctx, struct mq_arena *a, const char *item_id,
                                       const char *source, const char *after, int limit,
                                       struct mq_relation_row **out, size_t *n);
/* Refusals: invalid_kind, item_not_found (field from_id or to_id),
 * same_item. */
MQ_MUST_CHECK mq_err mq_relation_put(struct mq_ctx *ctx, struct mq_arena *a, const char *from_id,
                                     const char *to_id, const char *kind, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_relation_delete(struct mq_ctx *ctx, const char *from_id, const char *to_id,
                                        const char *kind);
/* Derives what can be derived; *made counts the new relations. */
MQ_MUST_CHECK mq_err mq_relations_derive(struct mq_ctx *ctx, struct mq_arena *a, int64_t *made);

/* The number a title ends with ("Rocky III" is 3, "Dune: Part Two" 2),
 * and the folded title before it, into the arena; 1 and the whole title,
 * folded, when it has none. Exposed for the unit tests. */
int mq_title_sequence(struct mq_arena *a, const char *title, const char **base);

MQ_MUST_CHECK mq_err mq_follow(struct mq_ctx *ctx, const char *user_id, const char *kind,
                               const char *target_id);
MQ_MUST_CHECK mq_err mq_unfollow(struct mq_ctx *ctx, const char *user_id, const char *kind,
                                 const char *target_id);
MQ_MUST_CHECK mq_err mq_follows(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                struct mq_follow_row **out, size_t *n);

#endif
