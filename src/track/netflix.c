#include "track/netflix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEGMENTS_MAX 16

/* ---- titles ------------------------------------------------------------ */

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* A season or episode number: digits, roman numerals (Netflix writes "Part
 * l" and "ll" with a lower-case L for I), at most 999. */
static int number_of(const char *s, size_t n)
{
    if (!n || n > 6) return -1;
    if (isdigit((unsigned char)s[0])) {
        int v = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isdigit((unsigned char)s[i]) || v > 99) return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    }
    int v = 0, prev = 0;
    for (size_t i = n; i-- > 0;) {
        int d;
        switch (s[i]) {
        case 'i':
        case 'I':
        case 'l': d = 1; break;
        case 'v':
        case 'V': d = 5; break;
        case 'x':
        case 'X': d = 10; break;
        default: return -1;
        }
        v += d < prev ? -d : d;
        if (d > prev) prev = d;
    }
    return v > 0 && v < 40 ? v : -1;
}

/* The words that announce a season in the languages exports use. */
static const char *const SEASON_WORDS[] = {
    "season", "series", "staffel", "temporada", "seizoen", "saison", "stagione",
    "sezon",  "sæson",  "säsong",  "sesong",    "kausi",   "part",   "parte",
    "teil",   "deel",   "partie",  "volume",    "vol.",    "book",   NULL};
static const char *const LIMITED[] = {"limited series",
                                      "miniseries",
                                      "mini-series",
                                      "miniserie",
                                      "mini-serie",
                                      "serie limitada",
                                      "série limitée",
                                      "limited edition series",
                                      NULL};

/* "word N" for one of the words: N, or -1. */
static int labelled(const char *s, size_t n, const char *const *words)
{
    for (int w = 0; words[w]; w++) {
        size_t k = strlen(words[w]);
        if (n > k + 1 && !strncasecmp(s, words[w], k) && s[k] == ' ') {
            const char *num = s + k + 1;
            size_t m = n - k - 1;
            trim(&num, &m);
            int v = number_of(num, m);
            if (v >= 0) return v;
        }
    }
    return -1;
}

int mq_netflix_season(const char *seg, size_t n, const char *show)
{
    trim(&seg, &n);
    if (!n) return -1;
    for (int i = 0; LIMITED[i]; i++)
        if (n == strlen(LIMITED[i]) && !strncasecmp(seg, LIMITED[i], n)) return 1;
    int v = labelled(seg, n, SEASON_WORDS);
    if (v >= 0) return v;
    /* The show's own name with a number: "Stranger Things 4". */
    size_t k = show ? strlen(show) : 0;
    if (k && n > k + 1 && !strncasecmp(seg, show, k) && seg[k] == ' ') {
        const char *num = seg + k + 1;
        size_t m = n - k - 1;
        trim(&num, &m);
        return number_of(num, m);
    }
    return -1;
}

/* Episode words, and the chapter words shows use for episodes ("Chapter
 * 1", "Hoofdstuk 1"; "Chapter One: ..." is a title, as its number is a
 * word). */
static const char *const EPISODE_WORDS[] = {
    "episode",  "aflevering", "afl.",  "folge",   "capítulo",  "capitulo", "episodio", "épisode",
    "episódio", "odcinek",    "jakso", "chapter", "hoofdstuk", "kapitel",  "chapitre", NULL};

/* "Episode 19" is episode 19; "Title (Folge 5)" is episode 5 called Title
 * (*n shortened to the title). */
static int episode_number(const char *s, size_t *n)
{
    int v = labelled(s, *n, EPISODE_WORDS);
    if (v >= 0) return v;
    if (*n > 4 && s[*n - 1] == ')') {
        const char *open = NULL;
        for (size_t i = *n - 1; i-- > 0;)
            if (s[i] == '(') {
                open = s + i;
                break;
            }
        if (open) {
            size_t m = (size_t)(s + *n - 1 - open - 1);
            v = labelled(open + 1, m, EPISODE_WORDS);
            if (v >= 0) {
                size_t keep = (size_t)(open - s);
                while (keep && s[keep - 1] == ' ') keep--;
                if (keep) *n = keep;
                return v;
            }
        }
    }
    return -1;
}

mq_err mq_netflix_split(struct mq_arena *a, const char *title, mq_netflix_known_fn known, void *arg,
                        struct mq_netflix_title *out)
{
    memset(out, 0, sizeof(*out));
    out->season = out->episode_no = -1;
    size_t len = strnlen(title, MQ_NETFLIX_TITLE_MAX);
    const char *t = title;
    trim(&t, &len);
    /* Segments at each ": " (an empty label, ":  :", is a segment of
     * spaces). */
    const char *seg[SEGMENTS_MAX];
    size_t segn[SEGMENTS_MAX], nseg = 0;
    const char *p = t, *end = t + len;
    while (nseg < SEGMENTS_MAX - 1) {
        const char *c = p;
        while (c + 1 < end && !(c[0] == ':' && c[1] == ' ')) c++;
        if (c + 1 >= end) break;
        seg[nseg] = p;
        segn[nseg++] = (size_t)(c - p);
        p = c + 2;
    }
    seg[nseg] = p;
    segn[nseg++] = (size_t)(end - p);

