/* names.c - reads a release or library path the way people name files.
 *
 * The file's own name is cut into tokens at '.', '_', ' ' and brackets.
 * Every token that is a marker (season and episode, year, date, quality,
 * edition, language, catalogue id) is classified; the title is the text
 * before the first marker, the episode title the text after the episode
 * marker. What the name lacks (a title, a season, a year) is taken from the
 * folders above it, skipping generic ones ("Movies", "Season 1", "Extras"). */
#include "media/names.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

#define NAME_BYTES_MAX 1024 /* of the file's own name; the rest is ignored */
#define TOKENS_MAX     96

struct tok {
    size_t off, len;
    bool bracket; /* inside [], (), {} */
    bool dash;    /* a lone "-" (or "–") between words */
    char low[48]; /* ASCII lower-case copy, cut */
};

struct parse {
    const char *s; /* the name being read */
    size_t n;
    struct tok t[TOKENS_MAX];
    int ntok;
    bool spaced; /* the name uses spaces, so its dots are its own */
};

static const char *const VIDEO_EXT[] = {"mkv",  "mp4",  "m4v",  "avi", "mov",  "wmv",  "mpg",
                                        "mpeg", "ts",   "m2ts", "mts", "webm", "flv",  "ogv",
                                        "vob",  "divx", "3gp",  "iso", "asf",  "rmvb", NULL};
static const char *const OTHER_EXT[] = {"srt",  "ass", "ssa", "vtt", "sub",  "idx", "sup",
                                        "nfo",  "m4b", "mp3", "m4a", "flac", "ogg", "opus",
                                        "epub", "pdf", "cbz", "cbr", "jpg",  "png", NULL};

/* The number a token starts with (tokens are short: no overflow). */
static int num(const char *s)
{
    long v = strtol(s, NULL, 10);
    return v > 100000 || v < 0 ? 0 : (int)v;
}

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list)) return true;
    return false;
}

bool mq_name_is_video_ext(const char *ext)
{
    char low[8];
    size_t n = strlen(ext);
    if (n == 0 || n >= sizeof(low)) return false;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)ext[i]);
    return in_list(low, VIDEO_EXT);
}

static bool all_digits(const char *w, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)w[i])) return false;
    return true;
}

/* The number at *p (at most 4 digits), advancing *p; -1 if none. */
static int number_at(const char **p)
{
    int v = 0, d = 0;
    while (isdigit((unsigned char)**p) && d < 4) v = v * 10 + (*(*p)++ - '0'), d++;
    return d ? v : -1;
}

static void add_episode(struct mq_name *nm, int e)
{
    if (e < 0 || nm->nepisodes >= MQ_NAME_EPISODES_MAX) return;
    for (int i = 0; i < nm->nepisodes; i++)
        if (nm->episodes[i] == e) return;
    nm->episodes[nm->nepisodes++] = e;
}

/* Episodes after the first in one token: "E02", "-E02", "-02" (a range),
 * "+02", "x02". Returns false when the rest is not all episodes. */
static bool more_episodes(struct mq_name *nm, const char *p)
{
    while (*p) {
        bool range = false;
        if (*p == '-')
            range = true, p++;
        else if (*p == '+' || *p == '&')
            p++;
        if (*p == 'e' || *p == 'x') p++;
        int e = number_at(&p);
        if (e < 0) return false;
        int last = nm->nepisodes ? nm->episodes[nm->nepisodes - 1] : e;
        if (range && e > last && e - last < MQ_NAME_EPISODES_MAX)
            for (int k = last + 1; k <= e; k++) add_episode(nm, k);
        else
            add_episode(nm, e);
        if (*p == 'v' && isdigit((unsigned char)p[1])) break; /* "E02v2": a revision */
    }
    return true;
}

/* "s01e02", "s01e01e02", "s01e01-02", "s01", "s01extras", "1x02", "5x44x45".
 * Fills season and episodes; false when the token is none of these. */
