#include "metadata/score.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Latin letters with marks, as UTF-8 pairs, and what they fold to: enough
 * for the titles of European films and books ("Amélie", "Léon", "Das
 * Boot", "Mad Max: Fury Road"). Other scripts are compared as they are. */
static const struct {
    unsigned char b1, lo, hi;
    char to;
} FOLDS[] = {
    {0xc3, 0x80, 0x85, 'a'}, {0xc3, 0x87, 0x87, 'c'}, {0xc3, 0x88, 0x8b, 'e'},
    {0xc3, 0x8c, 0x8f, 'i'}, {0xc3, 0x91, 0x91, 'n'}, {0xc3, 0x92, 0x96, 'o'},
    {0xc3, 0x98, 0x98, 'o'}, {0xc3, 0x99, 0x9c, 'u'}, {0xc3, 0x9d, 0x9d, 'y'},
    {0xc3, 0xa0, 0xa5, 'a'}, {0xc3, 0xa7, 0xa7, 'c'}, {0xc3, 0xa8, 0xab, 'e'},
    {0xc3, 0xac, 0xaf, 'i'}, {0xc3, 0xb1, 0xb1, 'n'}, {0xc3, 0xb2, 0xb6, 'o'},
    {0xc3, 0xb8, 0xb8, 'o'}, {0xc3, 0xb9, 0xbc, 'u'}, {0xc3, 0xbd, 0xbd, 'y'},
    {0xc3, 0xbf, 0xbf, 'y'},
};

void mq_title_key(const char *title, char out[MQ_TITLE_KEY_MAX])
{
    size_t o = 0;
    bool space = true;
    const unsigned char *p = (const unsigned char *)(title ? title : "");
    while (*p && o + 4 < MQ_TITLE_KEY_MAX) {
        char c = 0;
        const char *word = NULL;
        if (*p < 0x80) {
            if (isalnum(*p))
                c = (char)tolower(*p);
            else if (*p == '&')
                word = "and";
            else if (*p == '\'' || *p == '`') {
                p++;
                continue; /* "Ocean's" and "Oceans" alike */
            }
            p++;
        } else if (p[0] == 0xc3 && p[1] == 0x9f) { /* ß, inside its word */
            out[o++] = 's';
            out[o++] = 's';
            space = false;
            p += 2;
            continue;
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99)) {
            p += 3; /* ’ as ' */
            continue;
        } else {
            size_t k = 0;
            for (; k < sizeof(FOLDS) / sizeof(FOLDS[0]); k++)
                if (p[0] == FOLDS[k].b1 && p[1] >= FOLDS[k].lo && p[1] <= FOLDS[k].hi) break;
            if (k < sizeof(FOLDS) / sizeof(FOLDS[0])) {
                c = FOLDS[k].to;
                p += 2;
            } else {
                /* Another letter: kept whole. */
                size_t len = (*p & 0xe0) == 0xc0   ? 2
                             : (*p & 0xf0) == 0xe0 ? 3
                             : (*p & 0xf8) == 0xf0 ? 4
                                                   : 1;
                /* A sequence cut short by the end moves only as far as it goes. */
                size_t i = 0;
                for (; i < len && p[i] && o + 4 < MQ_TITLE_KEY_MAX; i++) out[o++] = (char)p[i];
                p += i ? i : 1;
                space = false;
                continue;
            }
        }
        if (word) {
            if (!space) out[o++] = ' ';
            for (; *word && o + 2 < MQ_TITLE_KEY_MAX; word++) out[o++] = *word;
            out[o++] = ' ';
            space = true;
        } else if (c) {
            out[o++] = c;
            space = false;
        } else if (!space) {
            out[o++] = ' ';
            space = true;
        }
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = 0;
}

static const char *skip_article(const char *k)
{
    static const char *const ARTICLES[] = {"the ", "a ",  "an ",  "der ", "die ", "das ",
                                           "le ",  "la ", "les ", "el ",  "il ",  NULL};
    for (int i = 0; ARTICLES[i]; i++)
        if (!strncmp(k, ARTICLES[i], strlen(ARTICLES[i])) && k[strlen(ARTICLES[i])])
            return k + strlen(ARTICLES[i]);
    return k;
}

/* Dice over words: 2 * shared / (words of a + words of b). */
static double word_dice(const char *a, const char *b)
{
    char wa[64][64], wb[64][64];
    int na = 0, nb = 0;
    for (const char *s = a; *s && na < 64;) {
        size_t n = strcspn(s, " ");
        if (n && n < 64) memcpy(wa[na], s, n), wa[na++][n] = 0;
        s += n + (s[n] == ' ');
    }
    for (const char *s = b; *s && nb < 64;) {
        size_t n = strcspn(s, " ");
        if (n && n < 64) memcpy(wb[nb], s, n), wb[nb++][n] = 0;
        s += n + (s[n] == ' ');
    }
    if (!na || !nb) return 0;
    bool used[64] = {0};
    int shared = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (!used[j] && !strcmp(wa[i], wb[j])) {
                used[j] = true;
                shared++;
                break;
            }
    return 2.0 * shared / (na + nb);
}

/* Dice over letter pairs, spaces left out. */
static double pair_dice(const char *a, const char *b)
{
    char sa[MQ_TITLE_KEY_MAX], sb[MQ_TITLE_KEY_MAX];
    size_t la = 0, lb = 0;
    for (const char *s = a; *s; s++)
        if (*s != ' ') sa[la++] = *s;
    for (const char *s = b; *s; s++)
        if (*s != ' ') sb[lb++] = *s;
    if (la < 2 || lb < 2) return la == lb && !memcmp(sa, sb, la) ? 1 : 0;
    bool used[MQ_TITLE_KEY_MAX] = {0};
    int shared = 0;
    for (size_t i = 0; i + 1 < la; i++)
        for (size_t j = 0; j + 1 < lb; j++)
            if (!used[j] && sa[i] == sb[j] && sa[i + 1] == sb[j + 1]) {
                used[j] = true;
                shared++;
                break;
            }
    return 2.0 * shared / (double)(la - 1 + lb - 1);
}

int mq_title_similarity(const char *a, const char *b)
{
    char ka[MQ_TITLE_KEY_MAX], kb[MQ_TITLE_KEY_MAX];
    mq_title_key(a, ka);
    mq_title_key(b, kb);
    if (!ka[0] || !kb[0]) return 0;
    if (!strcmp(ka, kb)) return 1000;
    const char *xa = skip_article(ka), *xb = skip_article(kb);
    if (!strcmp(xa, xb)) return 980;
    double w = word_dice(xa, xb), p = pair_dice(xa, xb);
    double s = 0.5 * w + 0.5 * p;
    /* One title the other's start ("Alien" in "Alien: Covenant") is not
     * the same work, whatever the letters share: capped below a match. */
    return (int)(s * 950);
}

static int year_points(int want, int have)
{
    if (!want || !have) return 500; /* unknown: neither for nor against */
    int d = abs(want - have);
    return d == 0 ? 1000 : d == 1 ? 600 : d == 2 ? 200 : 0;
}

static int by_score(const void *x, const void *y)
{
    const struct mq_candidate *a = x, *b = y;
    if (a->score != b->score) return b->score - a->score;
    return a->popularity < b->popularity ? 1 : a->popularity > b->popularity ? -1 : 0;
}

void mq_score_candidates(const struct mq_md_query *q, struct mq_candidate *c, size_t n)
{
    double top_pop = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].popularity > top_pop) top_pop = c[i].popularity;
    for (size_t i = 0; i < n; i++) {
        int sim = mq_title_similarity(q->title, c[i].title);
        if (c[i].original_title) {
            int o = mq_title_similarity(q->title, c[i].original_title);
            if (o > sim) sim = o;
        }
        int pop = top_pop > 0 ? (int)(1000 * c[i].popularity / top_pop) : 500;
        /* 70% title, 20% year, 10% how well known among the results. */
        c[i].score = (sim * 70 + year_points(q->year, c[i].year) * 20 + pop * 10) / 100;
        /* A title that is not the same one cannot be rescued by the rest. */
        if (sim < 900 && c[i].score > sim) c[i].score = sim;
    }
    if (n > 1) qsort(c, n, sizeof(*c), by_score);
}

