/* rank.h - ordering a query's matches and counting their facets
 * (docs/internals/search.md).
 *
 * The store hands over every match once (mq_store_search_each); here each
 * is given its title tier, counted in the facets and kept as a few
 * numbers, and the kept ones are ordered in C. The same code ranks on both
 * backends, so they cannot drift apart, and no match is read twice. */
#ifndef MQ_SEARCH_RANK_H
#define MQ_SEARCH_RANK_H

#include "core/arena.h"
#include "core/err.h"
#include "store/search.h"

/* A page of t's matches under f in the given order, limit from offset,
 * with the facet counts of every match (type counted before the kind
 * filter, the rest after it). Common words alone (t->common) rank the
 * titles that are or start with them. */
MQ_MUST_CHECK mq_err mq_rank_search(struct mq_db *db, struct mq_arena *a,
                                    const struct mq_search_terms *t,
                                    const struct mq_search_filter *f, enum mq_search_sort sort,
                                    int offset, int limit, struct mq_search_hit **hits, size_t *n,
                                    struct mq_facet_count **facets, size_t *nfacets);

/* The facet counts alone: of t's matches, of the titles common words
 * find (t->common), or of the whole visible catalogue (t NULL). */
MQ_MUST_CHECK mq_err mq_rank_facets(struct mq_db *db, struct mq_arena *a,
                                    const struct mq_search_terms *t,
                                    const struct mq_search_filter *f,
                                    struct mq_facet_count **facets, size_t *nfacets);

#endif
