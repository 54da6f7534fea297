/* search.c - the search index's SQL (search.h). */
#include "store/search.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "store/catalog_sql.h"

static size_t utf8_char(const char *p);

/* The first n characters of s, for the keystroke indexes. */
static void first_chars(const char *s, int n, char *out, size_t cap)
{
    size_t len = 0;
    for (int k = 0; s[len] && k < n; k++) len += utf8_char(s + len);
    if (len >= cap) len = 0;
    memcpy(out, s, len);
    out[len] = 0;
}

/* ---- match expressions ------------------------------------------------ */

/* Folded tokens hold letters and digits only; quotes are still escaped, so
 * that a token could never end a string early even if folding changed. */
static mq_err fts_token(struct mq_buf *b, const char *tok, size_t len, bool prefix)
{
    mq_err err = mq_buf_adds(b, "\"");
    for (size_t i = 0; !err && i < len; i++)
        err = tok[i] == '"' ? mq_buf_adds(b, "\"\"") : mq_buf_add(b, tok + i, 1);
    if (!err) err = mq_buf_adds(b, prefix ? "\"*" : "\"");
    return err;
}

static mq_err pg_token(struct mq_buf *b, const char *tok, size_t len, bool prefix,
                       const char *weights)
{
    mq_err err = mq_buf_adds(b, "'");
    for (size_t i = 0; !err && i < len; i++) {
        if (tok[i] == '\'' || tok[i] == '\\') err = mq_buf_add(b, "\\", 1);
        if (!err) err = mq_buf_add(b, tok + i, 1);
    }
    if (!err) err = mq_buf_adds(b, "'");
    if (!err && (prefix || *weights)) err = mq_buf_printf(b, ":%s%s", prefix ? "*" : "", weights);
    return err;
}

enum scope { ALL, TITLES };

struct expr {
    struct mq_buf *b;
    bool pg;
    const char *weights; /* PostgreSQL: the weights a token must carry ("" = any) */
};

static mq_err token(struct expr *e, const char *tok, size_t len, bool prefix)
{
    return e->pg ? pg_token(e->b, tok, len, prefix, e->weights) : fts_token(e->b, tok, len, prefix);
}

/* The words, all of them; with `joined` >= 0 the pair at joined and
 * joined + 1 written as one word ("spider man" meets "Spiderman"). */
static mq_err words(struct expr *e, const struct mq_search_terms *t, int joined)
{
    mq_err err = MQ_OK;
    char pair[260];
    for (int i = 0; !err && i < t->nwords; i++) {
        bool last = i == t->nwords - 1 || (joined == t->nwords - 2 && i == joined);
        if (i) err = mq_buf_adds(e->b, e->pg ? " & " : " ");
        if (err) break;
        if (i == joined) {
            size_t a = strlen(t->words[i]), c = strlen(t->words[i + 1]);
            if (a + c >= sizeof(pair)) return MQ_EINVAL;
            memcpy(pair, t->words[i], a);
            memcpy(pair + a, t->words[i + 1], c);
            err = token(e, pair, a + c, last && t->prefix);
            i++;
        } else {
            err = token(e, t->words[i], strlen(t->words[i]), last && t->prefix);
        }
    }
    return err;
}

/* A folded phrase "a b c" as a phrase of tokens. */
static mq_err phrase(struct expr *e, const char *p, bool prefix)
{
    if (!e->pg) return fts_token(e->b, p, strlen(p), prefix);
    mq_err err = mq_buf_adds(e->b, "(");
    for (const char *s = p; !err && *s;) {
        const char *sp = strchr(s, ' ');
        size_t len = sp ? (size_t)(sp - s) : strlen(s);
        if (s != p) err = mq_buf_adds(e->b, " <-> ");
        if (!err) err = token(e, s, len, prefix && !sp);
        s += len + (sp ? 1 : 0);
    }
    if (!err) err = mq_buf_adds(e->b, ")");
    return err;
}

/* What must match: the words (or any pair of them joined) and the
 * phrases, none of the exclusions. */
static mq_err positive(struct expr *e, const struct mq_search_terms *t)
{
    mq_err err = MQ_OK;
    const char * or = e->pg ? " | " : " OR ";
    const char *and = e->pg ? " & " : " AND ";
    bool any = false;
    if (t->nwords) {
        err = mq_buf_adds(e->b, "((");
        if (!err) err = words(e, t, -1);
        if (!err) err = mq_buf_adds(e->b, ")");
        for (int j = 0; !err && j + 1 < t->nwords; j++) {
            err = mq_buf_printf(e->b, "%s(", or);
            if (!err) err = words(e, t, j);
            if (!err) err = mq_buf_adds(e->b, ")");
        }
        if (!err) err = mq_buf_adds(e->b, ")");
        any = true;
    }
    for (int i = 0; !err && i < t->nphrases; i++) {
        if (any) err = mq_buf_adds(e->b, and);
        if (!err) err = phrase(e, t->phrases[i], false);
        any = true;
    }
    return err;
}

/* What must match leaves out the words too common to narrow anything,
 * unless nothing else is left: reading their postings is most of the cost
 * of a query, and they decide nothing. */
void mq_store_search_required(const struct mq_search_terms *t, struct mq_search_terms *out)
{
    *out = *t;
    out->nwords = 0;
    for (int i = 0; i < t->nwords; i++)
        if (!t->optional[i]) out->words[out->nwords++] = t->words[i];
    if (!out->nwords) out->nwords = t->nwords, memcpy(out->words, t->words, sizeof(t->words));
    /* The prefix stays with the last word if that word is still required. */
    out->prefix =
        t->prefix && t->nwords > 0 && (out->nwords == t->nwords || !t->optional[t->nwords - 1]);
}

/* The whole expression for a scope. */
static mq_err build(struct mq_arena *a, const struct mq_search_terms *t, bool pg, enum scope scope,
                    bool in_order, const char **out);

mq_err mq_store_search_expr(struct mq_arena *a, const struct mq_search_terms *t, bool pg,
                            bool titles, bool in_order, const char **out)
{
    return build(a, t, pg, titles ? TITLES : ALL, in_order, out);
}

static mq_err build(struct mq_arena *a, const struct mq_search_terms *t, bool pg, enum scope scope,
                    bool in_order, const char **out)
{
    struct mq_buf b;
    mq_buf_init(&b, 16384);
    struct expr e = {&b, pg, pg && scope == TITLES ? "A" : ""};
    struct mq_search_terms required;
    mq_store_search_required(t, &required);
    t = &required;
    mq_err err = MQ_OK;
    if (!pg) err = mq_buf_adds(&b, scope == TITLES ? "titles : (" : "(");
    if (!err && in_order && t->nwords > 1) {
        /* The words as one phrase: in the order typed. */
        struct mq_buf p;
        mq_buf_init(&p, 4096);
        for (int i = 0; !err && i < t->nwords; i++)
            err = mq_buf_printf(&p, "%s%s", i ? " " : "", t->words[i]);
        if (!err) err = phrase(&e, p.data, t->prefix);
        for (int i = 0; !err && i < t->nphrases; i++) {
            err = mq_buf_adds(&b, pg ? " & " : " AND ");
            if (!err) err = phrase(&e, t->phrases[i], false);
        }
        mq_buf_cleanup(&p);
    } else if (!err) {
        err = positive(&e, t);
    }
    if (!err && !pg) err = mq_buf_adds(&b, ")");
    if (!err && t->nexcluded && scope == ALL) {
        /* Exclusions look at titles and genres or collections, not at
         * every overview that mentions the word. */
        err = mq_buf_adds(&b, pg ? " & !(" : " NOT {titles extra} : (");
        e.weights = "AC";
        for (int i = 0; !err && i < t->nexcluded; i++) {
            if (i) err = mq_buf_adds(&b, pg ? " | " : " OR ");
            if (!err) err = phrase(&e, t->excluded[i], false);
        }
        if (!err) err = mq_buf_adds(&b, ")");
    }
    if (!err) *out = mq_arena_strndup(a, b.data ? b.data : "", b.len);
    mq_buf_cleanup(&b);
    if (!err && !*out) err = MQ_ENOMEM;
    return err;
}

/* ---- queries ------------------------------------------------------------ */

/* Works of the top-level kinds unless one kind is asked for. */
#define KIND_OK(K, T)                                                                              \
    "((" K " = '' AND " T ".kind IN ('movie', 'series', 'book', 'audiobook')) OR " T ".kind = " K  \
    ")"