static bool episode_token(struct mq_name *nm, const char *w)
{
    const char *p = w;
    if (p[0] == 's' && isdigit((unsigned char)p[1])) {
        p++;
        int season = number_at(&p);
        if (season < 0 || (season > 200 && *p != 'e')) return false;
        if (*p == '-' && p[1] == 's') p += strlen(p); /* "S01-S10": a pack from the first */
        if (*p == 0 || !strcmp(p, "extras") || !strcmp(p, "complete")) {
            nm->season = season;
            if (*p == 'e') nm->extra = MQ_EXTRA_FEATURETTE;
            return true;
        }
        if (*p != 'e' || !isdigit((unsigned char)p[1])) return false;
        p++;
        int e = number_at(&p);
        struct mq_name save = *nm;
        nm->season = season;
        add_episode(nm, e);
        if (*p == 'v' && isdigit((unsigned char)p[1])) return true;
        if (!more_episodes(nm, p)) {
            *nm = save;
            return false;
        }
        return true;
    }
    if (p[0] == 'e' && isdigit((unsigned char)p[1])) {
        /* "E02" alone: an episode without a season. */
        struct mq_name save = *nm;
        if (!more_episodes(nm, p)) {
            *nm = save;
            return false;
        }
        return true;
    }
    if (isdigit((unsigned char)p[0])) {
        int season = number_at(&p);
        if (p - w > 2 || *p != 'x' || !isdigit((unsigned char)p[1])) return false;
        const char *q = p + 1;
        int e = number_at(&q);
        if (q - p - 1 > 3 || e < 0) return false;
        struct mq_name save = *nm;
        nm->season = season;
        add_episode(nm, e);
        if (!more_episodes(nm, q)) {
            *nm = save;
            return false;
        }
        return true;
    }
    return false;
}

static const char *const SOURCES[][2] = {{"bluray", "bluray"}, {"blu-ray", "bluray"},
                                         {"bdrip", "bluray"},  {"brrip", "bluray"},
                                         {"bdremux", "remux"}, {"remux", "remux"},
                                         {"bd", "bluray"},     {"bdmv", "bluray"},
                                         {"web-dl", "webdl"},  {"webdl", "webdl"},
                                         {"webrip", "webrip"}, {"web-rip", "webrip"},
                                         {"web", "webdl"},     {"webuhd", "webdl"},
                                         {"amzn", "webdl"},    {"nf", "webdl"},
                                         {"hdtv", "hdtv"},     {"pdtv", "hdtv"},
                                         {"sdtv", "sdtv"},     {"dsr", "sdtv"},
                                         {"tvrip", "sdtv"},    {"dvdrip", "dvd"},
                                         {"dvd", "dvd"},       {"dvdr", "dvd"},
                                         {"dvd5", "dvd"},      {"dvd9", "dvd"},
                                         {"ntsc", "dvd"},      {"pal", "dvd"},
                                         {"hdrip", "hdrip"},   {"hdcam", "cam"},
                                         {"cam", "cam"},       {"camrip", "cam"},
                                         {"ts", "telesync"},   {"telesync", "telesync"},
                                         {"hdts", "telesync"}, {"tc", "telecine"},
                                         {"r5", "dvd"},        {"dvdscr", "screener"},
                                         {"scr", "screener"},  {"screener", "screener"},
                                         {"ppv", "ppv"},       {"vhsrip", "vhs"},
                                         {"vhs", "vhs"},       {"hddvd", "hddvd"},
                                         {"hd-dvd", "hddvd"},  {"uhd", "bluray"},
                                         {"satrip", "sdtv"},   {"dvb", "sdtv"},
                                         {"webhd", "webdl"},   {"dl", ""},
                                         {NULL, NULL}};

/* Words that never start a title and end it where they stand: codecs,
 * audio, flags of the release, languages. */
static const char *const MARKERS[] = {
    "x264",       "x265",     "h264",  "h265",  "hevc",    "avc",      "xvid",    "divx",
    "10bit",      "8bit",     "hdr",   "hdr10", "hdr10+",  "dolby",    "dv",      "aac",
    "aac2",       "ac3",      "dts",   "dd5",   "dd2",     "ddp5",     "ddp",     "truehd",
    "atmos",      "flac",     "eac3",  "mp3",   "proper",  "repack",   "rerip",   "internal",
    "limited",    "complete", "multi", "dual",  "dubbed",  "subbed",   "german",  "french",
    "truefrench", "vostfr",   "vff",   "ita",   "spanish", "hindi",    "nl-subs", "eng",
    "fansub",     "readnfo",  "hc",    "hq",    "sdr",     "upscaled", "hybrid",  "dd+",
    "dts-hd",     "hi10p",    "ws",    "fs",    "4k",      "uhd",      "bt2020",  "imax",
    "480p",       "720p",     NULL};

static const char *const EDITIONS[][2] = {{"extended", "Extended"},
                                          {"unrated", "Unrated"},
                                          {"theatrical", "Theatrical"},
                                          {"remastered", "Remastered"},
                                          {"uncut", "Uncut"},
                                          {"uncensored", "Uncensored"},
                                          {"criterion", "Criterion"},
                                          {"restored", "Restored"},
                                          {"imax", "IMAX"},
                                          {"ultimate", "Ultimate"},
                                          {"special", "Special"},
                                          {"collector", "Collector"},
                                          {NULL, NULL}};