    /* The show: the longest known prefix, else up to a season label, else
     * the first segment. k is how many segments it takes. */
    size_t k = 0;
    if (known)
        for (size_t i = nseg; i > 0 && !k; i--)
            if (known(arg, t, (size_t)(seg[i - 1] + segn[i - 1] - t))) k = i;
    for (size_t i = 1; !k && i < nseg; i++) {
        char *show = mq_arena_strndup(a, t, (size_t)(seg[i - 1] + segn[i - 1] - t));
        if (!show) return MQ_ENOMEM;
        if (mq_netflix_season(seg[i], segn[i], show) >= 0) k = i;
    }
    if (!k) k = 1;
    out->show = mq_arena_strndup(a, t, (size_t)(seg[k - 1] + segn[k - 1] - t));
    if (!out->show) return MQ_ENOMEM;
    if (k == nseg) return MQ_OK;

    size_t i = k;
    const char *l = seg[i];
    size_t ln = segn[i];
    trim(&l, &ln);
    int season = mq_netflix_season(l, ln, out->show);
    if (season >= 0 || !ln) {
        /* A label, or an empty one. */
        out->season = season;
        if (ln && !(out->season_label = mq_arena_strndup(a, l, ln))) return MQ_ENOMEM;
        i++;
    }
    if (i == nseg) return MQ_OK;
    const char *e = seg[i];
    size_t en = (size_t)(end - e);
    trim(&e, &en);
    if (!en) return MQ_OK;
    out->episode_no = episode_number(e, &en);
    out->episode = mq_arena_strndup(a, e, en);
    return out->episode ? MQ_OK : MQ_ENOMEM;
}

/* ---- dates --------------------------------------------------------------- */

/* Up to three numbers separated by '/', '-' or '.'; how many. */
static int numbers(const char *s, int v[3], int digits[3])
{
    int n = 0;
    while (*s == ' ') s++;
    while (n < 3) {
        if (!isdigit((unsigned char)*s)) return -1;
        v[n] = 0;
        digits[n] = 0;
        while (isdigit((unsigned char)*s) && digits[n] < 4) {
            v[n] = v[n] * 10 + (*s++ - '0');
            digits[n]++;
        }
        n++;
        if (n < 3 && *s != '/' && *s != '-' && *s != '.') return -1;
        if (n < 3) s++;
    }
    while (*s == ' ') s++;
    return *s ? -1 : n;
}

void mq_netflix_date_vote(const char *s, struct mq_date_votes *v)
{
    int n[3], d[3];
    if (numbers(s, n, d) != 3 || d[0] == 4) return;
    if (n[0] > 12 && n[1] <= 12) v->day_first++;
    if (n[1] > 12 && n[0] <= 12) v->month_first++;
}

bool mq_netflix_day_first(const struct mq_date_votes *v)
{
    return v->day_first > v->month_first;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
    return m != 2 || d < 29 || leap;
}

bool mq_netflix_date(const char *s, bool day_first, int64_t *ms)
{
    int n[3], dg[3], y, m, d;
    if (numbers(s, n, dg) != 3) return false;
    if (dg[0] == 4) {
        y = n[0], m = n[1], d = n[2];
    } else {
        y = dg[2] <= 2 ? 2000 + n[2] : n[2];
        m = day_first ? n[1] : n[0];
        d = day_first ? n[0] : n[1];
    }
    if (!valid_date(y, m, d)) return false;
    *ms = days_from_civil(y, m, d) * 86400000 + 12 * 3600000;
    return true;
}

static bool two(const char *s, int *v)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) return false;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

bool mq_netflix_hms(const char *s, int64_t *ms)
{
    int h = 0, m, sec;
    size_t n = strlen(s);
    if (n != 8 || s[2] != ':' || s[5] != ':' || !two(s, &h) || !two(s + 3, &m) ||
        !two(s + 6, &sec) || m > 59 || sec > 59)
        return false;
    *ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000;
    return true;
}

bool mq_netflix_instant(const char *s, int64_t *ms)
{
    int y1, y2, mo, d, h, mi, sec;
    if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':' || !two(s, &y1) || !two(s + 2, &y2) || !two(s + 5, &mo) || !two(s + 8, &d) ||
        !two(s + 11, &h) || !two(s + 14, &mi) || !two(s + 17, &sec))
        return false;
    int y = y1 * 100 + y2;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60) return false;
    *ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000;
    return true;
}
