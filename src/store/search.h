/* search.h - the search index's rows and queries (docs/internals/search.md).
 *
 * Both backends index the same folded tokens (search/fold.h): SQLite in an
 * FTS5 table over search_docs, PostgreSQL in a tsvector the store writes
 * itself. The query arrives parsed (struct mq_search_terms); each backend
 * turns it into its own match syntax here, from tokens that hold only
 * letters and digits, so no typed character ever reaches FTS5 or tsquery
 * syntax. Results are checked for visibility with the same SQL as browsing
 * (catalog_sql.h), inside the query, before the page is cut. */
#ifndef MQ_STORE_SEARCH_H
#define MQ_STORE_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/catalog.h"
#include "store/store.h"

#define MQ_SEARCH_WORDS_MAX 16

/* A parsed query, every string folded. */
struct mq_search_terms {
    const char *words[MQ_SEARCH_WORDS_MAX]; /* all of them, in the order given */
    int nwords;
    /* Words so common they need not match (titles still rank by them). */
    bool optional[MQ_SEARCH_WORDS_MAX];
    bool prefix;                              /* the last word may be the start of one */
    const char *phrases[MQ_SEARCH_WORDS_MAX]; /* "a b c": these words, in this order */
    int nphrases;
    const char *excluded[MQ_SEARCH_WORDS_MAX]; /* a word or a phrase that must not be there */
    int nexcluded;
    int year;                 /* a year given with the words: ranks its works first; 0 = none */
    const char *compact;      /* the words and phrases without spaces, for the title tiers */
    const char *compact_full; /* the same with the year where it was typed ("bladerunner2049") */
    /* Every word is in a large share of all titles ("the"): the results are
     * the titles that are or start with them, by relevance (search/search.h). */
    bool common;
};

/* The words that must match: t's without the optional ones, unless all
 * are (then every word), the last a prefix if t's is and it stays. */
void mq_store_search_required(const struct mq_search_terms *t, struct mq_search_terms *out);

/* The match expression a backend is given (FTS5 MATCH text, or tsquery
 * text for pg): everything, or the titles alone, the words in any order or
 * in the order typed. Exposed for the fuzz driver. */
MQ_MUST_CHECK mq_err mq_store_search_expr(struct mq_arena *a, const struct mq_search_terms *t,
                                          bool pg, bool titles, bool in_order, const char **out);

/* What the caller may see, and what they narrowed it to. */
struct mq_search_filter {
    const char *visible_json; /* libraries, as for browsing */
    int max_level;
    bool block_unrated;
    /* Every library and no parental limits: most matches are visible, so a
     * plan may look for the best few before testing visibility. */
    bool unrestricted;
    const char *kind; /* NULL = works (movie, series, book, audiobook); or one kind, "person" */
    const char *genre, *library_id, *resolution, *audio, *content_rating, *status; /* NULL = any */
    int year_from, year_to;                                                        /* 0 = open */
    int has_file, hdr;                                                             /* -1 = any */
};

enum mq_search_sort {
    MQ_SEARCH_RELEVANCE,
    MQ_SEARCH_POPULARITY,
    MQ_SEARCH_RATING,
    MQ_SEARCH_RELEASED,
    MQ_SEARCH_ADDED,
    MQ_SEARCH_TITLE,
};

/* A result: a work (item set, person_id NULL) or a person. tier says how
 * the title met the query: 6 exact with the year typed in it ("Blade
 * Runner 2049"), 5 exact, 4 prefix, 3 the words in order, 2 the words, 1
 * elsewhere (people, genres, overview). */
struct mq_search_hit {
    struct mq_item_row item;
    const char *kind, *doc_id;
    const char *person_name; /* a person's */
    int64_t popularity;
    int tier;
};

struct mq_facet_count {
    const char *facet, *value;
    int64_t count;
};

/* A document that matches, as mq_store_search_each hands it over; the
 * strings are borrowed until the visitor returns. */
struct mq_search_row {
    int64_t doc; /* the document's number, for mq_store_search_page */
    const char *item_id, *kind;
    const char *title_compact, *alt_compact, *titles; /* for the title tiers */
    const char *sort_title, *release_date;            /* release_date may be NULL */
    const char *resolution, *library_id, *genres;     /* facets; the first two may be NULL */
    bool has_year;
    int64_t year;
    int64_t popularity, quality, rating, added_at; /* rating -1 = none */
    bool has_file;
    bool kind_ok; /* the kind filter keeps it (the type facet counts it anyway) */
};
/* Returns false to stop (out of memory: the call then fails MQ_ENOMEM). */
typedef bool mq_search_row_fn(void *ctx, const struct mq_search_row *row);