static bool resolution_token(const char *w, char out[8])
{
    size_t n = strlen(w);
    if (!strcmp(w, "4k") || !strcmp(w, "uhd") || !strcmp(w, "2160p")) {
        memcpy(out, "2160p", 6);
        return true;
    }
    if (n >= 4 && n <= 5 && all_digits(w, n - 1) && (w[n - 1] == 'p' || w[n - 1] == 'i')) {
        int v = num(w);
        if (v < 240 || v > 4320) return false;
        memcpy(out, w, n + 1);
        return true;
    }
    /* "1920x1080" */
    const char *x = strchr(w, 'x');
    if (x && x - w >= 3 && x - w <= 4 && all_digits(w, (size_t)(x - w)) &&
        all_digits(x + 1, strlen(x + 1)) && strlen(x + 1) >= 3 && strlen(x + 1) <= 4) {
        snprintf(out, 8, "%dp", num(x + 1) > 9999 ? 0 : num(x + 1));
        return true;
    }
    return false;
}

static const char *source_of(const char *w)
{
    for (int i = 0; SOURCES[i][0]; i++)
        if (!strcmp(w, SOURCES[i][0])) return SOURCES[i][1];
    return NULL;
}

static bool year_token(const struct tok *t)
{
    if (t->len != 4 || !all_digits(t->low, 4)) return false;
    int y = num(t->low);
    return y >= 1890 && y <= 2099;
}

/* A catalogue id in a token: "tmdb-603", "tmdbid-603", "imdbid-tt0133093",
 * "tt0133093", "tvdb-81189". */
static bool id_token(struct mq_name *nm, const char *w)
{
    static const struct {
        const char *prefix;
        size_t off;
    } forms[] = {{"tmdbid-", offsetof(struct mq_name, tmdb_id)},
                 {"tmdb-", offsetof(struct mq_name, tmdb_id)},
                 {"imdbid-", offsetof(struct mq_name, imdb_id)},
                 {"imdb-", offsetof(struct mq_name, imdb_id)},
                 {"tvdbid-", offsetof(struct mq_name, tvdb_id)},
                 {"tvdb-", offsetof(struct mq_name, tvdb_id)}};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t k = strlen(forms[i].prefix);
        if (strncmp(w, forms[i].prefix, k)) continue;
        const char *v = w + k;
        size_t n = strlen(v);
        if (!n || n >= 16) return false;
        for (size_t j = 0; j < n; j++)
            if (!isalnum((unsigned char)v[j])) return false;
        memcpy((char *)nm + forms[i].off, v, n + 1);
        return true;
    }
    size_t n = strlen(w);
    if (n >= 9 && n <= 11 && w[0] == 't' && w[1] == 't' && all_digits(w + 2, n - 2)) {
        memcpy(nm->imdb_id, w, n + 1);
        return true;
    }
    return false;
}

static bool is_sep(unsigned char c)
{
    return c == '.' || c == '_' || c == ' ' || c == '[' || c == ']' || c == '(' || c == ')' ||
           c == '{' || c == '}' || c == ',';
}

/* "Band_of_Brothers-e01-Currahee", "Mad.M-5x9": a dash between a word and
 * a marker separates them. */
static bool dash_break(const struct parse *ps, size_t start, size_t i)
{
    const char *s = ps->s;
    if (s[i] != '-' || i == start || !isalpha((unsigned char)s[i - 1]) || i + 2 >= ps->n)
        return false;
    unsigned char a = (unsigned char)tolower((unsigned char)s[i + 1]);
    if ((a == 's' || a == 'e' || a == 'x' || a == 'f') && isdigit((unsigned char)s[i + 2]))
        return true;
    return isdigit(a) && (s[i + 2] == 'x' ||
                          (isdigit((unsigned char)s[i + 2]) && i + 3 < ps->n && s[i + 3] == 'x'));
}

static void tokenize(struct parse *ps)
{
    int depth = 0;
    ps->ntok = 0;
    for (size_t i = 0; i < ps->n && ps->ntok < TOKENS_MAX;) {
        unsigned char c = (unsigned char)ps->s[i];
        if (c == '[' || c == '(' || c == '{') depth++;
        if ((c == ']' || c == ')' || c == '}') && depth > 0) depth--;
        if (is_sep(c)) {
            i++;
            continue;
        }
        if (c == '-' && ps->ntok && ps->t[ps->ntok - 1].off + ps->t[ps->ntok - 1].len == i &&
            dash_break(ps, ps->t[ps->ntok - 1].off, i)) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < ps->n && !is_sep((unsigned char)ps->s[i]) && !dash_break(ps, start, i)) i++;
        struct tok *t = &ps->t[ps->ntok++];
        t->off = start;
        t->len = i - start;
        t->bracket = depth > 0;
        size_t k = t->len < sizeof(t->low) - 1 ? t->len : sizeof(t->low) - 1;
        for (size_t j = 0; j < k; j++) t->low[j] = (char)tolower((unsigned char)ps->s[start + j]);
        t->low[k] = 0;
        t->dash = !strcmp(t->low, "-") || !strcmp(t->low, "\xe2\x80\x93") || !strcmp(t->low, "--");
    }
}

