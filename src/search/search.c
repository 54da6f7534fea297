/* search.c - answering searches and keystrokes (search.h). */
#include "search/search.h"

#include <stdatomic.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/utf8.h"
#include "search/conf.h"
#include "search/freq.h"
#include "search/query.h"
#include "search/rank.h"

static void fill_visibility(struct mq_search_filter *f, const struct mq_visible *vis)
{
    f->visible_json = vis->json;
    f->max_level = vis->limits.max_level;
    f->block_unrated = vis->limits.block_unrated;
    f->unrestricted = vis->every && !vis->limits.max_level && !vis->limits.block_unrated;
}

static mq_err parse(struct mq_arena *a, const char *q, size_t n, struct mq_search_terms *t,
                    const char **display, struct mq_refusal *why)
{
    const char *code = NULL;
    mq_err err = mq_search_parse(a, q, n, t, display, &code);
    if (err != MQ_EINVAL) return err;
    const char *detail = !strcmp(code, "query_too_long") ? "a query is at most 256 characters"
                         : !strcmp(code, "invalid_utf8") ? "the query is not valid UTF-8"
                                                         : "the query has nothing to look for";
    return mq_refuse(why, MQ_EINVAL, code, "q", "%s", detail);
}

/* ---- did you mean ------------------------------------------------------ */

#define WORD_CHARS 64

static int decode(const char *s, unsigned *cp)
{
    int n = 0;
    while (*s && n < WORD_CHARS) {
        unsigned char c = (unsigned char)*s;
        int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned v = len == 1 ? c : c & (0xFF >> (len + 1));
        for (int k = 1; k < len && s[k]; k++) v = (v << 6) | ((unsigned char)s[k] & 0x3F);
        cp[n++] = v;
        for (int k = 0; k < len && *s; k++) s++;
    }
    return n;
}

/* Edits from a to b, a swap of neighbours counting one (optimal string
 * alignment): "matirx" is one from "matrix". */