#define FILTERS(GENRE, YF, YT, LIB, HF, RES, HDR, AUD, CR, ST)                                     \
    " AND (" GENRE " = '' OR EXISTS (SELECT 1 FROM media_genres g WHERE g.item_id = d.item_id "    \
    "AND g.genre = " GENRE "))"                                                                    \
    " AND (" YF " = 0 OR d.year >= " YF ") AND (" YT " = 0 OR d.year <= " YT ")"                   \
    " AND (" LIB " = '' OR d.library_id = " LIB ")"                                                \
    " AND (" HF " < 0 OR d.has_file = " HF ")"                                                     \
    " AND (" RES " = '' OR d.resolution = " RES ")"                                                \
    " AND (" HDR " < 0 OR d.hdr = " HDR ")"                                                        \
    " AND (" AUD " = '' OR d.audio LIKE " AUD ")"                                                  \
    " AND (" CR " = '' OR d.content_rating = " CR ")"                                              \
    " AND (" ST " = '' OR d.status = " ST ")"

/* The same check as browsing: a work through its library and rating, a
 * person through the works one may see them in. Written as a condition,
 * not as CASE: SQLite computes a CASE branch as a value, every OR in it
 * evaluated in full, so each match ran the parents' rating lookups even
 * for a member without parental controls; a condition stops at the first
 * term that decides it. */
#define VISIBLE_OF(VIS_OF, P, MAX, BLOCK)                                                          \
    " AND ((d.kind = 'person' AND EXISTS (SELECT 1 FROM media_credits c JOIN media_items i ON "    \
    "i.id = c.item_id WHERE c.person_id = d.item_id AND i.deleted_at IS NULL AND " VIS_OF(         \
        "i", P) " AND " STORE_LEVEL_OK_OF("i", MAX,                                                \
                                          BLOCK) ")) OR (d.kind <> 'person' "                      \
                                                 "AND " VIS_OF("d", P) " AND"                      \
                                                                       " " STORE_LEVEL_OK_OF(      \
                                                                           "d", MAX, BLOCK) "))"
#define VISIBLE_LITE(P, MAX, BLOCK) VISIBLE_OF(STORE_VIS_LITE_OF, P, MAX, BLOCK)
#define VISIBLE_PG(P, MAX, BLOCK)   VISIBLE_OF(STORE_VIS_PG_OF, P, MAX, BLOCK)

/* Keystrokes are ranked in SQL over small rows; only the ten are joined
 * to their works. */
#define RANK_COLS                                                                                  \
    "d.item_id AS did, d.kind AS dkind, d.title AS dtitle, d.popularity AS popularity, "           \
    "LENGTH(d.title_compact) AS tlen"
#define PAGE_COLS STORE_ICOLS ", h.did, h.dkind, h.dtitle, h.popularity, h.tier"

static void read_hit(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_hit *h = dst;
    mq_store_read_item(rows, a, &h->item, oom);
    h->doc_id = mq_rows_dup(rows, STORE_ICOLS_N, a, oom);
    h->kind = mq_rows_dup(rows, STORE_ICOLS_N + 1, a, oom);
    h->person_name = mq_rows_dup(rows, STORE_ICOLS_N + 2, a, oom);
    h->popularity = mq_rows_int(rows, STORE_ICOLS_N + 3);
    h->tier = (int)mq_rows_int(rows, STORE_ICOLS_N + 4);
}

static char *like_prefix(struct mq_arena *a, const char *compact)
{
    return mq_arena_printf(a, "%s%%", compact);
}

/* What every text starting with compact sorts below (bytewise: the
 * columns are COLLATE "C" on PostgreSQL): compared as a range, a prefix
 * costs a memcmp per row where LIKE ran its pattern matcher. */
static char *prefix_upper(struct mq_arena *a, const char *compact)
{
    return mq_arena_printf(a, "%s\xf4\x8f\xbf\xbf", compact);
}

static const char *audio_like(struct mq_arena *a, const char *audio)
{
    return audio ? mq_arena_printf(a, "%% %s %%", audio) : "";
}

#define OR_EMPTY(s) MQ_P_TEXT((s) ? (s) : "")

/* The caller's visibility and filters, as every statement here takes them
 * in this order (VISIBLE_* then FILTERS, from its first number on). */
#define FILTER_PARAMS 14
static bool filter_params(struct mq_arena *a, const struct mq_search_filter *f, struct mq_param *p)
{
    const char *aud = audio_like(a, f->audio);
    struct mq_param v[FILTER_PARAMS] = {
        MQ_P_TEXT(f->visible_json),  MQ_P_INT(f->max_level),  MQ_P_INT(f->block_unrated),
        OR_EMPTY(f->kind),           OR_EMPTY(f->genre),      MQ_P_INT(f->year_from),
        MQ_P_INT(f->year_to),        OR_EMPTY(f->library_id), MQ_P_INT(f->has_file),
        OR_EMPTY(f->resolution),     MQ_P_INT(f->hdr),        MQ_P_TEXT(aud ? aud : ""),
        OR_EMPTY(f->content_rating), OR_EMPTY(f->status),
    };
    memcpy(p, v, sizeof(v));
    return aud != NULL;
}

/* ---- matches ------------------------------------------------------------ */

/* What ranking and the facet counts read of each match (mq_search_row),
 * and whether the kind filter K keeps it: the type facet counts every
 * kind, the rest only what the filter keeps. */
#define ROW_COLS_OF(K)                                                                             \
    "d.doc_id, d.item_id, d.kind, d.title_compact, d.alt_compact, d.titles, d.sort_title, "        \
    "d.release_date, d.resolution, d.library_id, d.genres, d.year, d.popularity, d.quality, "      \
    "d.rating, d.added_at, d.has_file, CASE WHEN " KIND_OK(K, "d") " THEN 1 ELSE 0 END"
#define ROW_COLS ROW_COLS_OF("$5")

#define F_FILTERS FILTERS("$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15")
/* Every match under the filters but the kind: one pass gives the page,
 * the counts and the facets (search/rank.c), where a statement for the
 * page and another for the facets would read every match twice. */
static const struct mq_sql SQL_MATCHES = {
    "search.matches",
    "SELECT " ROW_COLS " FROM search_fts f JOIN search_docs d ON d.doc_id = f.rowid WHERE "
    "search_fts MATCH $1" F_FILTERS VISIBLE_LITE("$2", "$3", "$4"),
    "SELECT " ROW_COLS
    " FROM search_docs d WHERE d.doc @@ $1::tsquery" F_FILTERS VISIBLE_PG("$2", "$3", "$4")};

/* The whole catalogue: the same with $1 standing for nothing. */
static const struct mq_sql SQL_CATALOGUE = {
    "search.catalogue",
    "SELECT " ROW_COLS " FROM search_docs d WHERE $1 = ''" F_FILTERS VISIBLE_LITE("$2", "$3", "$4"),
    "SELECT " ROW_COLS " FROM search_docs d WHERE $1 = ''" F_FILTERS VISIBLE_PG("$2", "$3", "$4")};

/* Each match's BM25 (ts_rank on PostgreSQL, negated): lower is better,
 * in millionths. Only the matches outside the titles are ordered by it,
 * and only a page that reaches them asks. */
static const struct mq_sql SQL_SCORES = {
    "search.scores",
    "SELECT rowid, CAST(bm25(search_fts, 10.0, 4.0, 2.0, 1.0) * 1000000 AS INTEGER) FROM "
    "search_fts WHERE search_fts MATCH $1",
    "SELECT doc_id, (-ts_rank(doc, $1::tsquery, 1) * 1000000)::bigint FROM search_docs WHERE doc "
    "@@ $1::tsquery"};

/* A page of documents, with their works (a person's document has none). */
static const struct mq_sql SQL_PAGE = {
    "search.page",
    "SELECT " STORE_ICOLS ", d.item_id, d.kind, d.title, d.popularity, d.doc_id FROM search_docs "
    "d LEFT JOIN media_items i ON i.id = d.item_id WHERE d.doc_id IN (SELECT value FROM "
    "json_each($1))",
    "SELECT " STORE_ICOLS ", d.item_id, d.kind, d.title, d.popularity, d.doc_id FROM search_docs "
    "d LEFT JOIN media_items i ON i.id = d.item_id WHERE d.doc_id IN (SELECT "
    "(jsonb_array_elements_text($1::jsonb))::bigint)"};