/* Is token i the start of a season or episode marker spelled in words
 * ("Season 2", "Season 1 Episode 50", "Episode 4", "Temporada 4")?
 * Returns the tokens it takes, 0 if none. */
static int word_marker(struct parse *ps, int i, struct mq_name *nm)
{
    const char *w = ps->t[i].low;
    bool season_word = !strcmp(w, "season") || !strcmp(w, "seasons") || !strcmp(w, "saison") ||
                       !strcmp(w, "seizoen") || !strcmp(w, "temp") || !strcmp(w, "tem") ||
                       !strcmp(w, "temporada") || !strcmp(w, "stagione") || !strcmp(w, "staffel");
    bool episode_word = !strcmp(w, "episode") || !strcmp(w, "ep") || !strcmp(w, "episodio") ||
                        !strcmp(w, "epi") || !strcmp(w, "folge");
    if (!strcmp(w, "cap") && i + 1 < ps->ntok && all_digits(ps->t[i + 1].low, ps->t[i + 1].len) &&
        ps->t[i + 1].len >= 3 && ps->t[i + 1].len <= 4) {
        /* Spanish releases: "Cap.102" is season 1, episode 2. */
        int v = num(ps->t[i + 1].low);
        if (nm->season < 0) nm->season = v / 100;
        add_episode(nm, v % 100);
        return 2;
    }
    if ((!season_word && !episode_word) || i + 1 >= ps->ntok) return 0;
    int used = 1;
    const char *p = ps->t[i + 1].low;
    int v = number_at(&p);
    if (v < 0) return 0;
    used++;
    if (season_word) {
        nm->season = v;
        /* "Season 1-3", "Season 1&3": the first is the season we keep. */
        if (*p == 'e' || *p == 'x') {
            p++;
            add_episode(nm, number_at(&p));
        }
        while (i + used + 1 < ps->ntok && !strcmp(ps->t[i + used].low, "&")) used += 2;
        if (i + used + 1 < ps->ntok &&
            (!strcmp(ps->t[i + used].low, "episode") || !strcmp(ps->t[i + used].low, "ep"))) {
            const char *q = ps->t[i + used + 1].low;
            int e = number_at(&q);
            if (e >= 0) add_episode(nm, e), used += 2;
        }
    } else {
        add_episode(nm, v);
    }
    return used;
}

/* A date-based episode: "2024.03.15", "2024-03-15". Returns tokens used. */
static int date_marker(struct parse *ps, int i, struct mq_name *nm)
{
    int y = 0, m = 0, d = 0, used = 0;
    const char *w = ps->t[i].low;
    if (ps->t[i].len == 10 && w[4] == '-' && w[7] == '-') {
        if (!all_digits(w, 4) || !all_digits(w + 5, 2) || !all_digits(w + 8, 2)) return 0;
        y = num(w), m = num(w + 5), d = num(w + 8), used = 1;
    } else if (year_token(&ps->t[i]) && i + 2 < ps->ntok && ps->t[i + 1].len == 2 &&
               ps->t[i + 2].len == 2 && all_digits(ps->t[i + 1].low, 2) &&
               all_digits(ps->t[i + 2].low, 2)) {
        y = num(w), m = num(ps->t[i + 1].low), d = num(ps->t[i + 2].low), used = 3;
    }
    if (!used || y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) return 0;
    nm->air_year = y, nm->air_month = m, nm->air_day = d;
    return used;
}

