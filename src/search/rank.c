/* rank.c - ordering a query's matches and counting their facets (rank.h). */
#include "search/rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

/* ---- facets ------------------------------------------------------------- */

struct tally {
    struct mq_facet_count *c;
    size_t n, cap;
    struct mq_arena *a;
    bool oom;
};

static void count(struct tally *t, const char *facet, const char *value)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->c[i].facet == facet && !strcmp(t->c[i].value, value)) {
            t->c[i].count++;
            return;
        }
    if (t->n == t->cap) {
        struct mq_facet_count *c = mq_arena_grow(t->a, t->c, t->n + 1, &t->cap, sizeof(*c));
        if (!c) {
            t->oom = true;
            return;
        }
        t->c = c;
    }
    const char *v = mq_arena_strdup(t->a, value);
    if (!v) {
        t->oom = true;
        return;
    }
    t->c[t->n++] = (struct mq_facet_count){facet, v, 1};
}

/* The type facet counts every match, so that the other types show what
 * picking them would give; the rest count what the kind filter keeps. */
static void count_row(struct tally *t, const struct mq_search_row *r)
{
    count(t, "type", r->kind);
    if (!r->kind_ok) return;
    char num[24];
    if (r->has_year) {
        snprintf(num, sizeof(num), "%lld", (long long)(r->year / 10 * 10));
        count(t, "decade", num);
    }
    if (r->resolution) count(t, "resolution", r->resolution);
    count(t, "has_file", r->has_file ? "1" : "0");
    if (r->library_id) count(t, "library", r->library_id);
    for (const char *s = r->genres; s && *s;) {
        const char *end = strchr(s, '\x1f');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char name[128];
        if (len && len < sizeof(name)) {
            memcpy(name, s, len);
            name[len] = 0;
            count(t, "genre", name);
        }
        s += len + (end ? 1 : 0);
    }
}

static bool tally_visit(void *ctx, const struct mq_search_row *r)
{
    struct tally *t = ctx;
    count_row(t, r);
    return !t->oom;
}

mq_err mq_rank_facets(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                      const struct mq_search_filter *f, struct mq_facet_count **facets,
                      size_t *nfacets)
{
    struct tally tl = {.a = a};
    mq_err err = mq_store_search_each(db, a, t, f, tally_visit, &tl);
    *facets = tl.c;
    *nfacets = tl.n;
    return err;
}

/* ---- title tiers ---------------------------------------------------------- */

/* How the title met the query, as " titles " (the title tokens between
 * spaces) is searched for these: the required words in the order typed,
 * then each of the first four. */
struct needles {
    const char *compact, *full; /* the query without spaces; with the year typed */
    const char *ordered;        /* " w1 w2 p1 " (no trailing space when the last is a prefix) */
    const char *word[4];        /* " w " or " w" for a prefix; "" = none */
};

static mq_err needles_of(struct mq_arena *a, const struct mq_search_terms *t, struct needles *nd)
{
    /* The words that must match, as the match expression has them. */
    struct mq_search_terms req;
    mq_store_search_required(t, &req);
    const char *const *w = req.words;
    int nw = req.nwords;
    bool prefix = req.prefix;
    struct mq_buf b;
    mq_buf_init(&b, 8192);
    mq_err err = MQ_OK;
    for (int i = 0; !err && i < nw; i++) err = mq_buf_printf(&b, " %s", w[i]);
    for (int i = 0; !err && i < t->nphrases; i++) err = mq_buf_printf(&b, " %s", t->phrases[i]);
    if (!err && !prefix) err = mq_buf_adds(&b, " ");
    memset(nd, 0, sizeof(*nd));
    if (!err) nd->ordered = mq_arena_strndup(a, b.data, b.len);
    mq_buf_cleanup(&b);
    if (err) return err;
    for (int i = 0; i < 4; i++) nd->word[i] = "";
    for (int i = 0; i < nw && i < 4; i++) {
        bool last = prefix && i == nw - 1;
        nd->word[i] = mq_arena_printf(a, " %s%s", w[i], last ? "" : " ");
        if (!nd->word[i]) return MQ_ENOMEM;
    }
    if (!nw && t->nphrases) nd->word[0] = nd->ordered;
    nd->compact = t->compact;
    nd->full = t->compact_full ? t->compact_full : t->compact;
    return nd->ordered ? MQ_OK : MQ_ENOMEM;
}

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* 6 the title is the query with its year, 5 the query, 4 starts with it
 * (each also for the other titles joined), 3 has the words in the order
 * typed, 2 has them all, 1 matched elsewhere (people, genres, overview). */
