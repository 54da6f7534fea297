/* search.h - finding works and people (docs/internals/search.md).
 *
 * Queries run in stages: the words as typed (every word, the last one as
 * a prefix, any two neighbours also joined); when that finds nothing, each
 * word the index does not know is corrected to the nearest one it does
 * (trigram candidates, then edit distance) and the corrected query runs,
 * its text given back as the suggestion ("did you mean"). Results come
 * ranked by how the title met the query, the year typed, popularity,
 * BM25, quality and whether a file is there, and respect library grants
 * and parental controls inside the query. */
#ifndef MQ_SEARCH_SEARCH_H
#define MQ_SEARCH_SEARCH_H

#include "core/ctx.h"
#include "core/err.h"
#include "media/libraries.h"
#include "store/search.h"

#define MQ_SEARCH_OFFSET_MAX 10000 /* results past it are not paged to */
#define MQ_COMPLETE_MAX      10

struct mq_search_request {
    const char *q;
    size_t qlen;
    struct mq_search_filter filter; /* visibility is filled from vis */
    enum mq_search_sort sort;
    int offset, limit;
};

struct mq_search_response {
    struct mq_search_hit *hits;
    size_t n;
    bool more; /* another page follows */
    struct mq_facet_count *facets;
    size_t nfacets;
    int64_t total;          /* matches under the filter */
    const char *suggestion; /* the corrected query the results are for, or NULL */
};

/* MQ_EINVAL with *why (query_empty, query_too_long, invalid_utf8). */
MQ_MUST_CHECK mq_err mq_search_run(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_visible *vis, const struct mq_search_request *r,
                                   struct mq_search_response *out, struct mq_refusal *why);

/* Up to limit (at most MQ_COMPLETE_MAX) titles and people for what is
 * typed so far; none for an empty query. */
MQ_MUST_CHECK mq_err mq_search_complete(struct mq_ctx *ctx, struct mq_arena *a,
                                        const struct mq_visible *vis, const char *q, size_t qlen,
                                        int limit, struct mq_search_hit **out, size_t *n,
                                        struct mq_refusal *why);

/* Facet counts over the whole visible catalogue. */
MQ_MUST_CHECK mq_err mq_search_facets(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_visible *vis, struct mq_facet_count **out,
                                      size_t *n);

/* ---- the index (index.c) ------------------------------------------------ */

struct mq_search; /* the indexer of this process, and its query statistics */

/* Starts indexing marked documents within a second of their change (woken
 * by media.* and library.* events, and once a second for changes other
 * instances made), and flushing query statistics. */
MQ_MUST_CHECK mq_err mq_search_start(struct mq_ctx *ctx, struct mq_search **out);
void mq_search_stop(struct mq_search *s);

/* Indexes up to max marked documents in one transaction; *done says how
 * many (0: none left, or another instance is at it). */
MQ_MUST_CHECK mq_err mq_search_index_batch(struct mq_ctx *ctx, int max, int *done);

/* Queues a rebuild (search.reindex): every document marked, then indexed
 * in batches while searches go on against the old ones. */
MQ_MUST_CHECK mq_err mq_search_reindex(struct mq_ctx *ctx, struct mq_arena *a,
                                       struct mq_search_reindex_row *out);
MQ_MUST_CHECK mq_err mq_search_register(struct mq_jobs *jobs);

struct mq_search_status {
    int64_t documents, pending;
    bool has_reindex;
    struct mq_search_reindex_row reindex; /* the last one */
};
MQ_MUST_CHECK mq_err mq_search_status(struct mq_ctx *ctx, struct mq_arena *a,
                                      struct mq_search_status *out);

/* ---- statistics (stats.c) -------------------------------------------- */

/* Notes a query (its folded text, never who asked) and how long it took. */
void mq_search_note(struct mq_search *s, const char *query, bool zero, int64_t micros);

struct mq_search_stats {
    struct mq_search_query_row *top, *zero;
    size_t ntop, nzero;
    int64_t searches;       /* answered by this instance since it started */
    int64_t p50_us, p99_us; /* over its last MQ_SEARCH_LATENCIES searches */
};
#define MQ_SEARCH_LATENCIES 4096
MQ_MUST_CHECK mq_err mq_search_stats(struct mq_ctx *ctx, struct mq_arena *a,
                                     struct mq_search_stats *out);

#endif