/* Classifies token i: true if it is a marker (the title cannot reach it). */
static bool quality_marker(struct parse *ps, int i, struct mq_name *nm)
{
    const char *w = ps->t[i].low;
    char res[8];
    if (resolution_token(w, res)) {
        if (!nm->resolution[0]) memcpy(nm->resolution, res, sizeof(res));
        return true;
    }
    if (id_token(nm, w)) return true;
    /* "-x02-Stunts": the second extra of the item; "-f21-": the 21st film. */
    /* (Not "x264": a codec, whose digits are three.) */
    if ((w[0] == 'x' || w[0] == 'f') && all_digits(w + 1, strlen(w + 1)) && strlen(w) <= 3) {
        if (w[0] == 'x' && !nm->extra) nm->extra = MQ_EXTRA_FEATURETTE;
        return true;
    }
    /* "WEB-DL", "x264-GRP", "DL-GRP": the part before a dash decides. */
    char head[48];
    snprintf(head, sizeof(head), "%s", w);
    const char *src = source_of(head);
    char *dash = strchr(head, '-');
    if (!src && dash) {
        *dash = 0;
        src = source_of(head);
    }
    if (src) {
        if (!nm->source[0] && *src) snprintf(nm->source, sizeof(nm->source), "%s", src);
        return strcmp(head, "dl") || i > 0;
    }
    if (in_list(head, MARKERS) || in_list(w, MARKERS)) return true;
    for (int k = 0; EDITIONS[k][0]; k++)
        if (!strcmp(w, EDITIONS[k][0])) {
            if (!nm->edition[0]) snprintf(nm->edition, sizeof(nm->edition), "%s", EDITIONS[k][1]);
            return true;
        }
    if ((!strcmp(w, "director's") || !strcmp(w, "directors")) && i + 1 < ps->ntok &&
        !strcmp(ps->t[i + 1].low, "cut")) {
        snprintf(nm->edition, sizeof(nm->edition), "Director's Cut");
        return true;
    }
    return false;
}

/* Is the dot at i one of an acronym's ("S.H.I.E.L.D.")? A single letter
 * on each side of it, or a single letter before and one more such dot two
 * places back. */
static bool acronym_dot(const struct parse *ps, size_t i)
{
    const char *s = ps->s;
    bool one_before = i >= 1 && isalpha((unsigned char)s[i - 1]) &&
                      (i < 2 || s[i - 2] == '.' || s[i - 2] == ' ' || s[i - 2] == '_');
    if (!one_before) return false;
    bool one_after = i + 1 < ps->n && isalpha((unsigned char)s[i + 1]) &&
                     (i + 2 >= ps->n || s[i + 2] == '.' || s[i + 2] == '-');
    bool dot_before = i >= 2 && s[i - 2] == '.' && i >= 3 && isalpha((unsigned char)s[i - 3]) &&
                      (i < 4 || s[i - 4] == '.');
    return one_after || dot_before;
}

/* Copies tokens [from, to) of the name as words into out. */
static void words(const struct parse *ps, int from, int to, char *out, size_t cap)
{
    char buf[NAME_BYTES_MAX + 8];
    size_t o = 0;
    out[0] = 0;
    while (from < to && ps->t[from].dash) from++;
    while (to > from && ps->t[to - 1].dash) to--;
    if (from >= to) return;
    size_t a = ps->t[from].off, b = ps->t[to - 1].off + ps->t[to - 1].len;
    /* "S.H.I.E.L.D." keeps its last dot when the name is spaced. */
    if (b < ps->n && ps->s[b] == '.' && ps->t[to - 1].len == 1 &&
        (ps->spaced || acronym_dot(ps, b)))
        b++;
    for (size_t i = a; i < b && o < sizeof(buf) - 1; i++) {
        char c = ps->s[i];
        if (c == '_' || (c == '.' && !ps->spaced && !acronym_dot(ps, i)) || c == '[' || c == ']' ||
            c == '{' || c == '}')
            c = ' ';
        if (c == ' ' && (o == 0 || buf[o - 1] == ' ')) continue;
        buf[o++] = c;
    }
    while (o && (buf[o - 1] == ' ' || buf[o - 1] == '-' || buf[o - 1] == '(')) o--;
    mq_utf8_repair(buf, o, out, cap);
}

/* The folder names that say nothing about the title. */
static bool generic_folder(const char *low)
{
    static const char *const names[] = {
        "movies", "films",          "film",  "movie",     "tv",       "tv shows", "shows", "series",
        "videos", "video",          "media", "downloads", "download", "complete", "anime", "kids",
        "temp",   "postprocessing", "mnt",   "home",      "data",     "library",  NULL};
    return in_list(low, names) || !strncmp(low, "cd", 2) || !strncmp(low, "disc", 4);
}

static enum mq_name_extra extras_folder(const char *low)
{
    static const char *const feat[] = {"extras",
                                       "featurettes",
                                       "behind the scenes",
                                       "deleted scenes",
                                       "interviews",
                                       "scenes",
                                       "shorts",
                                       "other",
                                       "bonus",
                                       NULL};
    if (in_list(low, feat)) return MQ_EXTRA_FEATURETTE;
    if (!strcmp(low, "trailers")) return MQ_EXTRA_TRAILER;
    if (!strcmp(low, "samples") || !strcmp(low, "sample")) return MQ_EXTRA_SAMPLE;
    return MQ_EXTRA_NONE;
}

/* Reads one path component. As a folder, its title and year fill only what
 * the file's name left empty. */
