/* score.h - how sure a search result is the work a file names: titles
 * compared after folding case, accents and punctuation, the year, how the
 * candidates compare with each other, and the runtime against the probed
 * duration. Pure functions, unit-tested against real names
 * (tests/unit/metadata/score_test.c). */
#ifndef MQ_METADATA_SCORE_H
#define MQ_METADATA_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "metadata/provider.h"

#define MQ_TITLE_KEY_MAX 512

/* The comparable form of a title: lower case, accents off, "&" as "and",
 * apostrophes dropped ("Ocean's" = "oceans"), other punctuation as one
 * space ("Spider-Man" = "spider man"). */
void mq_title_key(const char *title, char out[MQ_TITLE_KEY_MAX]);

/* Shorter forms of a title to search for when it finds nothing sure:
 * without parenthesised parts, without a release group glued before it
 * ("blow-how to be single"), without leading numbers (a date before
 * the title), then without its last word, one at a time. At most max,
 * each distinct; how many. */
#define MQ_VARIANT_MAX 256
size_t mq_title_variants(const char *title, char (*out)[MQ_VARIANT_MAX], size_t max);

/* 0-1000: 1000 for the same key, then by shared words and letter pairs,
 * with a leading article ignored. */
int mq_title_similarity(const char *a, const char *b);

/* Scores every candidate for the query (fills their `score`, 0-1000) and
 * sorts them best first. */
void mq_score_candidates(const struct mq_md_query *q, struct mq_candidate *c, size_t n);

/* How sure the best of scored candidates is: its score, less when the
 * next one is nearly as good. */
int mq_score_confidence(const struct mq_candidate *c, size_t n);

/* The score after the details: a runtime far from the file's duration
 * (both in minutes, 0 = unknown) costs confidence. */
int mq_score_runtime(int score, int64_t runtime_min, int64_t duration_min);

#endif
