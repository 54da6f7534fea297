/* query.c - parsing what was typed into search terms (query.h). */
#include "search/query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "search/fold.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A clause of the query that adds to what must match. */
struct clause {
    const char *compact;
    int first, nwords; /* its words in out->words (plain clauses) */
    bool phrase, lone_number;
};

static bool year_word(const char *w, int *year)
{
    if (strlen(w) != 4) return false;
    for (int i = 0; i < 4; i++)
        if (w[i] < '0' || w[i] > '9') return false;
    int y = (int)strtol(w, NULL, 10);
    if (y < 1870 || y > 2100) return false;
    *year = y;
    return true;
}

mq_err mq_search_parse(struct mq_arena *a, const char *q, size_t n, struct mq_search_terms *out,
                       const char **display, const char **code)
{
    struct clause cl[MQ_SEARCH_WORDS_MAX * 2];
    int ncl = 0;
    memset(out, 0, sizeof(*out));
    *display = "";
    if (!mq_utf8_valid(q, n)) {
        *code = "invalid_utf8";
        return MQ_EINVAL;
    }
    if (mq_utf8_chars(q, n) > MQ_QUERY_MAX_CHARS) {
        *code = "query_too_long";
        return MQ_EINVAL;
    }
    bool open_end = false; /* the last clause runs to the end of the text */
    for (size_t i = 0; i < n;) {
        if (blank(q[i])) {
            i++;
            continue;
        }
        bool neg = false, quoted = false;
        if (q[i] == '-' && i + 1 < n && !blank(q[i + 1])) neg = true, i++;
        size_t start = i, len;
        if (q[i] == '"') {
            /* An unbalanced quote runs to the end. */
            const char *close = memchr(q + i + 1, '"', n - i - 1);
            start = i + 1;
            len = close ? (size_t)(close - (q + start)) : n - start;
            i = close ? (size_t)(close - q) + 1 : n;
            quoted = true;
            open_end = false;
        } else {
            while (i < n && !blank(q[i]) && q[i] != '"') i++;
            len = i - start;
            open_end = i == n;
        }
        struct mq_folded f;
        mq_err err = mq_search_fold(a, q + start, len, 0, &f);
        if (err) return err;
        if (!f.words) continue;
        if (neg) {
            if (out->nexcluded < MQ_SEARCH_WORDS_MAX) out->excluded[out->nexcluded++] = f.tokens;
            continue;
        }
        if (ncl == (int)(sizeof(cl) / sizeof(cl[0]))) continue;
        struct clause *c = &cl[ncl];
        *c = (struct clause){.compact = f.compact, .first = out->nwords};
        if (quoted && f.words > 1) {
            if (out->nphrases == MQ_SEARCH_WORDS_MAX) continue;
            out->phrases[out->nphrases++] = f.tokens;
            c->phrase = true;
            ncl++;
            continue;
        }
        /* A plain clause gives its words: "spider-man" gives two. */
        char *toks = mq_arena_strdup(a, f.tokens);
        if (!toks) return MQ_ENOMEM;
        for (char *s = toks; *s && out->nwords < MQ_SEARCH_WORDS_MAX;) {
            char *sp = strchr(s, ' ');
            if (sp) *sp = 0;
            out->words[out->nwords++] = s;
            c->nwords++;
            if (!sp) break;
            s = sp + 1;
        }
        int y;
        c->lone_number = c->nwords == 1 && !quoted && year_word(out->words[c->first], &y);
        ncl++;
    }
    if (!out->nwords && !out->nphrases) {
        *code = "query_empty";
        return MQ_EINVAL;
    }
    out->prefix = ncl && !cl[ncl - 1].phrase && open_end;
    struct mq_buf full;
    mq_buf_init(&full, 8192);
    mq_err ferr = MQ_OK;
    for (int k = 0; !ferr && k < ncl; k++) ferr = mq_buf_adds(&full, cl[k].compact);
    out->compact_full = ferr ? NULL : mq_arena_strndup(a, full.data ? full.data : "", full.len);
    mq_buf_cleanup(&full);
    if (!out->compact_full) return MQ_ENOMEM;
    /* A year at either end, when words remain without it. */
    if (ncl >= 2) {
        int at = cl[ncl - 1].lone_number ? ncl - 1 : cl[0].lone_number ? 0 : -1;
        if (at >= 0) {
            (void)year_word(out->words[cl[at].first], &out->year);
            int w = cl[at].first;
            memmove(&out->words[w], &out->words[w + 1],
                    (size_t)(out->nwords - w - 1) * sizeof(out->words[0]));
            out->nwords--;
            for (int k = at + 1; k < ncl; k++) cl[k].first--;
            if (at == ncl - 1) out->prefix = false;
            memmove(&cl[at], &cl[at + 1], (size_t)(ncl - at - 1) * sizeof(cl[0]));
            ncl--;
        }
    }
    if (out->prefix && !out->nwords) out->prefix = false;
    struct mq_buf b, d;
    mq_buf_init(&b, 8192);
    mq_buf_init(&d, 8192);
    mq_err err = MQ_OK;
    for (int k = 0; !err && k < ncl; k++) err = mq_buf_adds(&b, cl[k].compact);
    for (int k = 0; !err && k < out->nwords; k++)
        err = mq_buf_printf(&d, "%s%s", d.len ? " " : "", out->words[k]);
    for (int k = 0; !err && k < out->nphrases; k++)
        err = mq_buf_printf(&d, "%s\"%s\"", d.len ? " " : "", out->phrases[k]);
    if (!err && out->year) err = mq_buf_printf(&d, " %d", out->year);
    for (int k = 0; !err && k < out->nexcluded; k++)
        err = mq_buf_printf(&d, " -%s%s%s", strchr(out->excluded[k], ' ') ? "\"" : "",
                            out->excluded[k], strchr(out->excluded[k], ' ') ? "\"" : "");
    if (!err) {
        out->compact = mq_arena_strndup(a, b.data ? b.data : "", b.len);
        *display = mq_arena_strndup(a, d.data ? d.data : "", d.len);
        if (!out->compact || !*display) err = MQ_ENOMEM;
    }
    mq_buf_cleanup(&b);
    mq_buf_cleanup(&d);
    return err;
}