static void parse_component(const char *s, size_t n, struct mq_name *nm, bool is_file,
                            enum mq_name_kind hint)
{
    struct parse ps = {.s = s, .n = n};
    /* Spaced when spaces are its separators: "2001.A.Space.Odyssey.1968.
     * x264.dxva EuReKA" has one space (in its group) and is dotted. */
    size_t spaces = 0, dots = 0;
    for (size_t i = 0; i < n; i++) spaces += s[i] == ' ', dots += s[i] == '.';
    ps.spaced = spaces && spaces >= dots;
    tokenize(&ps);
    int start = 0;
    /* A leading "[Group]" is the release group (fansub convention). */
    bool leading_group = ps.ntok > 1 && ps.t[0].bracket && ps.t[0].off == 1;
    if (leading_group) {
        if (!nm->group[0]) words(&ps, 0, 1, nm->group, sizeof(nm->group));
        start = 1;
        while (start < ps.ntok && ps.t[start].bracket) start++;
    }
    int first = ps.ntok, ep_at = -1, ep_end = -1;
    int years[8], nyears = 0;
    for (int i = start; i < ps.ntok; i++) {
        struct tok *t = &ps.t[i];
        if (t->dash) continue;
        int used;
        if (ep_at < 0 && nm->season < 0 && !nm->nepisodes && episode_token(nm, t->low)) {
            ep_at = i;
            ep_end = i + 1;
            /* "S01E02 S01E03", "S01.E02.E03", "1x02 - 1x03". */
            while (ep_end < ps.ntok) {
                struct tok *u = &ps.t[ep_end];
                if (u->dash || !strcmp(u->low, "&")) {
                    ep_end++;
                    continue;
                }
                struct mq_name probe = *nm;
                probe.season = -1;
                probe.nepisodes = 0;
                if (u->low[0] == 'e' && isdigit((unsigned char)u->low[1]) &&
                    more_episodes(nm, u->low)) {
                    ep_end++;
                } else if (episode_token(&probe, u->low) && probe.season == nm->season &&
                           probe.nepisodes) {
                    for (int k = 0; k < probe.nepisodes; k++) add_episode(nm, probe.episodes[k]);
                    ep_end++;
                } else {
                    break;
                }
            }
            while (ep_end > ep_at + 1 && ps.t[ep_end - 1].dash) ep_end--;
            if (i < first) first = i;
            continue;
        }
        if (ep_at < 0 && nm->season < 0 && !nm->nepisodes && (used = word_marker(&ps, i, nm))) {
            ep_at = i;
            ep_end = i + used;
            if (i < first) first = i;
            i += used - 1;
            continue;
        }
        if (!nm->air_year && i > start && (used = date_marker(&ps, i, nm))) {
            if (i < first) first = i;
            ep_at = ep_at < 0 ? i : ep_at;
            ep_end = ep_end < 0 ? i + used : ep_end;
            i += used - 1;
            continue;
        }
        if (year_token(t)) {
            if (nyears < 8) years[nyears++] = i;
            continue;
        }
        if (i > start && quality_marker(&ps, i, nm) && i < first) first = i;
    }
    /* The year: the last year-like token before the other markers, but not
     * the title's first word ("1917", "2012"). */
    int year_at = -1;
    for (int k = nyears - 1; k >= 0; k--) {
        int i = years[k];
        if (i == start && !ps.t[i].bracket) continue;
        if (i > first && year_at >= 0) continue;
        if (i <= first || year_at < 0) {
            year_at = i;
            if (i <= first) break;
        }
    }
    if (year_at >= 0) {
        if (!nm->year) nm->year = num(ps.t[year_at].low);
        if (year_at < first) first = year_at;
    }
    /* A bare episode number: "Show.Name.07", "new.girl.117" (season 1,
     * episode 17), "[Group] Show - 312" (absolute), "Bleach - 313-314".
     * Not in a movie's name ("Ocean's 11"), nor before its year. */
    if (is_file && hint != MQ_NAME_MOVIE && ep_at < 0 && nm->season < 0 && !nm->nepisodes) {
        for (int i = start + 1; i < first; i++) {
            struct tok *t = &ps.t[i];
            const char *p = t->low;
            int a = number_at(&p), b = -1;
            size_t dl = (size_t)(p - t->low);
            if (a < 0 || dl != (t->len < 4 ? t->len : dl) || t->bracket ||
                (year_at >= 0 && year_at > i))
                continue;
            if (*p == '-' && isdigit((unsigned char)p[1])) {
                p++;
                b = number_at(&p);
            }
            if (*p == 'v' && isdigit((unsigned char)p[1])) {
                p++;
                (void)number_at(&p);
            }
            if (*p || dl > 4 || (dl == 4 && year_token(t))) continue;
            if (i + 1 < first && all_digits(ps.t[i + 1].low, ps.t[i + 1].len)) continue;
            if (b < 0 && dl >= 3 && !leading_group && !ps.t[i - 1].dash) {
                nm->season = a / 100;
                add_episode(nm, a % 100);
            } else {
                add_episode(nm, a);
                if (b > a && b - a < MQ_NAME_EPISODES_MAX)
                    for (int k = a + 1; k <= b; k++) add_episode(nm, k);
                if (leading_group || dl >= 3) nm->absolute = a;
            }
            ep_at = i;
            ep_end = i + 1;
            first = i;
            break;
        }
    }
    /* The release group: what follows the last dash of the last token. */
    if (is_file && !nm->group[0] && ps.ntok > 1) {
        const struct tok *t = &ps.t[ps.ntok - 1];
        int k = ps.ntok - 1;
        while (k > 0 && ps.t[k].bracket) t = &ps.t[--k];
        const char *d = memrchr(s + t->off, '-', t->len);
        if (d && d > s + t->off && (size_t)(d - (s + t->off)) + 1 < t->len && k >= first) {
            size_t off = (size_t)(d + 1 - s);
            mq_utf8_repair(d + 1, t->off + t->len - off, nm->group, sizeof(nm->group));
        }
    }
    if (!nm->title[0]) words(&ps, start, first, nm->title, sizeof(nm->title));
    if (is_file && ep_at >= 0 && !nm->episode_title[0]) {
        int to = ep_end;
        while (to < ps.ntok && !ps.t[to].bracket) {
            struct mq_name scratch = *nm;
            if (quality_marker(&ps, to, &scratch) || year_token(&ps.t[to])) break;
            to++;
        }
        words(&ps, ep_end, to, nm->episode_title, sizeof(nm->episode_title));
    }
}

