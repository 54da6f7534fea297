/* query.h - what a typed query asks for.
 *
 *   dune 2021          the words, and a year that ranks its works first
 *   1959 sleeping beauty
 *   "the thing" -2011  a phrase in that order; a word or phrase left out
 *   stranger th        the last word may be the start of one
 *
 * Everything else is text: FTS5 and tsquery operators (OR, NOT, NEAR(,
 * *, ^, :, column filters), SQL wildcards, backslashes and unbalanced
 * quotes or parentheses are folded away like any punctuation, so nothing
 * typed can change what the index is asked. A year is taken from the
 * first or last word only when other words remain ("1917" is a title).
 * Stop words are kept: "Her", "It" and "The The" are titles. */
#ifndef MQ_SEARCH_QUERY_H
#define MQ_SEARCH_QUERY_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/search.h"

#define MQ_QUERY_MAX_CHARS 256

/* Parses q (n bytes). MQ_EINVAL with *code: query_empty (nothing to look
 * for, exclusions alone included), query_too_long, invalid_utf8.
 * out->compact and the display form (words and phrases as folded,
 * separated by spaces) are in the arena. */
MQ_MUST_CHECK mq_err mq_search_parse(struct mq_arena *a, const char *q, size_t n,
                                     struct mq_search_terms *out, const char **display,
                                     const char **code);

#endif