int mq_score_confidence(const struct mq_candidate *c, size_t n)
{
    if (!n) return 0;
    /* Two of one title and nothing to tell them apart (no year, equal
     * fame): neither is sure, however well each matches. */
    int score = c[0].score;
    if (n > 1 && c[0].score - c[1].score < 100) score -= (100 - (c[0].score - c[1].score)) * 2;
    return score < 0 ? 0 : score;
}

int mq_score_runtime(int score, int64_t runtime_min, int64_t duration_min)
{
    if (runtime_min <= 0 || duration_min <= 0) return score;
    int64_t d =
        runtime_min > duration_min ? runtime_min - duration_min : duration_min - runtime_min;
    /* A cut or credits differ by minutes; a TV special against a feature
     * by half. */
    if (d * 100 <= runtime_min * 15) return score;
    score -= d * 100 > runtime_min * 40 ? 150 : 50;
    return score < 0 ? 0 : score;
}

static bool add_variant(char (*out)[MQ_VARIANT_MAX], size_t *n, size_t max, const char *orig,
                        const char *v)
{
    char k[MQ_TITLE_KEY_MAX], ko[MQ_TITLE_KEY_MAX];
    mq_title_key(v, k);
    mq_title_key(orig, ko);
    if (!k[0] || !strcmp(k, ko) || *n >= max) return false;
    for (size_t i = 0; i < *n; i++) {
        char ki[MQ_TITLE_KEY_MAX];
        mq_title_key(out[i], ki);
        if (!strcmp(ki, k)) return false;
    }
    snprintf(out[(*n)++], MQ_VARIANT_MAX, "%s", v);
    return true;
}

