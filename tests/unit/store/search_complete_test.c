/* Autocomplete's ten over a catalogue large enough for both of its plans
 * (store/search.c): a word in one title of eight is walked by popularity,
 * a rare one read match by match. Each answer is checked against the
 * ranking worked out here from the rows themselves: tier (exact, then
 * title or other title starting with what was typed), popularity, title
 * length, item id; people nobody may see in a work are left out. On
 * SQLite and PostgreSQL. */
#include "test.h"

#include "db_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "store/search.h"
#include "store/store.h"

#define DOCS 12000

struct doc {
    char item_id[24], kind[8], title[64], compact[64], alt[64], titles[128];
    int popularity;
};

static struct doc docs[DOCS];

static const char *const WORDS[] = {"love",  "night", "river", "red",  "blue",
                                    "green", "stone", "glass", "iron", "woman"};

static uint32_t next(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static void catalogue(void)
{
    uint32_t s = 20261203;
    for (int i = 0; i < DOCS; i++) {
        struct doc *d = &docs[i];
        snprintf(d->item_id, sizeof(d->item_id), "item-%05d", i);
        /* People without credits: no one may see them. */
        snprintf(d->kind, sizeof(d->kind), "%s", i % 97 == 0 ? "person" : "movie");
        int n = 1 + (int)(next(&s) % 3);
        d->title[0] = d->compact[0] = d->alt[0] = 0;
        if (i % 41 == 0) {
            snprintf(d->title, sizeof(d->title), "riefen");
        } else if (i % 300 == 1) {
            snprintf(d->title, sizeof(d->title), "woman"); /* exact */
        } else {
            for (int w = 0; w < n; w++) {
                const char *word = WORDS[next(&s) % 10];
                size_t len = strlen(d->title);
                snprintf(d->title + len, sizeof(d->title) - len, "%s%s", len ? " " : "", word);
            }
        }
        /* Some carry the word in their other title only. */
        if (i % 250 == 3) snprintf(d->alt, sizeof(d->alt), "womanhood");
        size_t k = 0;
        for (const char *p = d->title; *p; p++)
            if (*p != ' ') d->compact[k++] = *p;
        d->compact[k] = 0;
        char titles[sizeof(d->titles)];
        snprintf(titles, sizeof(titles), "%s%s%s", d->title, d->alt[0] ? " " : "", d->alt);
        memcpy(d->titles, titles, sizeof(titles));
        d->popularity = (int)(next(&s) % 500); /* many ties */
    }
}

static const struct mq_sql SQL_DOC = {
    "test.search_doc",
    "INSERT INTO search_docs (doc_id, item_id, kind, title, sort_title, title_compact, "
    "alt_compact, p2, p3, p4, p6, titles, people, extra, overview, popularity, added_at, "
    "indexed_at) VALUES ($1, $2, $3, $4, $4, $5, $6, substr($5, 1, 2), substr($5, 1, 3), "
    "substr($5, 1, 4), substr($5, 1, 6), $7, '', '', '', $8, 0, 0)",
    "INSERT INTO search_docs (doc_id, item_id, kind, title, sort_title, title_compact, "
    "alt_compact, p2, p3, p4, p6, titles, people, extra, overview, popularity, added_at, "
    "indexed_at, doc) VALUES ($1, $2, $3, $4, $4, $5, $6, substr($5, 1, 2), substr($5, 1, 3), "
    "substr($5, 1, 4), substr($5, 1, 6), $7, '', '', '', $8, 0, 0, "
    "setweight(to_tsvector('simple', $7), 'A'))"};

static void load(struct db_fixture *f)
{
    struct mq_db *db = NULL;
    assert_int_equal(mq_store_begin(f->store, MQ_DB_WRITE, &db), MQ_OK);
    for (int i = 0; i < DOCS; i++) {
        const struct doc *d = &docs[i];
        struct mq_param p[] = {MQ_P_INT(i + 1),      MQ_P_TEXT(d->item_id),  MQ_P_TEXT(d->kind),
                               MQ_P_TEXT(d->title),  MQ_P_TEXT(d->compact),  MQ_P_TEXT(d->alt),
                               MQ_P_TEXT(d->titles), MQ_P_INT(d->popularity)};
        assert_int_equal(mq_db_exec(db, &SQL_DOC, p, 8, NULL), MQ_OK);
    }
    assert_int_equal(mq_store_commit(db), MQ_OK);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int tier_of(const struct doc *d, const char *compact)
{
    if (!strcmp(d->compact, compact) || !strcmp(d->alt, compact)) return 6;
    if (starts(d->compact, compact) || starts(d->alt, compact)) return 4;
    return 2;
}

static bool has_words(const struct doc *d, const char *const *words, int n)
{
    for (int w = 0; w < n; w++) {
        bool found = false;
        char copy[128];
        snprintf(copy, sizeof(copy), "%s", d->titles);
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && !found;
             t = strtok_r(NULL, " ", &save))
            found = !strcmp(t, words[w]);
        if (!found) return false;
    }
    return true;
}

static const char *g_compact;

static int better(const void *x, const void *y)
{
    const struct doc *a = *(const struct doc *const *)x, *b = *(const struct doc *const *)y;
    int ta = tier_of(a, g_compact), tb = tier_of(b, g_compact);
    if (ta != tb) return tb - ta;
    if (a->popularity != b->popularity) return b->popularity - a->popularity;
    size_t la = strlen(a->compact), lb = strlen(b->compact);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(a->item_id, b->item_id);
}

/* The ten expected for words (compact: what was typed without spaces). */
static size_t expected(const char *const *words, int n, const char *compact, const char **out)
{
    static const struct doc *m[DOCS];
    size_t k = 0;
    for (int i = 0; i < DOCS; i++)
        if (!strcmp(docs[i].kind, "movie") && has_words(&docs[i], words, n)) m[k++] = &docs[i];
    g_compact = compact;
    qsort(m, k, sizeof(*m), better);
    for (size_t i = 0; i < k && i < 10; i++) out[i] = m[i]->item_id;
    return k;
}

static void check_as(struct db_fixture *f, const char *const *words, int n, const char *compact,
                     size_t min_matches, size_t max_matches, bool unrestricted)
{
    const char *want[10];
    size_t matches = expected(words, n, compact, want);
    assert_in_range(matches, min_matches, max_matches);
    struct mq_search_terms t = {.nwords = n, .compact = compact, .compact_full = compact};
    for (int i = 0; i < n; i++) t.words[i] = words[i];
    struct mq_search_filter filter = {
        .visible_json = "[]", .unrestricted = unrestricted, .has_file = -1, .hdr = -1};
    struct mq_arena *a = mq_arena_new(1 << 16);
    struct mq_db *db = NULL;
    struct mq_search_hit *hits = NULL;
    size_t got = 0;
    assert_int_equal(mq_store_begin(f->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_search_complete(db, a, &t, &filter, 10, &hits, &got), MQ_OK);
    mq_store_rollback(db);
    assert_int_equal(got, matches < 10 ? matches : 10);
    for (size_t i = 0; i < got; i++) assert_string_equal(hits[i].doc_id, want[i]);
    mq_arena_free(a);
}

/* Each query as a member who sees everything (the walk, where it pays)
 * and as one who may not (every match read): the same ten. */
static void check(struct db_fixture *f, const char *const *words, int n, const char *compact,
                  size_t min_matches, size_t max_matches)
{
    check_as(f, words, n, compact, min_matches, max_matches, true);
    check_as(f, words, n, compact, min_matches, max_matches, false);
}

static void ranks(bool postgres)
{
    struct db_fixture *f = fixture_open(postgres, 2, true);
    if (!f) {
        skip();
        return;
    }
    load(f);
    /* One title in eight or so: past the square root of 12,000, walked. */
    check(f, (const char *const[]){"woman"}, 1, "woman", 1000, 5000);
    /* Typed further: the titles and other titles starting with it first. */
    check(f, (const char *const[]){"woman"}, 1, "womanh", 1000, 5000);
    check(f, (const char *const[]){"love", "night"}, 2, "lovenight", 200, 2000);
    /* A common word typed after another, which need not match ("glass
     * woman", "glass" optional): few titles start so, most ranks come from
     * the walk. */
    check(f, (const char *const[]){"woman"}, 1, "glasswoman", 1000, 5000);
    check(f, (const char *const[]){"night"}, 1, "xnight", 1000, 5000);
    /* Rare: each match read. */
    check(f, (const char *const[]){"riefen"}, 1, "riefen", 100, 400);
    check(f, (const char *const[]){"iron", "glass", "stone"}, 3, "ironglassstone", 1, 127);
    fixture_close(f);
}

static void test_sqlite_plans_rank_alike(void **state)
{
    (void)state;
    ranks(false);
}

/* PostgreSQL has one plan; the same answers. */
static void test_postgres_ranks_alike(void **state)
{
    (void)state;
    ranks(true);
}

int main(void)
{
    catalogue();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_plans_rank_alike),
        cmocka_unit_test(test_postgres_ranks_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