/* A name that is no title: digits and separators only, or one long run
 * of letters and digits mixed (a hash or an obfuscated release). */
static bool opaque_title(const char *t)
{
    size_t n = strlen(t), digits = 0, alpha = 0;
    bool spaced = strchr(t, ' ') != NULL;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)t[i]))
            digits++;
        else if (isalpha((unsigned char)t[i]))
            alpha++;
    }
    if (!alpha) return true;
    return !spaced && n >= 16 && digits >= 3;
}

static bool season_folder(const char *low, int *season)
{
    const char *p = NULL;
    if (!strncmp(low, "season ", 7))
        p = low + 7;
    else if (!strncmp(low, "season", 6))
        p = low + 6;
    else if (!strncmp(low, "saison ", 7))
        p = low + 7;
    else if (!strncmp(low, "staffel ", 8))
        p = low + 8;
    else if (!strncmp(low, "temporada ", 10))
        p = low + 10;
    else if (!strncmp(low, "season-", 7))
        p = low + 7;
    else if (!strcmp(low, "specials")) {
        *season = 0;
        return true;
    } else if (low[0] == 's' && all_digits(low + 1, strlen(low + 1)) && strlen(low) <= 3)
        p = low + 1;
    if (!p || !all_digits(p, strlen(p)) || strlen(p) > 3) return false;
    *season = num(p);
    return true;
}