static void read_row(struct mq_rows *rows, struct mq_search_row *r)
{
    r->doc = mq_rows_int(rows, 0);
    r->item_id = mq_rows_text(rows, 1);
    r->kind = mq_rows_text(rows, 2);
    r->title_compact = mq_rows_text(rows, 3);
    r->alt_compact = mq_rows_text(rows, 4);
    r->titles = mq_rows_text(rows, 5);
    r->sort_title = mq_rows_text(rows, 6);
    r->release_date = mq_rows_text(rows, 7);
    r->resolution = mq_rows_text(rows, 8);
    r->library_id = mq_rows_text(rows, 9);
    r->genres = mq_rows_text(rows, 10);
    r->has_year = !mq_rows_null(rows, 11);
    r->year = mq_rows_int(rows, 11);
    r->popularity = mq_rows_int(rows, 12);
    r->quality = mq_rows_int(rows, 13);
    r->rating = mq_rows_null(rows, 14) ? -1 : mq_rows_int(rows, 14);
    r->added_at = mq_rows_int(rows, 15);
    r->has_file = mq_rows_int(rows, 16) != 0;
    r->kind_ok = mq_rows_int(rows, 17) != 0;
}

/* Runs a statement of ROW_COLS and hands each row to the visitor. */
static mq_err visit_rows(struct mq_db *db, const struct mq_sql *sql, const struct mq_param *p,
                         size_t np, mq_search_row_fn *visit, void *ctx)
{
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, sql, p, np, &rows);
    if (err) return err;
    bool stopped = false;
    while (!stopped && mq_rows_next(rows)) {
        struct mq_search_row r;
        read_row(rows, &r);
        /* A document always has these; a row without them is skipped
         * rather than trusted. */
        if (!r.item_id || !r.kind || !r.title_compact || !r.alt_compact || !r.titles ||
            !r.sort_title)
            continue;
        stopped = !visit(ctx, &r);
    }
    err = mq_rows_close(rows);
    if (!err && stopped) err = MQ_ENOMEM;
    return err;
}

static mq_err common_rows(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                          const struct mq_search_filter *f, mq_search_row_fn *visit, void *ctx);

mq_err mq_store_search_each(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                            const struct mq_search_filter *f, mq_search_row_fn *visit, void *ctx)
{
    if (t && t->common) return common_rows(db, a, t, f, visit, ctx);
    bool pg = mq_db_backend(db) == MQ_STORE_POSTGRES;
    const char *all = "";
    mq_err err = t ? build(a, t, pg, ALL, false, &all) : MQ_OK;
    if (err) return err;
    struct mq_param p[15] = {MQ_P_TEXT(all)};
    if (!filter_params(a, f, p + 1)) return MQ_ENOMEM;
    return visit_rows(db, t ? &SQL_MATCHES : &SQL_CATALOGUE, p, 15, visit, ctx);
}

mq_err mq_store_search_scores(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                              mq_search_score_fn *visit, void *ctx)
{
    const char *all = NULL;
    mq_err err = build(a, t, mq_db_backend(db) == MQ_STORE_POSTGRES, ALL, false, &all);
    if (err) return err;
    struct mq_param p[] = {MQ_P_TEXT(all)};
    struct mq_rows *rows = NULL;
    err = mq_db_query(db, &SQL_SCORES, p, 1, &rows);
    if (err) return err;
    while (mq_rows_next(rows)) visit(ctx, mq_rows_int(rows, 0), mq_rows_int(rows, 1));
    return mq_rows_close(rows);
}

mq_err mq_store_search_page(struct mq_db *db, struct mq_arena *a, const int64_t *docs, size_t n,
                            struct mq_search_hit *out)
{
    struct mq_buf b;
    mq_buf_init(&b, 1 << 20);
    mq_err err = mq_buf_adds(&b, "[");
    for (size_t i = 0; !err && i < n; i++)
        err = mq_buf_printf(&b, "%s%lld", i ? "," : "", (long long)docs[i]);
    if (!err) err = mq_buf_adds(&b, "]");
    struct mq_param p[] = {MQ_P_TEXT(b.data)};
    struct mq_rows *rows = NULL;
    bool oom = false;
    /* The text is bound, not copied: it lives until the rows are closed. */
    if (!err) err = mq_db_query(db, &SQL_PAGE, p, 1, &rows);
    if (err) {
        mq_buf_cleanup(&b);
        return err;
    }
    while (!oom && mq_rows_next(rows)) {
        int64_t doc = mq_rows_int(rows, STORE_ICOLS_N + 4);
        for (size_t i = 0; i < n; i++) {
            if (docs[i] != doc) continue;
            struct mq_search_hit *h = &out[i];
            mq_store_read_item(rows, a, &h->item, &oom);
            h->doc_id = mq_rows_dup(rows, STORE_ICOLS_N, a, &oom);
            h->kind = mq_rows_dup(rows, STORE_ICOLS_N + 1, a, &oom);
            h->person_name = mq_rows_dup(rows, STORE_ICOLS_N + 2, a, &oom);
            h->popularity = mq_rows_int(rows, STORE_ICOLS_N + 3);
            break;
        }
    }
    err = mq_rows_close(rows);
    mq_buf_cleanup(&b);
    return !err && oom ? MQ_ENOMEM : err;
}

/* ---- queries of common words alone -------------------------------------- */

/* "the", "the the", "a": words in a third of all titles. Matching them in
 * the full-text index reads a third of it; what anyone typing them wants
 * is the titles that are, or start with, them. The candidates are exact
 * titles and the 2,000 most popular titles that start with the words,
 * walked in popularity order through the first letters' index (COL). */
#define COMMON_M(COL)                                                                              \
    "m AS (SELECT d.doc_id AS r FROM search_docs d WHERE d.title_compact = $3 OR "                 \
    "d.title_compact = $1 UNION SELECT x.r FROM (SELECT d.doc_id AS r FROM search_docs d WHERE "   \
    "d." COL " = $4 AND d.title_compact LIKE $2 ORDER BY d.popularity DESC LIMIT 2000) x)"
#define COMMON_F_FILTERS                                                                           \
    FILTERS("$9", "$10", "$11", "$12", "$13", "$14", "$15", "$16", "$17", "$18")
#define COMMON_ROWS(COL, VIS)                                                                      \
    "WITH " COMMON_M(COL) " SELECT " ROW_COLS_OF(                                                  \
        "$8") " FROM m JOIN search_docs d ON d.doc_id = "                                          \
              "m.r WHERE d.title_compact LIKE $2" COMMON_F_FILTERS VIS
#define COMMON_ROWS_SQL(name, COL)                                                                 \
    {                                                                                              \
        name, COMMON_ROWS(COL, VISIBLE_LITE("$5", "$6", "$7")),                                    \
            COMMON_ROWS(COL, VISIBLE_PG("$5", "$6", "$7"))                                         \
    }
static const struct mq_sql SQL_COMMON_ROWS[] = {
    COMMON_ROWS_SQL("search.common_rows2", "p2"), COMMON_ROWS_SQL("search.common_rows3", "p3"),
    COMMON_ROWS_SQL("search.common_rows4", "p4"), COMMON_ROWS_SQL("search.common_rows6", "p6")};

/* The longest first-letters key the typed text fills (2, 3, 4 or 6
 * characters), as an index into the statements above; -1 below two. */
static int prefix_key(const char *compact, char *key, size_t cap)
{
    static const int LENGTHS[] = {2, 3, 4, 6};
    size_t chars = mq_utf8_chars(compact, strlen(compact));
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (chars >= (size_t)LENGTHS[i]) k = i;
    if (k >= 0) first_chars(compact, LENGTHS[k], key, cap);
    return k;
}

/* A common word alone of one letter ("a") has only exact titles to give. */
static int common_key(const struct mq_search_terms *t, char *key, size_t cap)
{
    int k = prefix_key(t->compact, key, cap);
    if (k < 0) {
        first_chars(t->compact, 2, key, cap);
        k = 0;
    }
    return k;
}

static mq_err common_rows(struct mq_db *db, struct mq_arena *a, const struct mq_search_terms *t,
                          const struct mq_search_filter *f, mq_search_row_fn *visit, void *ctx)
{
    char key[48];
    int which = common_key(t, key, sizeof(key));
    char *like = like_prefix(a, t->compact);
    struct mq_param p[18] = {
        MQ_P_TEXT(t->compact),
        MQ_P_TEXT(like),
        MQ_P_TEXT(t->compact_full ? t->compact_full : t->compact),
        MQ_P_TEXT(key),
    };
    if (!like || !filter_params(a, f, p + 4)) return MQ_ENOMEM;
    return visit_rows(db, &SQL_COMMON_ROWS[which], p, 18, visit, ctx);
}