static int tier_of(const struct needles *nd, const struct mq_search_row *r, const char *hay)
{
    if (!strcmp(r->title_compact, nd->full) || !strcmp(r->alt_compact, nd->full)) return 6;
    if (!strcmp(r->title_compact, nd->compact) || !strcmp(r->alt_compact, nd->compact)) return 5;
    if (starts(r->title_compact, nd->compact) || starts(r->alt_compact, nd->compact)) return 4;
    if (strstr(hay, nd->ordered)) return 3;
    if (!*nd->word[0] || !strstr(hay, nd->word[0])) return 1;
    for (int i = 1; i < 4; i++)
        if (*nd->word[i] && !strstr(hay, nd->word[i])) return 1;
    return 2;
}

/* ---- ordering ------------------------------------------------------------- */

/* What ordering needs of a match, kept while every match is read. */
struct cand {
    int64_t doc;     /* the last tie-break: stable, as a document keeps its number */
    const char *key; /* released: the date or year; title: the sort title; else NULL */
    int64_t popularity, quality, rating, added, score;
    int tier, tlen;
    bool year, has_file;
};

struct collect {
    struct mq_arena *a;
    const struct needles *nd;
    enum mq_search_sort sort;
    int year; /* typed, 0 = none */
    struct tally facets;
    struct mq_buf hay;
    struct cand *c;
    size_t n, cap;
    size_t titled; /* matches with a tier above 1 */
    bool oom;
};

static bool collect_visit(void *ctx, const struct mq_search_row *r)
{
    struct collect *cl = ctx;
    count_row(&cl->facets, r);
    if (cl->facets.oom) return false;
    if (!r->kind_ok) return true;
    mq_buf_reset(&cl->hay);
    if (mq_buf_adds(&cl->hay, " ") || mq_buf_adds(&cl->hay, r->titles) ||
        mq_buf_adds(&cl->hay, " "))
        return !(cl->oom = true);
    if (cl->n == cl->cap) {
        struct cand *c = mq_arena_grow(cl->a, cl->c, cl->n + 1, &cl->cap, sizeof(*c));
        if (!c) return !(cl->oom = true);
        cl->c = c;
    }
    struct cand *c = &cl->c[cl->n];
    memset(c, 0, sizeof(*c));
    c->doc = r->doc;
    if (cl->sort == MQ_SEARCH_TITLE) {
        c->key = mq_arena_strdup(cl->a, r->sort_title);
    } else if (cl->sort == MQ_SEARCH_RELEASED) {
        c->key = r->release_date ? mq_arena_strdup(cl->a, r->release_date)
                 : r->has_year   ? mq_arena_printf(cl->a, "%lld", (long long)r->year)
                                 : "";
    }
    bool keyed = cl->sort == MQ_SEARCH_TITLE || cl->sort == MQ_SEARCH_RELEASED;
    if (keyed && !c->key) return !(cl->oom = true);
    c->popularity = r->popularity;
    c->quality = r->quality;
    c->rating = r->rating;
    c->added = r->added_at;
    c->has_file = r->has_file;
    c->year = cl->year && r->has_year && r->year == cl->year;
    c->tier = tier_of(cl->nd, r, cl->hay.data);
    c->tlen = (int)mq_utf8_chars(r->title_compact, strlen(r->title_compact));
    if (c->tier > 1) cl->titled++;
    cl->n++;
    return true;
}

#define DESC(f)                                                                                    \
    if (a->f != b->f) return a->f > b->f ? -1 : 1
#define ASC(f)                                                                                     \
    if (a->f != b->f) return a->f < b->f ? -1 : 1