/* Every document a query matches under the filter's visibility and
 * filters, the kind filter only marked (kind_ok): with t NULL, the whole
 * visible catalogue; with t->common, the titles that are or start with
 * the words (at most 2,000 of them besides the exact ones). Ordering is
 * the caller's (search/rank.c). */
MQ_MUST_CHECK mq_err mq_store_search_each(struct mq_db *db, struct mq_arena *a,
                                          const struct mq_search_terms *t,
                                          const struct mq_search_filter *f, mq_search_row_fn *visit,
                                          void *ctx);

/* BM25 (or, on PostgreSQL, ts_rank negated) of every document the query
 * matches, in millionths: lower is better. */
typedef void mq_search_score_fn(void *ctx, int64_t doc, int64_t score);
MQ_MUST_CHECK mq_err mq_store_search_scores(struct mq_db *db, struct mq_arena *a,
                                            const struct mq_search_terms *t,
                                            mq_search_score_fn *visit, void *ctx);

/* The hits of n documents, out[i] for docs[i] (item, kind, doc_id as the
 * item's or person's id, person_name, popularity; the tier is left to the
 * caller). A document gone meanwhile leaves its hit as it was. */
MQ_MUST_CHECK mq_err mq_store_search_page(struct mq_db *db, struct mq_arena *a, const int64_t *docs,
                                          size_t n, struct mq_search_hit *out);

/* Titles and names that start with the words, best first, for each
 * keystroke: works of the top-level kinds and people. */
MQ_MUST_CHECK mq_err mq_store_search_complete(struct mq_db *db, struct mq_arena *a,
                                              const struct mq_search_terms *t,
                                              const struct mq_search_filter *f, int limit,
                                              struct mq_search_hit **out, size_t *n);

/* Titles that start with what is typed (at least two characters), most
 * popular first, and exact titles: a keystroke's answer without the full
 * text index, bounded however many titles start with "the". */
MQ_MUST_CHECK mq_err mq_store_search_starting(struct mq_db *db, struct mq_arena *a,
                                              const struct mq_search_terms *t,
                                              const struct mq_search_filter *f, int limit,
                                              struct mq_search_hit **out, size_t *n);

/* ---- vocabulary ------------------------------------------------------ */

/* How many documents hold a word (with prefix, words starting with it:
 * an upper bound) and how many there are: on SQLite from the index's own
 * counts, on PostgreSQL from the column's statistics (0 for a word that is
 * not among its most common, and before the first ANALYZE). */
MQ_MUST_CHECK mq_err mq_store_search_frequency(struct mq_db *db, const char *word, bool prefix,
                                               int64_t *docs, int64_t *total);

/* Whether the index has the word (or, prefix, a word starting with it). */
MQ_MUST_CHECK mq_err mq_store_search_term_known(struct mq_db *db, const char *word, bool prefix,
                                                bool *known);
/* Words of the index that share letters with `word`, the likeliest first
 * (at most max): candidates for "did you mean". */
MQ_MUST_CHECK mq_err mq_store_search_terms_near(struct mq_db *db, struct mq_arena *a,
                                                const char *word, int max, const char ***out,
                                                size_t *n);

/* ---- indexing -------------------------------------------------------- */

/* Up to max ids waiting to be indexed, the longest waiting first, and
 * every mark of theirs read (*seqs, a JSON array) for mq_store_search_unmark
 * to remove once their documents are written. */
MQ_MUST_CHECK mq_err mq_store_search_marked(struct mq_db *db, struct mq_arena *a, int max,
                                            const char ***ids, size_t *n, const char **seqs);
MQ_MUST_CHECK mq_err mq_store_search_unmark(struct mq_db *db, const char *seqs);
/* Marks every item and person (a reindex); *n says how many. */
MQ_MUST_CHECK mq_err mq_store_search_mark_all(struct mq_db *db, int64_t *n);
MQ_MUST_CHECK mq_err mq_store_search_pending(struct mq_db *db, int64_t *n);
/* On PostgreSQL, takes the indexer's lock for this transaction (one
 * instance indexes at a time); *got false when another holds it. */
MQ_MUST_CHECK mq_err mq_store_search_lock(struct mq_db *db, bool *got);
/* PostgreSQL: refreshes the documents' statistics (the words' shares that
 * mq_store_search_frequency reads). Nothing on SQLite. */
MQ_MUST_CHECK mq_err mq_store_search_analyze(struct mq_db *db);

