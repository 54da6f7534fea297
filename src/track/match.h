/* match.h - finding the work an imported row is about, in the catalogue
 * the member may see, with a confidence (0-1000) and the method that
 * found it.
 *
 * In order: external ids (IMDb, TMDb, TVDB, ISBN); an alias a member's
 * resolution taught; the title folded as search folds it (case, accents,
 * punctuation, "&"/and, roman numerals), with and without a leading
 * article, against the titles and original titles of the search index;
 * then, with the fuzzy strategy, the search itself (typos, word order)
 * scored by title similarity. Netflix's packed titles are tried whole as a
 * film first, then split by the longest show prefix the catalogue knows
 * (track/netflix.h). Between works of one title the year decides: the
 * row's own, else the viewing's date - the work released closest before
 * it, never one released after ("Dune" watched in 2022 is the 2021 film).
 * Episodes are found in the matched series by season and number, else by
 * title. Results are remembered per title for the whole import, so a
 * history of 10,000 rows asks the database once per distinct title. */
#ifndef MQ_TRACK_MATCH_H
#define MQ_TRACK_MATCH_H

#include "core/ctx.h"
#include "media/libraries.h"
#include "track/formats.h"

#define MQ_MATCH_CANDIDATES 5

struct mq_match_candidate {
    const char *item_id, *title, *kind;
    int year;
    int confidence;
};

struct mq_match {
    const char *work_id; /* the film, series or book; NULL when none is sure */
    const char *item_id; /* what the play is of: the episode, else the work */
    const char *kind;    /* item_id's */
    const char *title;   /* the work's */
    int confidence;      /* 0-1000 */
    const char *method;  /* imdb, tmdb, tvdb, isbn, alias, exact, normalised, fuzzy */
    const char *reason;  /* when nothing is sure: no_candidates, below_threshold,
                            ambiguous, released_after_viewing, episode_not_found */
    struct mq_match_candidate cand[MQ_MATCH_CANDIDATES];
    size_t ncand;
    int64_t length_ms; /* the item's, 0 = unknown */
};

struct mq_matcher;

/* For one member's import: `vis` is what they may see; it and every
 * string the matcher gives live in `a`, which must outlive it. */
MQ_MUST_CHECK mq_err mq_matcher_new(struct mq_ctx *ctx, struct mq_arena *a,
                                    const struct mq_visible *vis, const char *user_id,
                                    struct mq_matcher **out);
void mq_matcher_free(struct mq_matcher *m);

/* Matches one entry. */
MQ_MUST_CHECK mq_err mq_match_entry(struct mq_matcher *m, const struct mq_import_entry *e,
                                    struct mq_match *out);

/* The key an alias is kept under for a title as a source writes it
 * ("movie:thematrix"); kind NULL for Netflix's whole titles. NULL when
 * the title folds to nothing. */
const char *mq_match_alias_key(struct mq_arena *a, const char *kind, const char *title);

#endif
