/* query_fuzz - search queries as typed (search/query.h), and the match
 * expressions both backends are given for them (store/search.h): any
 * bytes parse or are refused with a code; what parses holds only folded
 * tokens (no quote, backslash, operator or space inside a word), and every
 * expression has its quotes and parentheses balanced, so nothing typed can
 * reach FTS5 or tsquery syntax. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "search/query.h"

static void token_ok(const char *t, bool spaces)
{
    if (!*t) abort();
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p >= 0x80) continue;
        if (*p == ' ' && spaces && p[1] && p[1] != ' ' && p != (const unsigned char *)t) continue;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) abort();
    }
}

static void balanced(const char *e, char quote)
{
    int depth = 0;
    bool in = false;
    for (const char *p = e; *p; p++) {
        if (*p == quote) {
            /* FTS5 doubles a quote inside a string; tsquery escapes with \. */
            if (in && quote == '"' && p[1] == '"') {
                p++;
                continue;
            }
            in = !in;
        } else if (!in && *p == '(') {
            depth++;
        } else if (!in && *p == ')') {
            if (--depth < 0) abort();
        }
    }
    if (in || depth) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    struct mq_arena *a = mq_arena_new(0);
    if (!a) return 0;
    struct mq_search_terms t;
    const char *display = NULL, *code = NULL;
    mq_err err = mq_search_parse(a, (const char *)data, size, &t, &display, &code);
    if (err == MQ_EINVAL) {
        if (!code || (strcmp(code, "query_empty") && strcmp(code, "query_too_long") &&
                      strcmp(code, "invalid_utf8")))
            abort();
    } else if (err == MQ_OK) {
        if (t.nwords > MQ_SEARCH_WORDS_MAX || t.nphrases > MQ_SEARCH_WORDS_MAX ||
            t.nexcluded > MQ_SEARCH_WORDS_MAX || (!t.nwords && !t.nphrases))
            abort();
        for (int i = 0; i < t.nwords; i++) token_ok(t.words[i], false);
        for (int i = 0; i < t.nphrases; i++) token_ok(t.phrases[i], true);
        for (int i = 0; i < t.nexcluded; i++) token_ok(t.excluded[i], true);
        if (strchr(t.compact, ' ') || !t.compact_full) abort();
        if (t.year && (t.year < 1870 || t.year > 2100)) abort();
        for (int pg = 0; pg < 2; pg++)
            for (int k = 0; k < 3; k++) {
                const char *e = NULL;
                if (mq_store_search_expr(a, &t, pg, k > 0, k == 2, &e) == MQ_OK)
                    balanced(e, pg ? '\'' : '"');
            }
    } else if (err != MQ_ENOMEM && err != MQ_EUNAVAILABLE) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