/* What a document is made of, read for a batch of ids (JSON array). */
struct mq_search_source {
    struct mq_item_row item; /* item.id NULL for a person */
    const char *parent_title, *grandparent_title;
    const char *person_id, *person_name;
    int64_t credits; /* a person's */
};
MQ_MUST_CHECK mq_err mq_store_search_sources(struct mq_db *db, struct mq_arena *a,
                                             const char *ids_json, struct mq_search_source **out,
                                             size_t *n);
/* (id, text) pairs for the batch, each id's together: genres, names of
 * the credited (billing order), collection names. */
MQ_MUST_CHECK mq_err mq_store_search_genres(struct mq_db *db, struct mq_arena *a,
                                            const char *ids_json, struct mq_text_pair **out,
                                            size_t *n);
MQ_MUST_CHECK mq_err mq_store_search_credits(struct mq_db *db, struct mq_arena *a,
                                             const char *ids_json, struct mq_text_pair **out,
                                             size_t *n);
MQ_MUST_CHECK mq_err mq_store_search_collections(struct mq_db *db, struct mq_arena *a,
                                                 const char *ids_json, struct mq_text_pair **out,
                                                 size_t *n);
/* The files that play for each item of the batch (its own, its
 * episodes'), each item's together. */
struct mq_search_file {
    const char *item_id, *hdr, *streams;
    int64_t width, height;
};
MQ_MUST_CHECK mq_err mq_store_search_files(struct mq_db *db, struct mq_arena *a,
                                           const char *ids_json, struct mq_search_file **out,
                                           size_t *n);

struct mq_search_doc {
    const char *item_id, *kind, *library_id, *parent_id, *title, *sort_title;
    int64_t rating_level; /* the item's own, 0 = none (the parents' are read live) */
    const char *title_compact, *alt_compact;
    const char *titles, *people, *extra, *overview; /* folded tokens */
    const char *genres;                             /* each followed by U+001F */
    int64_t year;                                   /* 0 = none */
    const char *release_date;
    int64_t popularity, rating, quality; /* rating -1 = none */
    bool has_file, hdr;
    const char *resolution, *audio, *content_rating, *status;
    int64_t added_at, indexed_at;
};
MQ_MUST_CHECK mq_err mq_store_search_put(struct mq_db *db, const struct mq_search_doc *d);
MQ_MUST_CHECK mq_err mq_store_search_remove(struct mq_db *db, const char *item_id);
/* Adds words (a JSON array) to the vocabulary, or notes them used at gen. */
MQ_MUST_CHECK mq_err mq_store_search_terms_add(struct mq_db *db, const char *terms_json,
                                               int64_t gen);
/* Drops the words no document used since gen. */
MQ_MUST_CHECK mq_err mq_store_search_terms_prune(struct mq_db *db, int64_t gen, int64_t *n);

/* ---- statistics ------------------------------------------------------- */

MQ_MUST_CHECK mq_err mq_store_search_query_add(struct mq_db *db, const char *query,
                                               int64_t searches, int64_t zero, int64_t at);
struct mq_search_query_row {
    const char *query;
    int64_t searches, zero_results, last_at;
};
/* The most searched queries, or those most often without results. */
MQ_MUST_CHECK mq_err mq_store_search_queries_top(struct mq_db *db, struct mq_arena *a,
                                                 bool zero_only, int limit,
                                                 struct mq_search_query_row **out, size_t *n);

/* ---- rebuilds -------------------------------------------------------- */

struct mq_search_reindex_row {
    const char *id, *job_id, *state, *error;
    int64_t total, done, started_at, finished_at;
};
MQ_MUST_CHECK mq_err mq_store_search_reindex_insert(struct mq_db *db,
                                                    const struct mq_search_reindex_row *r);
/* state, total, done, error and finished_at. */
MQ_MUST_CHECK mq_err mq_store_search_reindex_update(struct mq_db *db,
                                                    const struct mq_search_reindex_row *r);
MQ_MUST_CHECK mq_err mq_store_search_reindex_get(struct mq_db *db, struct mq_arena *a,
                                                 const char *id, struct mq_search_reindex_row *out);
/* The newest; MQ_ENOTFOUND when there was none. */
MQ_MUST_CHECK mq_err mq_store_search_reindex_last(struct mq_db *db, struct mq_arena *a,
                                                  struct mq_search_reindex_row *out);
MQ_MUST_CHECK mq_err mq_store_search_documents(struct mq_db *db, int64_t *n);

#endif