/* Relevance: the tier, the year typed; among title matches popularity
 * and then the shorter title (what was typed is more of it); elsewhere
 * BM25; then popularity, quality, a file, and the document, so that ties
 * always break the same way and pages never overlap. */
static int by_relevance(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    DESC(tier);
    DESC(year);
    if (a->tier >= 2) {
        DESC(popularity);
        ASC(tlen);
    }
    ASC(score);
    DESC(popularity);
    DESC(quality);
    DESC(has_file);
    ASC(doc);
    return 0;
}

/* The other orders break ties by the tier, the year typed, the document. */
static int ties(const struct cand *a, const struct cand *b)
{
    DESC(tier);
    DESC(year);
    ASC(doc);
    return 0;
}

static int by_popularity(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    DESC(popularity);
    return ties(a, b);
}

static int by_rating(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    DESC(rating);
    return ties(a, b);
}

static int by_released(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    int c = strcmp(b->key, a->key);
    return c ? c : ties(a, b);
}

static int by_added(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    DESC(added);
    return ties(a, b);
}

static int by_title(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : ties(a, b);
}

static int by_doc(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    ASC(doc);
    return 0;
}

/* In the order of enum mq_search_sort. */
static int (*const ORDERS[])(const void *, const void *) = {
    by_relevance, by_popularity, by_rating, by_released, by_added, by_title,
};

static void score_visit(void *ctx, int64_t doc, int64_t score)
{
    struct collect *cl = ctx;
    struct cand key = {.doc = doc};
    struct cand *c = bsearch(&key, cl->c, cl->n, sizeof(*cl->c), by_doc);
    /* Title matches are ordered without it, whether or not it was read,
     * so that every page agrees on their order. */
    if (c && c->tier == 1) c->score = score;
}

mq_err mq_rank_search(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                      const struct mq_search_filter *f, enum mq_search_sort sort, int offset,
                      int limit, struct mq_search_hit **hits, size_t *n,
                      struct mq_facet_count **facets, size_t *nfacets)
{
    struct needles nd;
    *hits = NULL;
    *n = 0;
    *facets = NULL;
    *nfacets = 0;
    if ((unsigned)sort >= sizeof(ORDERS) / sizeof(*ORDERS)) return MQ_EINVAL;
    mq_err err = needles_of(a, t, &nd);
    if (err) return err;
    struct collect cl = {.a = a, .nd = &nd, .sort = sort, .year = t->year, .facets = {.a = a}};
    mq_buf_init(&cl.hay, 1 << 20);
    err = mq_store_search_each(db, a, t, f, collect_visit, &cl);
    mq_buf_cleanup(&cl.hay);
    if (!err && cl.oom) err = MQ_ENOMEM;
    if (err) return err;
    *facets = cl.facets.c;
    *nfacets = cl.facets.n;
    /* BM25 orders only what matched outside the titles, which comes after
     * every title match: read only when the page reaches it. */
    size_t end = (size_t)offset + (size_t)limit;
    if (sort == MQ_SEARCH_RELEVANCE && cl.titled < end && cl.titled < cl.n) {
        qsort(cl.c, cl.n, sizeof(*cl.c), by_doc);
        err = mq_store_search_scores(db, a, t, score_visit, &cl);
        if (err) return err;
    }
    if (cl.n) qsort(cl.c, cl.n, sizeof(*cl.c), ORDERS[sort]);
    if ((size_t)offset >= cl.n) return MQ_OK;
    size_t k = cl.n - (size_t)offset < (size_t)limit ? cl.n - (size_t)offset : (size_t)limit;
    int64_t *docs = mq_arena_calloc(a, k, sizeof(*docs));
    struct mq_search_hit *page = mq_arena_calloc(a, k, sizeof(*page));
    if (!docs || !page) return MQ_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        docs[i] = cl.c[offset + i].doc;
        page[i].tier = cl.c[offset + i].tier;
    }
    err = mq_store_search_page(db, a, docs, k, page);
    if (err) return err;
    /* A document removed between the two reads is left out. */
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (page[i].doc_id) page[m++] = page[i];
    *hits = page;
    *n = m;
    return MQ_OK;
}