/* ---- autocomplete ----------------------------------------------------- */

#define C_TIER                                                                                     \
    "CASE WHEN d.title_compact = $8 OR d.alt_compact = $8 THEN 6 WHEN d.title_compact = $2 OR "    \
    "d.alt_compact = $2 THEN 5 WHEN (d.title_compact >= $2 AND d.title_compact < $3) OR "          \
    "(d.alt_compact >= $2 AND d.alt_compact < $3) THEN 4 ELSE 2 END"
#define C_KINDS_OF(T) " AND " T ".kind IN ('movie', 'series', 'book', 'audiobook', 'person')"
#define C_KINDS       C_KINDS_OF("d")
#define C_ORDER       "tier DESC, popularity DESC, tlen, did"
#define C_PAGE                                                                                     \
    " ORDER BY " C_ORDER " LIMIT $7) SELECT " PAGE_COLS                                            \
    " FROM h LEFT JOIN media_items i ON i.id = h.did ORDER BY " C_ORDER

/* Words anywhere in a title, ranked as the titles starting with what is
 * typed are: the ten best picked over only their sort keys, and those ten
 * read. (Picking the 500 best by BM25 first, as this did, spent most of a
 * keystroke on scoring thousands of titles, and lost the popular ones.) */
#define C_BEST(MATCHES, VIS)                                                                       \
    "WITH m AS (SELECT d.doc_id AS r FROM " MATCHES C_KINDS VIS " ORDER BY " C_TIER                \
    " DESC, d.popularity DESC, LENGTH(d.title_compact), d.item_id LIMIT $7), h AS "                \
    "(SELECT " RANK_COLS ", " C_TIER                                                               \
    " AS tier FROM m JOIN search_docs d ON d.doc_id = m.r) SELECT " PAGE_COLS                      \
    " FROM h LEFT JOIN media_items i ON i.id = h.did ORDER BY " C_ORDER
static const struct mq_sql SQL_COMPLETE = {
    "search.complete",
    C_BEST("search_fts f JOIN search_docs d ON d.doc_id = f.rowid WHERE search_fts MATCH $1",
           VISIBLE_LITE("$4", "$5", "$6")),
    C_BEST("search_docs d WHERE d.doc @@ $1::tsquery", VISIBLE_PG("$4", "$5", "$6"))};

/* Many matches ("woman", "love"): rather than read every match's row to
 * sort them, walk the works by popularity and stop at the ten best that
 * match, each looked up in the matches' numbers (f); beside them, the
 * matches whose title or other title is or starts with what was typed
 * (the tiers above 2), from those columns' indexes, each of the few there
 * tested in the full-text index itself. The ten best overall are among
 * these: a lower tier's work in them has fewer than ten works of higher
 * popularity above it. Walking costs about the catalogue's size over the
 * matches' count, reading costs the count, so the walk is taken from the
 * square root of the catalogue's size on. SQLite only, where the plan can
 * be forced with INDEXED BY; PostgreSQL keeps the one plan. */
#define C_IN_MATCHES                                                                               \
    " AND EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH $1 AND rowid = d.doc_id)"
#define C_WALK_TIERS                                                                               \
    "SELECT d.doc_id AS r FROM search_docs d WHERE d.title_compact >= $2 AND "                     \
    "d.title_compact < $3" C_IN_MATCHES " UNION SELECT d.doc_id FROM search_docs d WHERE "         \
    "d.alt_compact >= $2 AND d.alt_compact < $3" C_IN_MATCHES " UNION SELECT d.doc_id FROM "       \
    "search_docs d WHERE (d.title_compact = $8 OR d.alt_compact = $8)" C_IN_MATCHES
#define C_WALK(VIS)                                                                                \
    "WITH f AS MATERIALIZED (SELECT rowid AS r FROM search_fts WHERE search_fts MATCH $1), "       \
    "m AS (SELECT x.r FROM (SELECT d.doc_id AS r FROM search_docs d INDEXED BY "                   \
    "search_docs_popularity WHERE d.doc_id IN f" C_KINDS_OF("+d") VIS                              \
        " ORDER BY d.popularity DESC, LENGTH(d.title_compact), d.item_id LIMIT $7) x UNION "       \
        "SELECT "                                                                                  \
        "y.r FROM (" C_WALK_TIERS ") y, search_docs d WHERE d.doc_id = y.r" C_KINDS VIS            \
        "), h AS (SELECT " RANK_COLS ", " C_TIER " AS tier FROM m JOIN search_docs d ON "          \
        "d.doc_id = m.r" C_PAGE
static const struct mq_sql SQL_COMPLETE_WALK = {"search.complete_walk",
                                                C_WALK(VISIBLE_LITE("$4", "$5", "$6")), NULL};
static const struct mq_sql SQL_DOCS_MAX = {
    "search.docs_max", "SELECT COALESCE(MAX(doc_id), 0) FROM search_docs", NULL};
static const struct mq_sql SQL_MATCHES_UPTO = {
    "search.matches_upto",
    "SELECT COUNT(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH $1 LIMIT $2)", NULL};

/* Whether the matches of `titled` are enough for the walk to be cheaper.
 * Not for a member who sees a small part (a child's profile): the walk
 * would pass over every work they may not see. */
static mq_err walk_pays(struct mq_db *db, const char *titled, const struct mq_search_filter *f,
                        bool *walk)
{
    int64_t docs = 0, n = 0, cap = 1;
    *walk = false;
    if (!f->unrestricted) return MQ_OK;
    mq_err err = mq_db_query_int(db, &SQL_DOCS_MAX, NULL, 0, &docs);
    if (err || docs < 10000) return err; /* small: either way costs nothing */
    while (cap * cap < docs) cap *= 2;
    struct mq_param p[] = {MQ_P_TEXT(titled), MQ_P_INT(cap)};
    err = mq_db_query_int(db, &SQL_MATCHES_UPTO, p, 2, &n);
    if (!err) *walk = n >= cap;
    return err;
}

mq_err mq_store_search_complete(struct mq_db *db, struct mq_arena *a,
                                const struct mq_search_terms *t, const struct mq_search_filter *f,
                                int limit, struct mq_search_hit **out, size_t *n)
{
    bool pg = mq_db_backend(db) == MQ_STORE_POSTGRES, walk = false;
    const char *titled = NULL;
    mq_err err = build(a, t, pg, TITLES, false, &titled);
    if (!err && !pg) err = walk_pays(db, titled, f, &walk);
    if (err) return err;
    char *upper = prefix_upper(a, t->compact);
    if (!upper) return MQ_ENOMEM;
    struct mq_param p[] = {
        MQ_P_TEXT(titled),      MQ_P_TEXT(t->compact),
        MQ_P_TEXT(upper),       MQ_P_TEXT(f->visible_json),
        MQ_P_INT(f->max_level), MQ_P_INT(f->block_unrated),
        MQ_P_INT(limit),        MQ_P_TEXT(t->compact_full ? t->compact_full : t->compact)};
    return mq_db_query_list(db, walk ? &SQL_COMPLETE_WALK : &SQL_COMPLETE, p, 8, a, read_hit,
                            sizeof(**out), (size_t)limit, out, n);
}

/* The most popular titles that start with what is typed, walked through
 * the first letters' index (COL) and stopped at the limit, and the exact
 * titles whatever their popularity. */
#define START(COL, VIS)                                                                            \
    "WITH s AS (SELECT x.doc_id FROM (SELECT d.doc_id FROM search_docs d WHERE d." COL " = $1 "    \
    "AND d.title_compact >= $2 AND d.title_compact < $3" C_KINDS_OF("d") VIS                       \
        " ORDER BY d.popularity DESC LIMIT $7) x "                                                 \
        "UNION SELECT d.doc_id FROM search_docs d WHERE d.title_compact = $2" C_KINDS_OF("d") VIS  \
        "), h AS (SELECT " RANK_COLS ", " C_TIER                                                   \
        " AS tier FROM s JOIN search_docs d ON d.doc_id = "                                        \
        "s.doc_id" C_PAGE
#define START_SQL(name, COL)                                                                       \
    {                                                                                              \
        name, START(COL, VISIBLE_LITE("$4", "$5", "$6")), START(COL, VISIBLE_PG("$4", "$5", "$6")) \
    }