size_t mq_title_variants(const char *title, char (*out)[MQ_VARIANT_MAX], size_t max)
{
    size_t n = 0;
    char base[MQ_VARIANT_MAX];
    /* Without "(...)" and "[...]". */
    size_t o = 0;
    int depth = 0;
    for (const char *p = title; *p && o + 1 < sizeof(base); p++) {
        if (*p == '(' || *p == '[')
            depth++;
        else if ((*p == ')' || *p == ']') && depth)
            depth--;
        else if (!depth)
            base[o++] = *p;
    }
    base[o] = 0;
    add_variant(out, &n, max, title, base);
    /* A scene group glued before the title: "blow-how to be single". */
    const char *dash = strchr(base, '-'), *space = strchr(base, ' ');
    if (dash && dash > base && dash - base <= 10 && (!space || space > dash) && dash[1])
        add_variant(out, &n, max, title, dash + 1);
    /* Without leading numbers: "08 03 09 The Doors". */
    char key[MQ_TITLE_KEY_MAX];
    mq_title_key(base, key);
    const char *rest = key;
    while (*rest >= '0' && *rest <= '9') {
        const char *sp = strchr(rest, ' ');
        if (!sp || !strchr(sp + 1, ' ')) break; /* keep two words at least */
        rest = sp + 1;
    }
    if (rest != key) add_variant(out, &n, max, title, rest);
    /* Then a word fewer each time, down to one. */
    char cut[MQ_TITLE_KEY_MAX];
    snprintf(cut, sizeof(cut), "%s", rest);
    for (char *sp; n < max && (sp = strrchr(cut, ' '));) {
        *sp = 0;
        add_variant(out, &n, max, title, cut);
    }
    return n;
}