void mq_name_parse(const char *path, size_t len, enum mq_name_kind hint, struct mq_name *out)
{
    memset(out, 0, sizeof(*out));
    out->season = -1;
    /* Components, last first. */
    size_t ends[16], starts[16];
    int ncomp = 0;
    size_t end = len;
    while (ncomp < 16) {
        size_t b = end;
        while (b > 0 && path[b - 1] != '/' && path[b - 1] != '\\') b--;
        if (b < end) {
            starts[ncomp] = b;
            ends[ncomp] = end;
            ncomp++;
        }
        if (b == 0) break;
        end = b - 1;
    }
    if (!ncomp) return;
    /* The file: its extension off, at most NAME_BYTES_MAX of it read. */
    size_t fs = starts[0], fe = ends[0];
    const char *dot = memrchr(path + fs, '.', fe - fs);
    if (dot && dot > path + fs) {
        char ext[8];
        size_t el = (size_t)(path + fe - dot - 1);
        if (el && el < sizeof(ext)) {
            for (size_t i = 0; i < el; i++) ext[i] = (char)tolower((unsigned char)dot[1 + i]);
            ext[el] = 0;
            if (in_list(ext, VIDEO_EXT) || in_list(ext, OTHER_EXT)) fe = (size_t)(dot - path);
        }
    }
    while (fe > fs && path[fe - 1] == ' ') fe--;
    if (fe - fs > NAME_BYTES_MAX) fe = fs + NAME_BYTES_MAX;
    char lowname[64];
    size_t ln = fe - fs < sizeof(lowname) - 1 ? fe - fs : sizeof(lowname) - 1;
    for (size_t i = 0; i < ln; i++) lowname[i] = (char)tolower((unsigned char)path[fs + i]);
    lowname[ln] = 0;
    size_t ll = strlen(lowname);
    if ((ll > 8 && !strcmp(lowname + ll - 8, "-trailer")) || !strcmp(lowname, "trailer"))
        out->extra = MQ_EXTRA_TRAILER;
    else if ((ll > 7 && !strcmp(lowname + ll - 7, "-sample")) || !strcmp(lowname, "sample"))
        out->extra = MQ_EXTRA_SAMPLE;
    parse_component(path + fs, fe - fs, out, true, hint);
    bool file_titled = out->title[0] != 0;
    bool file_has_year = out->year != 0;
    bool file_episodic = out->season >= 0 || out->nepisodes || out->air_year;
    /* Folders above: season folders, extras folders, then the first one
     * that names something. */
    for (int c = 1; c < ncomp; c++) {
        size_t s = starts[c], e = ends[c];
        char low[64];
        size_t k = e - s < sizeof(low) - 1 ? e - s : sizeof(low) - 1;
        for (size_t i = 0; i < k; i++) low[i] = (char)tolower((unsigned char)path[s + i]);
        low[k] = 0;
        int season;
        if (season_folder(low, &season)) {
            if (out->season < 0) out->season = season;
            /* "Show/Season 01/01 - Pilot.mkv", "Season 1/Apotheosis.mkv":
             * the file names the episode, the folder above it the show. */
            if (!file_episodic && file_titled) {
                const char *p = out->title;
                int num = number_at(&p);
                if (num >= 0 && p - out->title <= 3 && (*p == 0 || *p == ' ')) {
                    add_episode(out, num);
                    while (*p == ' ' || *p == '-') p++;
                } else {
                    p = out->title;
                }
                memmove(out->episode_title, p, strlen(p) + 1);
                out->title[0] = 0;
                file_titled = false;
            }
            continue;
        }
        enum mq_name_extra x = extras_folder(low);
        if (x) {
            if (!out->extra) out->extra = x;
            continue;
        }
        if (generic_folder(low) || (k == 2 && low[1] == ':')) continue;
        struct mq_name folder;
        memset(&folder, 0, sizeof(folder));
        folder.season = -1;
        parse_component(path + s, e - s, &folder, false, hint);
        if (!folder.title[0]) continue;
        /* A movie's folder, "Title (Year)", names it better than a file
         * that gives no year; a file without a title takes the folder's. */
        bool episodic = out->season >= 0 || out->nepisodes;
        /* The folder's spelling of the same title ("Scrubs" over
         * "scrubs"), and the folder's title over a file name that is no
         * title ("161219_06", "42e7e8a48eb7454aaebebcf49705ce41"). */
        if (file_titled && (!strcasecmp(folder.title, out->title) || opaque_title(out->title))) {
            file_titled = false;
            out->title[0] = 0;
        }
        if (!file_titled || (!file_has_year && folder.year && !episodic)) {
            if (file_titled && !out->episode_title[0] && (episodic || out->extra))
                memcpy(out->episode_title, out->title, sizeof(out->title));
            memcpy(out->title, folder.title, sizeof(out->title));
            if (folder.year) out->year = folder.year;
        } else if (!out->year && folder.year && episodic && !strcasecmp(folder.title, out->title)) {
            out->year = folder.year;
        }
        if (!out->imdb_id[0]) memcpy(out->imdb_id, folder.imdb_id, sizeof(out->imdb_id));
        if (!out->tmdb_id[0]) memcpy(out->tmdb_id, folder.tmdb_id, sizeof(out->tmdb_id));
        if (!out->tvdb_id[0]) memcpy(out->tvdb_id, folder.tvdb_id, sizeof(out->tvdb_id));
        if (out->season < 0 && folder.season >= 0 && !out->nepisodes) out->season = folder.season;
        break;
    }
    bool episodic = out->season >= 0 || out->nepisodes || out->air_year;
    out->kind = episodic ? MQ_NAME_EPISODE : out->title[0] ? MQ_NAME_MOVIE : MQ_NAME_UNKNOWN;
}

void mq_name_sort_key(const char *title, char *out, size_t cap)
{
    static const char *const articles[] = {"the ", "a ", "an ", NULL};
    for (int i = 0; articles[i]; i++) {
        size_t k = strlen(articles[i]);
        if (!strncasecmp(title, articles[i], k) && title[k]) {
            title += k;
            break;
        }
    }
    size_t i = 0;
    for (; title[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)title[i]);
    out[i] = 0;
}