static const struct mq_sql SQL_START[] = {
    START_SQL("search.start2", "p2"), START_SQL("search.start3", "p3"),
    START_SQL("search.start4", "p4"), START_SQL("search.start6", "p6")};

mq_err mq_store_search_starting(struct mq_db *db, struct mq_arena *a,
                                const struct mq_search_terms *t, const struct mq_search_filter *f,
                                int limit, struct mq_search_hit **out, size_t *n)
{
    char key[48];
    *out = NULL;
    *n = 0;
    int which = prefix_key(t->compact, key, sizeof(key));
    if (which < 0) return MQ_OK;
    char *upper = prefix_upper(a, t->compact);
    if (!upper) return MQ_ENOMEM;
    struct mq_param p[] = {
        MQ_P_TEXT(key),         MQ_P_TEXT(t->compact),
        MQ_P_TEXT(upper),       MQ_P_TEXT(f->visible_json),
        MQ_P_INT(f->max_level), MQ_P_INT(f->block_unrated),
        MQ_P_INT(limit),        MQ_P_TEXT(t->compact_full ? t->compact_full : t->compact)};
    return mq_db_query_list(db, &SQL_START[which], p, 8, a, read_hit, sizeof(**out), (size_t)limit,
                            out, n);
}

/* ---- vocabulary ------------------------------------------------------------- */

/* SQLite counts a word's documents in the index itself (fts5vocab);
 * PostgreSQL keeps the share of rows holding each of its most common
 * lexemes in the column's statistics (ANALYZE, which the indexer runs after
 * a large batch): a word missing there is not common. */
#define PG_ELEMS(COND)                                                                             \
    "FROM pg_stats s CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], "                \
    "s.most_common_elem_freqs) AS u(e, f) WHERE s.schemaname = current_schema() AND s.tablename "  \
    "= 'search_docs' AND s.attname = 'doc' AND " COND
#define PG_ROWS                                                                                    \
    "(SELECT GREATEST(c.reltuples, 0) FROM pg_class c WHERE c.oid = 'search_docs'::regclass)"
static const struct mq_sql SQL_FREQUENCY = {
    "search_vocab.doc",
    "SELECT COALESCE((SELECT doc FROM search_vocab WHERE term = $1), 0), COALESCE((SELECT "
    "MAX(doc_id) FROM search_docs), 0)",
    "SELECT COALESCE((SELECT (u.f * " PG_ROWS ")::bigint " PG_ELEMS("u.e = $1") " LIMIT 1), 0), "
                                                                                "COALESCE(" PG_ROWS
                                                                                "::bigint, 0)"};
/* A prefix's words counted each: an upper bound, which is what is wanted.
 * On SQLite a prefix without an index of its own ($3 = 0: not two or
 * three characters) of more than 200 words ("i" after other words, or
 * "dark" once titles add "darkknight" and the like) counts as in every
 * document: FTS5 merges each word's postings, which costs more than any
 * count says. */
static const struct mq_sql SQL_FREQUENCY_PREFIX = {
    "search_vocab.prefix",
    "SELECT COALESCE((SELECT CASE WHEN $3 = 0 AND COUNT(*) > 200 THEN (SELECT MAX(doc_id) FROM "
    "search_docs) ELSE SUM(doc) END FROM (SELECT doc FROM search_vocab WHERE term >= $1 AND term "
    "< $2 LIMIT 201)), 0), COALESCE((SELECT MAX(doc_id) FROM search_docs), 0)",
    "SELECT COALESCE((SELECT (SUM(u.f) * " PG_ROWS ")::bigint " PG_ELEMS(
        "u.e COLLATE \"C\" >= $1 AND u.e COLLATE \"C\" < $2") "), 0), COALESCE(" PG_ROWS
                                                              "::bigint, 0)"};
static const struct mq_sql SQL_ANALYZE = {"search_docs.analyze", NULL, "ANALYZE search_docs"};

mq_err mq_store_search_analyze(struct mq_db *db)
{
    if (mq_db_backend(db) != MQ_STORE_POSTGRES) return MQ_OK;
    return mq_db_exec(db, &SQL_ANALYZE, NULL, 0, NULL);
}

mq_err mq_store_search_frequency(struct mq_db *db, const char *word, bool prefix, int64_t *docs,
                                 int64_t *total)
{
    char upper[MQ_SEARCH_WORDS_MAX * 16 + 8];
    *docs = *total = 0;
    if (strlen(word) + 5 > sizeof(upper)) return MQ_OK;
    memcpy(upper, word, strlen(word));
    memcpy(upper + strlen(word), "\xf4\x8f\xbf\xbf", 5);
    /* search_fts indexes prefixes of two and three characters. */
    size_t chars = mq_utf8_chars(word, strlen(word));
    bool indexed = chars == 2 || chars == 3;
    struct mq_param p[] = {MQ_P_TEXT(word), MQ_P_TEXT(upper), MQ_P_INT(indexed)};
    size_t np = !prefix ? 1 : mq_db_backend(db) == MQ_STORE_POSTGRES ? 2 : 3;
    struct mq_rows *rows = NULL;
    mq_err err = mq_db_query(db, prefix ? &SQL_FREQUENCY_PREFIX : &SQL_FREQUENCY, p, np, &rows);
    if (err) return err;
    if (mq_rows_next(rows)) {
        *docs = mq_rows_int(rows, 0);
        *total = mq_rows_int(rows, 1);
    }
    return mq_rows_close(rows);
}

static const struct mq_sql SQL_TERM_KNOWN = {
    "search_terms.known", "SELECT COUNT(*) FROM search_terms WHERE term = $1", NULL};
static const struct mq_sql SQL_TERM_PREFIX = {
    "search_terms.prefix",
    "SELECT COUNT(*) FROM (SELECT 1 FROM search_terms WHERE term >= $1 AND term < $2 LIMIT 1) x",
    NULL};

mq_err mq_store_search_term_known(struct mq_db *db, const char *word, bool prefix, bool *known)
{
    char upper[MQ_SEARCH_WORDS_MAX * 16 + 8];
    int64_t c = 0;
    /* Everything that starts with the word sorts below word + U+10FFFF. */
    if (strlen(word) + 5 > sizeof(upper)) return MQ_EINVAL;
    memcpy(upper, word, strlen(word));
    memcpy(upper + strlen(word), "\xf4\x8f\xbf\xbf", 5);
    struct mq_param p[] = {MQ_P_TEXT(word), MQ_P_TEXT(upper)};
    mq_err err = prefix ? mq_db_query_int(db, &SQL_TERM_PREFIX, p, 2, &c)
                        : mq_db_query_int(db, &SQL_TERM_KNOWN, p, 1, &c);
    *known = !err && c > 0;
    return err;
}

static const struct mq_sql SQL_TERMS_NEAR = {
    "search_terms.near",
    "SELECT t.term FROM (SELECT rowid AS r, rank AS k FROM search_terms_tri WHERE "
    "search_terms_tri MATCH $1 ORDER BY rank LIMIT $2) x JOIN search_terms t ON t.id = x.r ORDER "
    "BY x.k, t.term",
    "SELECT term FROM search_terms WHERE term % $1 ORDER BY similarity(term, $1) DESC, term "
    "LIMIT $2"};
/* pg_trgm's default threshold (0.3) misses one swapped pair in a short
 * word ("matirx"): candidates are judged again by edit distance. */
static const struct mq_sql SQL_TRGM_LIMIT = {
    "search_terms.threshold", NULL,
    "SELECT set_config('pg_trgm.similarity_threshold', '0.2', true)"};