static int distance(const unsigned *a, int n, const unsigned *b, int m)
{
    int d[WORD_CHARS + 1][WORD_CHARS + 1];
    for (int i = 0; i <= n; i++) d[i][0] = i;
    for (int j = 0; j <= m; j++) d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* How many edits a word of n characters may need to count as a typo. */
static int allowed(int n)
{
    return n < 4 ? 0 : n <= 5 ? 1 : n <= 9 ? 2 : 3;
}

/* The nearest word the index knows, or NULL. A word being typed (the
 * last, as a prefix) is compared with as much of each candidate. */
static mq_err nearest(struct mq_db *db, struct mq_arena *a, const char *word, bool prefix,
                      const char **out)
{
    unsigned w[WORD_CHARS], c[WORD_CHARS];
    int n = decode(word, w), best = 1 << 20;
    const char **near = NULL;
    size_t nn = 0;
    *out = NULL;
    if (allowed(n) == 0) return MQ_OK;
    mq_err err = mq_store_search_terms_near(db, a, word, 64, &near, &nn);
    for (size_t i = 0; !err && i < nn; i++) {
        int m = decode(near[i], c);
        if (prefix && m > n + 1) m = n + 1 < WORD_CHARS ? n + 1 : m;
        int dist = distance(w, n, c, m);
        if (prefix && m > n) {
            int shorter = distance(w, n, c, n);
            if (shorter < dist) dist = shorter;
        }
        /* Candidates come likeliest first: the first at a distance wins. */
        if (dist <= allowed(n) && dist < best) {
            best = dist;
            *out = near[i];
        }
    }
    return err;
}

/* Each word the index does not know, replaced by its nearest; *changed
 * tells whether any was. */
static mq_err correct(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                      struct mq_search_terms *out, bool *changed)
{
    *out = *t;
    *changed = false;
    for (int i = 0; i < t->nwords; i++) {
        bool prefix = t->prefix && i == t->nwords - 1, known = false;
        mq_err err = mq_store_search_term_known(db, t->words[i], prefix, &known);
        const char *better = NULL;
        if (!err && !known) err = nearest(db, a, t->words[i], prefix, &better);
        if (err) return err;
        if (better) {
            out->words[i] = better;
            *changed = true;
        }
    }
    if (!*changed) return MQ_OK;
    /* A corrected word is whole: no longer a prefix. */
    out->prefix = false;
    struct mq_buf b;
    mq_buf_init(&b, 8192);
    mq_err err = MQ_OK;
    for (int i = 0; !err && i < out->nwords; i++) err = mq_buf_adds(&b, out->words[i]);
    for (int i = 0; !err && i < out->nphrases; i++)
        for (const char *p = out->phrases[i]; !err && *p; p++)
            if (*p != ' ') err = mq_buf_add(&b, p, 1);
    if (!err) out->compact = mq_arena_strndup(a, b.data ? b.data : "", b.len);
    out->compact_full = out->compact;
    mq_buf_cleanup(&b);
    if (!err && !out->compact) err = MQ_ENOMEM;
    return err;
}

static const char *suggestion_text(struct mq_arena *a, const struct mq_search_terms *t)
{
    struct mq_buf b;
    mq_buf_init(&b, 8192);
    mq_err err = MQ_OK;
    for (int i = 0; !err && i < t->nwords; i++)
        err = mq_buf_printf(&b, "%s%s", i ? " " : "", t->words[i]);
    for (int i = 0; !err && i < t->nphrases; i++)
        err = mq_buf_printf(&b, "%s\"%s\"", b.len ? " " : "", t->phrases[i]);
    if (!err && t->year) err = mq_buf_printf(&b, " %d", t->year);
    const char *s = err ? NULL : mq_arena_strndup(a, b.data ? b.data : "", b.len);
    mq_buf_cleanup(&b);
    return s;
}

/* ---- common words ------------------------------------------------------ */

#define PREFIX_CHARS 3 /* a last word shorter than this is whole (search) */

/* Words so common that requiring them narrows nothing ("the", "of") stop
 * being required when rarer ones come with them: BM25 gives them little
 * weight anyway, and the title tiers still rank by every word. In a small
 * catalogue every word is common and nothing is slow, so it stays exact
 * (search_common_min_documents, search_common_share). */
static size_t chars_of(const char *s)
{
    return mq_utf8_chars(s, strlen(s));
}

static bool is_common(const struct mq_search_conf *c, int64_t docs, int64_t total)
{
    return total > 0 && total >= c->common_min_documents && docs * c->common_share > total;
}

/* The store's count, or the one it gave a moment ago (search/freq.h). */
static mq_err frequency(struct mq_ctx *ctx, struct mq_db *db, const char *word, bool prefix,
                        int64_t *docs, int64_t *total)
{
    struct mq_search *s = atomic_load(&ctx->search);
    struct mq_freq_cache *c = s ? mq_search_freq(s) : NULL;
    uint64_t gen = 0, now = mq_monotonic_ns();
    if (c && mq_freq_get(c, word, prefix, now, docs, total, &gen)) return MQ_OK;
    mq_err err = mq_store_search_frequency(db, word, prefix, docs, total);
    if (!err && c) mq_freq_put(c, word, prefix, now, *docs, *total, gen);
    return err;
}

static mq_err mark_common(struct mq_ctx *ctx, struct mq_db *db, struct mq_search_terms *t)
{
    const struct mq_search_conf *c = mq_search_conf(ctx->cfg);
    int common = 0;
    for (int i = 0; i < t->nwords; i++) {
        int64_t docs = 0, total = 0;
        mq_err err = frequency(ctx, db, t->words[i], false, &docs, &total);
        if (err) return err;
        t->optional[i] = is_common(c, docs, total);
        if (t->optional[i]) common++;
    }
    if (common == t->nwords) {
        memset(t->optional, 0, sizeof(t->optional));
        /* Nothing rarer was typed: the titles that are, or start with, it. */
        t->common = common > 0 && !t->nphrases && !t->nexcluded;
    }
    /* The last word as a prefix: whole if its continuations are common
     * ("act" would read "action", a genre of one work in six). */
    if (t->prefix && t->nwords && !t->common) {
        int64_t docs = 0, total = 0;
        mq_err err = frequency(ctx, db, t->words[t->nwords - 1], true, &docs, &total);
        if (err) return err;
        if (is_common(c, docs, total)) t->prefix = false;
    }
    return MQ_OK;
}

/* ---- searching -------------------------------------------------------- */

static bool kind_counts(const struct mq_search_filter *f, const char *kind)
{
    if (f->kind) return !strcmp(f->kind, kind);
    return !strcmp(kind, "movie") || !strcmp(kind, "series") || !strcmp(kind, "book") ||
           !strcmp(kind, "audiobook");
}

static mq_err stage(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                    const struct mq_search_request *r, const struct mq_search_filter *f,
                    struct mq_search_response *out)
{
    size_t n = 0;
    mq_err err = mq_rank_search(db, a, t, f, r->sort, r->offset, r->limit + 1, &out->hits, &n,
                                &out->facets, &out->nfacets);
    if (err) return err;
    out->more = n > (size_t)r->limit && r->offset + r->limit < MQ_SEARCH_OFFSET_MAX;
    out->n = n > (size_t)r->limit ? (size_t)r->limit : n;
    out->total = 0;
    for (size_t i = 0; i < out->nfacets; i++)
        if (!strcmp(out->facets[i].facet, "type") && kind_counts(f, out->facets[i].value))
            out->total += out->facets[i].count;
    return MQ_OK;
}

mq_err mq_search_run(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                     const struct mq_search_request *r, struct mq_search_response *out,
                     struct mq_refusal *why)
{
    uint64_t t0 = mq_monotonic_ns();
    struct mq_search_terms t;
    const char *display = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = parse(a, r->q, r->qlen, &t, &display, why);
    if (err) return err;
    struct mq_search_filter f = r->filter;
    fill_visibility(&f, vis);
    /* A word of one or two letters alone, as a prefix, matches half the
     * index; after other words ("stranger th") it is what was being typed. */
    if (t.prefix && t.nwords == 1 && chars_of(t.words[0]) < PREFIX_CHARS) t.prefix = false;
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mark_common(ctx, db, &t);
    if (r->sort != MQ_SEARCH_RELEVANCE) t.common = false;
    if (!err) err = stage(db, a, &t, r, &f, out);
    if (!err && out->total == 0 && r->offset == 0) {
        struct mq_search_terms fixed;
        bool changed = false;
        err = correct(db, a, &t, &fixed, &changed);
        if (!err && changed) {
            struct mq_search_response again;
            memset(&again, 0, sizeof(again));
            err = stage(db, a, &fixed, r, &f, &again);
            if (!err && again.total > 0) {
                *out = again;
                out->suggestion = suggestion_text(a, &fixed);
                if (!out->suggestion) err = MQ_ENOMEM;
            }
        }
    }
    mq_store_rollback(db);
    struct mq_search *s = atomic_load(&ctx->search);
    /* A query is noted once: not for its later pages, nor for the people
     * row the results page asks beside the works. */
    bool people = r->filter.kind && !strcmp(r->filter.kind, "person");
    if (!err && s && r->offset == 0 && !people)
        mq_search_note(s, display, out->total == 0, (int64_t)((mq_monotonic_ns() - t0) / 1000));
    return err;
}

mq_err mq_search_complete(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                          const char *q, size_t qlen, int limit, struct mq_search_hit **out,
                          size_t *n, struct mq_refusal *why)
{
    struct mq_search_terms t;
    const char *display = NULL;
    *out = NULL;
    *n = 0;
    mq_err err = parse(a, q, qlen, &t, &display, why);
    if (err == MQ_EINVAL && !strcmp(why->code, "query_empty")) return MQ_OK;
    if (err) return err;
    if (limit <= 0 || limit > MQ_COMPLETE_MAX) limit = MQ_COMPLETE_MAX;
    /* Nothing but a phrase: complete its words. */
    if (!t.nwords) {
        for (int i = 0; i < t.nphrases; i++) {
            char *p = mq_arena_strdup(a, t.phrases[i]);
            if (!p) return MQ_ENOMEM;
            for (char *s = p; s && *s && t.nwords < MQ_SEARCH_WORDS_MAX;) {
                char *sp = strchr(s, ' ');
                if (sp) *sp++ = 0;
                t.words[t.nwords++] = s;
                s = sp;
            }
        }
        t.nphrases = 0;
    }
    struct mq_search_filter f = {.has_file = -1, .hdr = -1};
    fill_visibility(&f, vis);
    struct mq_db *db = NULL;
    err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    /* Titles that start with what is typed first, from their own index;
     * then words anywhere in a title, once there are three letters. */
    struct mq_search_hit *start = NULL, *more = NULL;
    size_t ns = 0, nm = 0;
    err = mq_store_search_starting(db, a, &t, &f, limit, &start, &ns);
    if (!err && (int)ns < limit && chars_of(t.compact) >= PREFIX_CHARS) {
        /* A last word of one letter is what path A was for; as a prefix
         * in the full-text index it would read half of it. One of two
         * letters is looked for as a prefix beside a rarer word: FTS5
         * keeps two-letter prefixes as postings of their own, so it
         * narrows "man american ba" for little, where matching "american"
         * alone would rank thousands of titles. */
        struct mq_search_terms words = t;
        const char *two = NULL;
        if (words.prefix && words.nwords > 1 &&
            chars_of(words.words[words.nwords - 1]) < PREFIX_CHARS) {
            if (chars_of(words.words[words.nwords - 1]) == PREFIX_CHARS - 1)
                two = words.words[words.nwords - 1];
            words.nwords--;
            words.prefix = false;
        }
        err = mark_common(ctx, db, &words);
        if (!err && two && !words.common) {
            words.optional[words.nwords] = false;
            words.words[words.nwords++] = two;
            words.prefix = true;
        }
        /* Common words alone are what path A answered. */
        if (!err && words.nwords && !words.common)
            err = mq_store_search_complete(db, a, &words, &f, limit, &more, &nm);
    }
    if (!err) {
        struct mq_search_hit *all = mq_arena_calloc(a, (size_t)limit, sizeof(*all));
        size_t k = 0;
        if (!all) err = MQ_ENOMEM;
        for (size_t i = 0; !err && i < ns && k < (size_t)limit; i++) all[k++] = start[i];
        for (size_t i = 0; !err && i < nm && k < (size_t)limit; i++) {
            bool dup = false;
            for (size_t j = 0; j < ns && !dup; j++) dup = !strcmp(start[j].doc_id, more[i].doc_id);
            if (!dup) all[k++] = more[i];
        }
        *out = all;
        *n = k;
    }
    if (!err && *n == 0) {
        struct mq_search_terms fixed;
        bool changed = false;
        err = correct(db, a, &t, &fixed, &changed);
        if (!err && changed) err = mq_store_search_complete(db, a, &fixed, &f, limit, out, n);
    }
    mq_store_rollback(db);
    return err;
}

mq_err mq_search_facets(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                        struct mq_facet_count **out, size_t *n)
{
    struct mq_search_filter f = {.has_file = -1, .hdr = -1};
    fill_visibility(&f, vis);
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_rank_facets(db, a, NULL, &f, out, n);
    mq_store_rollback(db);
    return err;
}
