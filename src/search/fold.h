/* fold.h - the one normalisation of search text, for the index and the
 * query alike, on both backends.
 *
 * Text becomes a line of tokens separated by single spaces:
 *
 *   - Unicode NFKD, case folding (ß -> ss), combining marks removed, then
 *     NFC again (so Hangul syllables come back whole): "Léon" -> "leon",
 *     "Shōgun" -> "shogun", "ｆｕｌｌ" -> "full";
 *   - the Latin letters NFKD leaves whole spelled out: œ -> oe, æ -> ae,
 *     ø -> o, ł -> l, đ and ð -> d, þ -> th, ı -> i;
 *   - apostrophes of every kind vanish without breaking the word
 *     ("Old Man's War" -> "old mans war");
 *   - '&' is the word "and";
 *   - every other punctuation, dash, quote or symbol breaks tokens, and
 *     with MQ_FOLD_FORMS the words it joined are also given joined
 *     ("Spider-Man" -> "spider man" + "spiderman", "S.H.I.E.L.D." ->
 *     "s h i e l d" + "shield");
 *   - CJK text (Han, kana, Hangul) becomes overlapping pairs of characters
 *     ("千と千尋" -> "千と と千 千尋"), so any two typed characters meet;
 *   - digits are kept.
 *
 * MQ_FOLD_FORMS also adds, after the words themselves (so phrases still
 * meet them in order), each pair of neighbouring words joined ("spider
 * man" -> "spiderman", so a title written apart is found written as one)
 * and the other form of numbers 1-20 ("ii" <-> "2"). Titles are folded
 * with it; other fields and queries without. */
#ifndef MQ_SEARCH_FOLD_H
#define MQ_SEARCH_FOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_FOLD_FORMS 1u

/* Bytes of input folded; the rest is left out (an overview's end). */
#define MQ_FOLD_INPUT_MAX 8192
/* Bytes of a token; longer ones are cut at a character. */
#define MQ_FOLD_TOKEN_MAX 64

struct mq_folded {
    const char *tokens; /* "spider man spiderman", NUL-terminated, "" for none */
    size_t len;
    int words;           /* tokens before the added forms */
    const char *compact; /* the words without spaces, CJK runs whole: "spiderman" */
};

/* Folds n bytes of UTF-8 (invalid sequences break words) into the arena.
 * MQ_EUNAVAILABLE without ICU; MQ_ENOMEM. */
MQ_MUST_CHECK mq_err mq_search_fold(struct mq_arena *a, const char *s, size_t n, unsigned flags,
                                    struct mq_folded *out);

/* Whether a code point is one of the scripts folded into pairs. */
bool mq_search_cjk(unsigned cp);

#endif