static size_t utf8_char(const char *p)
{
    unsigned char c = (unsigned char)*p;
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

mq_err mq_store_search_terms_near(struct mq_db *db, struct mq_arena *a, const char *word, int max,
                                  const char ***out, size_t *n)
{
    bool pg = mq_db_backend(db) == MQ_STORE_POSTGRES;
    const char *arg = word;
    *out = NULL;
    *n = 0;
    if (pg) {
        struct mq_rows *rows = NULL;
        mq_err err = mq_db_query(db, &SQL_TRGM_LIMIT, NULL, 0, &rows);
        if (!err) err = mq_rows_close(rows);
        if (err) return err;
    } else {
        /* ^word$ in trigrams, any of them. */
        char padded[300];
        size_t len = strlen(word);
        if (len + 3 > sizeof(padded)) return MQ_OK;
        padded[0] = '^';
        memcpy(padded + 1, word, len);
        padded[len + 1] = '$';
        padded[len + 2] = 0;
        struct mq_buf b;
        mq_buf_init(&b, 4096);
        mq_err err = MQ_OK;
        for (const char *p = padded; !err && *p; p += utf8_char(p)) {
            const char *q = p;
            int k = 0;
            while (*q && k < 3) q += utf8_char(q), k++;
            if (k < 3) break;
            if (b.len) err = mq_buf_adds(&b, " OR ");
            if (!err) err = fts_token(&b, p, (size_t)(q - p), false);
        }
        size_t len_made = b.len;
        if (!err && len_made) arg = mq_arena_strndup(a, b.data, len_made);
        mq_buf_cleanup(&b);
        if (err) return err;
        if (!len_made) return MQ_OK; /* shorter than a trigram */
        if (!arg) return MQ_ENOMEM;
    }
    struct mq_param p[] = {MQ_P_TEXT(arg), MQ_P_INT(max)};
    return mq_db_query_list(db, &SQL_TERMS_NEAR, p, 2, a, mq_read_text, sizeof(**out), (size_t)max,
                            out, n);
}

/* ---- indexing ----------------------------------------------------------- */

static const struct mq_sql SQL_MARKED = {
    "search_dirty.next", "SELECT id, seq FROM search_dirty ORDER BY seq LIMIT $1", NULL};
static const struct mq_sql SQL_MARKS_OF = {
    "search_dirty.of",
    "SELECT id, seq FROM search_dirty WHERE id IN (SELECT value FROM json_each($1))",
    "SELECT id, seq FROM search_dirty WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))"};
static const struct mq_sql SQL_UNMARK = {
    "search_dirty.clear", "DELETE FROM search_dirty WHERE seq IN (SELECT value FROM json_each($1))",
    "DELETE FROM search_dirty WHERE seq IN (SELECT "
    "(jsonb_array_elements_text($1::jsonb))::bigint)"};
static const struct mq_sql SQL_MARK_ITEMS = {
    "search_dirty.all_items", "INSERT INTO search_dirty (id) SELECT id FROM media_items", NULL};
static const struct mq_sql SQL_MARK_PEOPLE = {
    "search_dirty.all_people", "INSERT INTO search_dirty (id) SELECT id FROM people", NULL};
static const struct mq_sql SQL_PENDING = {"search_dirty.count", "SELECT COUNT(*) FROM search_dirty",
                                          NULL};
static const struct mq_sql SQL_LOCK = {"search.lock", NULL,
                                       "SELECT pg_try_advisory_xact_lock(7235631)::int"};

struct mark {
    const char *id;
    int64_t seq;
};

static void read_mark(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mark *m = dst;
    m->id = mq_rows_dup(rows, 0, a, oom);
    m->seq = mq_rows_int(rows, 1);
}

mq_err mq_store_search_marked(struct mq_db *db, struct mq_arena *a, int max, const char ***ids,
                              size_t *n, const char **seqs)
{
    struct mark *rows = NULL;
    size_t got = 0;
    *ids = NULL;
    *n = 0;
    *seqs = "[]";
    /* A change marks an id several times (a work, its credits, its
     * genres): the first ids waiting, then every mark of theirs, so that
     * each is indexed once. Exactly the marks read are removed: one made
     * meanwhile (another writer, on PostgreSQL) stays for the next batch. */
    struct mq_param p[] = {MQ_P_INT((int64_t)max * 8)};
    mq_err err = mq_db_query_list(db, &SQL_MARKED, p, 1, a, read_mark, sizeof(*rows),
                                  (size_t)max * 8, &rows, &got);
    if (err || !got) return err;
    json_t *seen = json_object(), *list = json_array();
    const char **out = mq_arena_calloc(a, (size_t)max, sizeof(*out));
    size_t k = 0;
    for (size_t i = 0; out && i < got && k < (size_t)max; i++) {
        if (json_object_get(seen, rows[i].id)) continue;
        json_object_set_new(seen, rows[i].id, json_true());
        json_array_append_new(list, json_string(rows[i].id));
        out[k++] = rows[i].id;
    }
    char *ids_json = json_dumps(list, JSON_COMPACT);
    json_decref(seen);
    json_decref(list);
    if (!out || !ids_json) {
        free(ids_json);
        return MQ_ENOMEM;
    }
    struct mq_param q[] = {MQ_P_TEXT(ids_json)};
    err = mq_db_query_list(db, &SQL_MARKS_OF, q, 1, a, read_mark, sizeof(*rows), 0, &rows, &got);
    free(ids_json);
    if (err) return err;
    json_t *nums = json_array();
    for (size_t i = 0; i < got; i++) json_array_append_new(nums, json_integer(rows[i].seq));
    char *text = json_dumps(nums, JSON_COMPACT);
    json_decref(nums);
    *seqs = text ? mq_arena_strdup(a, text) : NULL;
    free(text);
    if (!*seqs) return MQ_ENOMEM;
    *ids = out;
    *n = k;
    return MQ_OK;
}

mq_err mq_store_search_unmark(struct mq_db *db, const char *seqs)
{
    struct mq_param p[] = {MQ_P_TEXT(seqs)};
    return mq_db_exec(db, &SQL_UNMARK, p, 1, NULL);
}

mq_err mq_store_search_mark_all(struct mq_db *db, int64_t *n)
{
    int64_t a = 0, b = 0;
    mq_err err = mq_db_exec(db, &SQL_MARK_ITEMS, NULL, 0, &a);
    if (!err) err = mq_db_exec(db, &SQL_MARK_PEOPLE, NULL, 0, &b);
    *n = a + b;
    return err;
}

mq_err mq_store_search_pending(struct mq_db *db, int64_t *n)
{
    return mq_db_query_int(db, &SQL_PENDING, NULL, 0, n);
}

mq_err mq_store_search_lock(struct mq_db *db, bool *got)
{
    *got = true;
    if (mq_db_backend(db) != MQ_STORE_POSTGRES) return MQ_OK;
    int64_t v = 0;
    mq_err err = mq_db_query_int(db, &SQL_LOCK, NULL, 0, &v);
    *got = !err && v;
    return err;
}

#define SOURCES(IDS)                                                                               \
    "SELECT " STORE_ICOLS ", p.title, g.title FROM media_items i LEFT JOIN media_items p ON p.id " \
    "= i.parent_id LEFT JOIN media_items g ON g.id = p.parent_id WHERE i.id IN " IDS
static const struct mq_sql SQL_SOURCES = {"search.sources", SOURCES(STORE_IDS_LITE("$1")),
                                          SOURCES(STORE_IDS_PG("$1"))};
#define PEOPLE(IDS)                                                                                \
    "SELECT p.id, p.name, (SELECT COUNT(*) FROM media_credits c WHERE c.person_id = p.id) FROM "   \
    "people p WHERE p.id IN " IDS
static const struct mq_sql SQL_PEOPLE = {"search.people", PEOPLE(STORE_IDS_LITE("$1")),
                                         PEOPLE(STORE_IDS_PG("$1"))};

static void read_source(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_source *s = dst;
    mq_store_read_item(rows, a, &s->item, oom);
    s->parent_title = mq_rows_dup(rows, STORE_ICOLS_N, a, oom);
    s->grandparent_title = mq_rows_dup(rows, STORE_ICOLS_N + 1, a, oom);
}

static void read_person(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_source *s = dst;
    s->person_id = mq_rows_dup(rows, 0, a, oom);
    s->person_name = mq_rows_dup(rows, 1, a, oom);
    s->credits = mq_rows_int(rows, 2);
}

mq_err mq_store_search_sources(struct mq_db *db, struct mq_arena *a, const char *ids_json,
                               struct mq_search_source **out, size_t *n)
{
    struct mq_search_source *items = NULL, *people = NULL;
    size_t ni = 0, np = 0;
    struct mq_param p[] = {MQ_P_TEXT(ids_json)};
    mq_err err =
        mq_db_query_list(db, &SQL_SOURCES, p, 1, a, read_source, sizeof(*items), 0, &items, &ni);
    if (!err)
        err = mq_db_query_list(db, &SQL_PEOPLE, p, 1, a, read_person, sizeof(*people), 0, &people,
                               &np);
    if (err) return err;
    struct mq_search_source *all = mq_arena_calloc(a, ni + np + 1, sizeof(*all));
    if (!all) return MQ_ENOMEM;
    if (ni) memcpy(all, items, ni * sizeof(*all));
    if (np) memcpy(all + ni, people, np * sizeof(*all));
    *out = all;
    *n = ni + np;
    return MQ_OK;
}

#define GENRES(IDS)                                                                                \
    "SELECT item_id, genre FROM media_genres WHERE item_id IN " IDS " ORDER BY item_id, genre"
#define CREDITS(IDS)                                                                               \
    "SELECT c.item_id, p.name FROM media_credits c JOIN people p ON p.id = c.person_id WHERE "     \
    "c.item_id IN " IDS " ORDER BY c.item_id, c.kind, c.position"
#define COLLECTIONS(IDS)                                                                           \
    "SELECT ci.item_id, c.name FROM collection_items ci JOIN collections c ON c.id = "             \
    "ci.collection_id WHERE ci.item_id IN " IDS " ORDER BY ci.item_id, c.name"
static const struct mq_sql SQL_GENRES = {"search.genres", GENRES(STORE_IDS_LITE("$1")),
                                         GENRES(STORE_IDS_PG("$1"))};
static const struct mq_sql SQL_CREDITS = {"search.credits", CREDITS(STORE_IDS_LITE("$1")),
                                          CREDITS(STORE_IDS_PG("$1"))};
static const struct mq_sql SQL_COLLECTIONS = {
    "search.collections", COLLECTIONS(STORE_IDS_LITE("$1")), COLLECTIONS(STORE_IDS_PG("$1"))};

static mq_err pairs(struct mq_db *db, struct mq_arena *a, const struct mq_sql *sql,
                    const char *ids_json, struct mq_text_pair **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(ids_json)};
    return mq_db_query_list(db, sql, p, 1, a, mq_read_text_pair, sizeof(**out), 0, out, n);
}

mq_err mq_store_search_genres(struct mq_db *db, struct mq_arena *a, const char *ids_json,
                              struct mq_text_pair **out, size_t *n)
{
    return pairs(db, a, &SQL_GENRES, ids_json, out, n);
}

mq_err mq_store_search_credits(struct mq_db *db, struct mq_arena *a, const char *ids_json,
                               struct mq_text_pair **out, size_t *n)
{
    return pairs(db, a, &SQL_CREDITS, ids_json, out, n);
}

mq_err mq_store_search_collections(struct mq_db *db, struct mq_arena *a, const char *ids_json,
                                   struct mq_text_pair **out, size_t *n)
{
    return pairs(db, a, &SQL_COLLECTIONS, ids_json, out, n);
}

#define PLAYS "f.role = 'main' AND f.state = 'ok'"
#define FILES(IDS)                                                                                 \
    "SELECT x.id, f.hdr, f.streams, f.width, f.height FROM media_items x JOIN media_files f ON "   \
    "f.item_id = x.id WHERE x.id IN " IDS " AND " PLAYS " UNION ALL SELECT x.id, f.hdr, "          \
    "f.streams, f.width, f.height FROM media_items x JOIN media_items c ON c.parent_id = x.id "    \
    "JOIN media_files f ON f.item_id = c.id WHERE x.id IN " IDS " AND " PLAYS " UNION ALL SELECT " \
    "x.id, f.hdr, f.streams, f.width, f.height FROM media_items x JOIN media_items c ON "          \
    "c.parent_id = x.id JOIN media_items e ON e.parent_id = c.id JOIN media_files f ON f.item_id " \
    "= e.id WHERE x.id IN " IDS " AND " PLAYS " ORDER BY 1"
static const struct mq_sql SQL_FILES = {"search.files", FILES(STORE_IDS_LITE("$1")),
                                        FILES(STORE_IDS_PG("$1"))};

static void read_file(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_file *f = dst;
    f->item_id = mq_rows_dup(rows, 0, a, oom);
    f->hdr = mq_rows_dup(rows, 1, a, oom);
    f->streams = mq_rows_dup(rows, 2, a, oom);
    f->width = mq_rows_null(rows, 3) ? 0 : mq_rows_int(rows, 3);
    f->height = mq_rows_null(rows, 4) ? 0 : mq_rows_int(rows, 4);
}

mq_err mq_store_search_files(struct mq_db *db, struct mq_arena *a, const char *ids_json,
                             struct mq_search_file **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(ids_json)};
    return mq_db_query_list(db, &SQL_FILES, p, 1, a, read_file, sizeof(**out), 0, out, n);
}

#define DOC_COLS                                                                                   \
    "item_id, kind, library_id, title, sort_title, title_compact, alt_compact, titles, people, "   \
    "extra, overview, year, release_date, popularity, rating, quality, has_file, resolution, "     \
    "hdr, audio, content_rating, status, added_at, indexed_at, parent_id, rating_level, p2, p3, "  \
    "p4, p6, genres"
#define DOC_VALUES                                                                                 \
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "  \
    "$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31"
#define DOC_SET                                                                                    \
    "kind = excluded.kind, library_id = excluded.library_id, title = excluded.title, sort_title "  \
    "= excluded.sort_title, title_compact = excluded.title_compact, alt_compact = "                \
    "excluded.alt_compact, titles = excluded.titles, people = excluded.people, extra = "           \
    "excluded.extra, overview = excluded.overview, year = excluded.year, release_date = "          \
    "excluded.release_date, popularity = excluded.popularity, rating = excluded.rating, quality "  \
    "= excluded.quality, has_file = excluded.has_file, resolution = excluded.resolution, hdr = "   \
    "excluded.hdr, audio = excluded.audio, content_rating = excluded.content_rating, status = "    \
    "excluded.status, added_at = excluded.added_at, indexed_at = excluded.indexed_at, parent_id "  \
    "= "                                                                                           \
    "excluded.parent_id, rating_level = excluded.rating_level, p2 = excluded.p2, p3 = "            \
    "excluded.p3, "                                                                                \
    "p4 = excluded.p4, p6 = excluded.p6, genres = excluded.genres"

static const struct mq_sql SQL_DOC_PUT = {
    "search_docs.put",
    "INSERT INTO search_docs (" DOC_COLS ") VALUES (" DOC_VALUES
    ") ON CONFLICT (item_id) DO UPDATE SET " DOC_SET,
    "INSERT INTO search_docs (" DOC_COLS ", doc) VALUES (" DOC_VALUES
    ", $32::tsvector) ON CONFLICT (item_id) DO UPDATE SET " DOC_SET ", doc = excluded.doc"};
static const struct mq_sql SQL_DOC_REMOVE = {"search_docs.remove",
                                             "DELETE FROM search_docs WHERE item_id = $1", NULL};

/* PostgreSQL's document: each column's tokens at their positions, with the
 * column's weight; positions run on across columns, as FTS5 keeps its
 * columns apart. */
static mq_err tsvector(struct mq_buf *b, const char *const *cols, const char *weights)
{
    int pos = 1;
    mq_err err = MQ_OK;
    for (int c = 0; !err && cols[c]; c++) {
        for (const char *s = cols[c]; !err && *s && pos < 16383;) {
            const char *sp = strchr(s, ' ');
            size_t len = sp ? (size_t)(sp - s) : strlen(s);
            if (len) {
                if (b->len) err = mq_buf_adds(b, " ");
                if (!err) err = pg_token(b, s, len, false, "");
                if (!err) err = mq_buf_printf(b, ":%d", pos++);
                if (!err && weights[c] != 'D') err = mq_buf_add(b, weights + c, 1);
            }
            s += len + (sp ? 1 : 0);
        }
        pos++;
    }
    return err;
}

#define P_TEXT_OR_NULL(s) ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)

mq_err mq_store_search_put(struct mq_db *db, const struct mq_search_doc *d)
{
    char p2[16], p3[24], p4[32], p6[48];
    first_chars(d->title_compact, 2, p2, sizeof(p2));
    first_chars(d->title_compact, 3, p3, sizeof(p3));
    first_chars(d->title_compact, 4, p4, sizeof(p4));
    first_chars(d->title_compact, 6, p6, sizeof(p6));
    struct mq_buf tv;
    mq_buf_init(&tv, 1 << 20);
    mq_err err = MQ_OK;
    if (mq_db_backend(db) == MQ_STORE_POSTGRES) {
        const char *cols[] = {d->titles, d->people, d->extra, d->overview, NULL};
        err = tsvector(&tv, cols, "ABCD");
    }
    struct mq_param p[] = {
        MQ_P_TEXT(d->item_id),
        MQ_P_TEXT(d->kind),
        P_TEXT_OR_NULL(d->library_id),
        MQ_P_TEXT(d->title),
        MQ_P_TEXT(d->sort_title),
        MQ_P_TEXT(d->title_compact),
        MQ_P_TEXT(d->alt_compact ? d->alt_compact : ""),
        MQ_P_TEXT(d->titles),
        MQ_P_TEXT(d->people),
        MQ_P_TEXT(d->extra),
        MQ_P_TEXT(d->overview),
        MQ_P_INT_OR_NULL(d->year),
        P_TEXT_OR_NULL(d->release_date),
        MQ_P_INT(d->popularity),
        d->rating >= 0 ? MQ_P_INT(d->rating) : MQ_P_NULL,
        MQ_P_INT(d->quality),
        MQ_P_INT(d->has_file),
        P_TEXT_OR_NULL(d->resolution),
        MQ_P_INT(d->hdr),
        MQ_P_TEXT(d->audio ? d->audio : " "),
        P_TEXT_OR_NULL(d->content_rating),
        P_TEXT_OR_NULL(d->status),
        MQ_P_INT(d->added_at),
        MQ_P_INT(d->indexed_at),
        P_TEXT_OR_NULL(d->parent_id),
        MQ_P_INT_OR_NULL(d->rating_level),
        MQ_P_TEXT(p2),
        MQ_P_TEXT(p3),
        MQ_P_TEXT(p4),
        MQ_P_TEXT(p6),
        MQ_P_TEXT(d->genres ? d->genres : ""),
        MQ_P_TEXT(tv.data ? tv.data : ""),
    };
    if (!err)
        err =
            mq_db_exec(db, &SQL_DOC_PUT, p, mq_db_backend(db) == MQ_STORE_POSTGRES ? 32 : 31, NULL);
    mq_buf_cleanup(&tv);
    return err;
}

mq_err mq_store_search_remove(struct mq_db *db, const char *item_id)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_exec(db, &SQL_DOC_REMOVE, p, 1, NULL);
}

static const struct mq_sql SQL_TERMS_ADD = {
    "search_terms.add",
    "INSERT INTO search_terms (term, gen) SELECT value, $2 FROM json_each($1) WHERE true ON "
    "CONFLICT (term) DO UPDATE SET gen = excluded.gen WHERE search_terms.gen < excluded.gen",
    "INSERT INTO search_terms (term, gen) SELECT DISTINCT jsonb_array_elements_text($1::jsonb), "
    "$2::bigint ON CONFLICT (term) DO UPDATE SET gen = excluded.gen WHERE search_terms.gen < "
    "excluded.gen"};
static const struct mq_sql SQL_TERMS_PRUNE = {"search_terms.prune",
                                              "DELETE FROM search_terms WHERE gen < $1", NULL};

mq_err mq_store_search_terms_add(struct mq_db *db, const char *terms_json, int64_t gen)
{
    struct mq_param p[] = {MQ_P_TEXT(terms_json), MQ_P_INT(gen)};
    return mq_db_exec(db, &SQL_TERMS_ADD, p, 2, NULL);
}

mq_err mq_store_search_terms_prune(struct mq_db *db, int64_t gen, int64_t *n)
{
    struct mq_param p[] = {MQ_P_INT(gen)};
    return mq_db_exec(db, &SQL_TERMS_PRUNE, p, 1, n);
}

/* ---- statistics -------------------------------------------------------- */

static const struct mq_sql SQL_QUERY_ADD = {
    "search_queries.add",
    "INSERT INTO search_queries (query, searches, zero_results, last_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (query) DO UPDATE SET searches = search_queries.searches + excluded.searches, "
    "zero_results = search_queries.zero_results + excluded.zero_results, last_at = "
    "excluded.last_at",
    NULL};
static const struct mq_sql SQL_QUERIES_TOP = {
    "search_queries.top",
    "SELECT query, searches, zero_results, last_at FROM search_queries ORDER BY searches DESC, "
    "query LIMIT $1",
    NULL};
static const struct mq_sql SQL_QUERIES_ZERO = {
    "search_queries.zero",
    "SELECT query, searches, zero_results, last_at FROM search_queries WHERE zero_results > 0 "
    "ORDER BY zero_results DESC, query LIMIT $1",
    NULL};

mq_err mq_store_search_query_add(struct mq_db *db, const char *query, int64_t searches,
                                 int64_t zero, int64_t at)
{
    struct mq_param p[] = {MQ_P_TEXT(query), MQ_P_INT(searches), MQ_P_INT(zero), MQ_P_INT(at)};
    return mq_db_exec(db, &SQL_QUERY_ADD, p, 4, NULL);
}

static void read_query(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_query_row *r = dst;
    r->query = mq_rows_dup(rows, 0, a, oom);
    r->searches = mq_rows_int(rows, 1);
    r->zero_results = mq_rows_int(rows, 2);
    r->last_at = mq_rows_int(rows, 3);
}

mq_err mq_store_search_queries_top(struct mq_db *db, struct mq_arena *a, bool zero_only, int limit,
                                   struct mq_search_query_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_INT(limit)};
    return mq_db_query_list(db, zero_only ? &SQL_QUERIES_ZERO : &SQL_QUERIES_TOP, p, 1, a,
                            read_query, sizeof(**out), (size_t)limit, out, n);
}

/* ---- rebuilds ------------------------------------------------------------ */

#define REINDEX_COLS "id, job_id, state, total, done, error, started_at, finished_at"
static const struct mq_sql SQL_REINDEX_INSERT = {"search_reindexes.insert",
                                                 "INSERT INTO search_reindexes (" REINDEX_COLS
                                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                                 NULL};
static const struct mq_sql SQL_REINDEX_UPDATE = {
    "search_reindexes.update",
    "UPDATE search_reindexes SET state = $2, total = $3, done = $4, error = $5, finished_at = $6 "
    "WHERE id = $1",
    NULL};
static const struct mq_sql SQL_REINDEX_GET = {
    "search_reindexes.get", "SELECT " REINDEX_COLS " FROM search_reindexes WHERE id = $1", NULL};
static const struct mq_sql SQL_REINDEX_LAST = {
    "search_reindexes.last",
    "SELECT " REINDEX_COLS " FROM search_reindexes ORDER BY started_at DESC, id DESC LIMIT 1",
    NULL};
static const struct mq_sql SQL_DOCUMENTS = {"search_docs.count", "SELECT COUNT(*) FROM search_docs",
                                            NULL};

static void read_reindex(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_search_reindex_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->job_id = mq_rows_dup(rows, 1, a, oom);
    r->state = mq_rows_dup(rows, 2, a, oom);
    r->total = mq_rows_int(rows, 3);
    r->done = mq_rows_int(rows, 4);
    r->error = mq_rows_dup(rows, 5, a, oom);
    r->started_at = mq_rows_int(rows, 6);
    r->finished_at = mq_rows_null(rows, 7) ? 0 : mq_rows_int(rows, 7);
}

mq_err mq_store_search_reindex_insert(struct mq_db *db, const struct mq_search_reindex_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),        P_TEXT_OR_NULL(r->job_id),
                           MQ_P_TEXT(r->state),     MQ_P_INT(r->total),
                           MQ_P_INT(r->done),       P_TEXT_OR_NULL(r->error),
                           MQ_P_INT(r->started_at), MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec(db, &SQL_REINDEX_INSERT, p, 8, NULL);
}

mq_err mq_store_search_reindex_update(struct mq_db *db, const struct mq_search_reindex_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),         MQ_P_TEXT(r->state),
                           MQ_P_INT(r->total),       MQ_P_INT(r->done),
                           P_TEXT_OR_NULL(r->error), MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec_one(db, &SQL_REINDEX_UPDATE, p, 6);
}

mq_err mq_store_search_reindex_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                   struct mq_search_reindex_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_REINDEX_GET, p, 1, a, read_reindex, out);
}

mq_err mq_store_search_reindex_last(struct mq_db *db, struct mq_arena *a,
                                    struct mq_search_reindex_row *out)
{
    return mq_db_query_one(db, &SQL_REINDEX_LAST, NULL, 0, a, read_reindex, out);
}

mq_err mq_store_search_documents(struct mq_db *db, int64_t *n)
{
    return mq_db_query_int(db, &SQL_DOCUMENTS, NULL, 0, n);
}
