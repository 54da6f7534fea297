#include "track/formats.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "track/csv.h"
#include "track/netflix.h"

const char *const mq_import_formats[] = {"netflix",
                                         "netflix_activity",
                                         "amazon",
                                         "letterboxd_diary",
                                         "letterboxd_watched",
                                         "letterboxd_ratings",
                                         "letterboxd_watchlist",
                                         "letterboxd_reviews",
                                         "trakt",
                                         "imdb",
                                         "goodreads",
                                         "generic",
                                         NULL};

bool mq_import_format_valid(const char *name)
{
    for (int i = 0; name && mq_import_formats[i]; i++)
        if (!strcmp(mq_import_formats[i], name)) return true;
    return false;
}

/* ---- reading a CSV into rows ---------------------------------------------- */

struct table {
    struct mq_csv_row header;
    struct mq_csv_row *rows;
    size_t n;
};

/* The rows after the header; blank lines left out. */
static mq_err read_table(struct mq_arena *a, const char *text, size_t len, int64_t max_rows,
                         struct table *t, const char **why)
{
    struct mq_csv c;
    struct mq_csv_row row;
    size_t cap = 0;
    memset(t, 0, sizeof(*t));
    mq_csv_init(&c, text, len);
    bool have_header = false;
    while (mq_csv_next(&c, a, &row)) {
        if (row.error && !strcmp(row.error, "out_of_memory")) return MQ_ENOMEM;
        if (row.blank) continue;
        if (!have_header) {
            if (row.error) {
                *why = "unknown_format";
                return MQ_EINVAL;
            }
            t->header = row;
            have_header = true;
            continue;
        }
        if ((int64_t)t->n >= max_rows) {
            *why = "too_many_rows";
            return MQ_EINVAL;
        }
        if (t->n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct mq_csv_row *r = mq_arena_alloc(a, ncap * sizeof(*r));
            if (!r) return MQ_ENOMEM;
            if (t->n) memcpy(r, t->rows, t->n * sizeof(*r));
            t->rows = r;
            cap = ncap;
        }
        t->rows[t->n++] = row;
    }
    if (!have_header) {
        *why = "unknown_format";
        return MQ_EINVAL;
    }
    return MQ_OK;
}

static int col(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->header.n; i++) {
        const char *h = t->header.fields[i];
        while (*h == ' ') h++;
        if (!strcasecmp(h, name)) return (int)i;
    }
    return -1;
}

/* A field, trimmed, or NULL when absent or empty. */
static const char *cell(struct mq_arena *a, const struct mq_csv_row *r, int i)
{
    if (i < 0 || (size_t)i >= r->n) return NULL;
    const char *s = r->fields[i];
    size_t n = strlen(s);
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (!n) return NULL;
    return mq_arena_strndup(a, s, n);
}

static bool header_is(const struct table *t, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (col(t, names[i]) < 0) return false;
    return true;
}

static mq_err begin_entries(struct mq_arena *a, struct mq_import_file *out, size_t n)
{
    out->entries = mq_arena_calloc(a, n ? n : 1, sizeof(*out->entries));
    out->n = 0;
    return out->entries ? MQ_OK : MQ_ENOMEM;
}

static struct mq_import_entry *next_entry(struct mq_arena *a, struct mq_import_file *out,
                                          const struct mq_csv_row *r, const char *platform)
{
    struct mq_import_entry *e = &out->entries[out->n++];
    memset(e, 0, sizeof(*e));
    e->line = r ? r->line : (int64_t)out->n;
    e->raw = NULL;
    if (r && mq_utf8_valid(r->raw, r->raw_len)) {
        e->raw = mq_arena_strndup(a, r->raw, r->raw_len);
    } else if (r) {
        /* Kept as text: each byte that is not UTF-8 becomes U+FFFD. */
        char *fixed = mq_arena_alloc(a, r->raw_len * 3 + 1);
        if (fixed) fixed[mq_utf8_repair(r->raw, r->raw_len, fixed, r->raw_len * 3 + 1)] = '\0';
        e->raw = fixed;
    }
    e->season = e->episode = -1;
    e->platform = platform;
    e->status = "completed";
    if (r && r->error) e->error = r->error;
    return e;
}

static int year_of(const char *s)
{
    if (!s) return 0;
    char *end;
    long y = strtol(s, &end, 10);
    return !*end && y >= 1870 && y <= 2200 ? (int)y : 0;
}

/* "2025-09-28", "2025-09-28 02:00:24.173", "2014-03-31T09:28:53.000Z",
 * or epoch milliseconds; times without a zone are UTC. */
static bool instant_of(const char *s, int64_t *ms)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n >= 11 && n <= 14 && strspn(s, "0123456789") == n) {
        *ms = strtoll(s, NULL, 10);
        return true;
    }
    if (n == 10 && mq_netflix_date(s, false, ms)) return true;
    char buf[20];
    if (n >= 19 && s[10] == ' ') {
        memcpy(buf, s, 19);
        buf[19] = '\0';
        if (mq_netflix_instant(buf, ms)) {
            if (n > 20 && s[19] == '.') *ms += strtol(s + 20, NULL, 10) % 1000;
            return true;
        }
    }
    return mq_time_parse_rfc3339(s, ms) == MQ_OK;
}

/* Letterboxd's and Goodreads' 0.5-5 stars, IMDb's 1-10: tenths of 10. */
static int rating_of(const char *s, int scale)
{
    if (!s) return 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || v <= 0 || v > scale) return 0;
    int r = (int)(v * 100 / scale + 0.5);
    return r < 5 ? 5 : r > 100 ? 100 : r;
}

/* "=\"0441172717\"" as Goodreads writes ISBNs, or plain digits. */
static const char *isbn_of(struct mq_arena *a, const char *s)
{
    if (!s) return NULL;
    char d[14];
    size_t n = 0;
    for (const char *p = s; *p && n < 13; p++)
        if (isdigit((unsigned char)*p) || ((*p == 'X' || *p == 'x') && n == 9)) d[n++] = *p;
    return n == 10 || n == 13 ? mq_arena_strndup(a, d, n) : NULL;
}

/* ---- Netflix -------------------------------------------------------------- */

static mq_err netflix(struct mq_arena *a, const struct table *t, struct mq_import_file *out)
{
    int ti = col(t, "Title"), di = col(t, "Date");
    struct mq_date_votes v = {0};
    for (size_t i = 0; i < t->n; i++)
        if (!t->rows[i].error && (size_t)di < t->rows[i].n)
            mq_netflix_date_vote(t->rows[i].fields[di], &v);
    bool day_first = mq_netflix_day_first(&v);
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "netflix");
        if (e->error) continue;
        e->title = cell(a, r, ti);
        e->play = true;
        const char *d = cell(a, r, di);
        if (!e->title)
            e->error = "empty_title";
        else if (!d || !mq_netflix_date(d, day_first, &e->watched_at))
            e->error = "invalid_date";
    }
    return err;
}

static const char *lower(struct mq_arena *a, const char *s)
{
    char *c = mq_arena_strdup(a, s);
    for (char *p = c; p && *p; p++) *p = (char)tolower((unsigned char)*p);
    return c;
}

/* One viewing is often several rows (paused, resumed): rows of the same
 * profile and title that start within an hour of the previous one's end
 * are one viewing, its duration their sum. */
static void merge_viewings(struct mq_import_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].skip || e[i].error) continue;
        for (size_t j = i + 1; j < n; j++) {
            if (e[j].skip || e[j].error || strcmp(e[j].title, e[i].title) ||
                strcmp(e[j].profile ? e[j].profile : "", e[i].profile ? e[i].profile : ""))
                continue;
            const struct mq_import_entry *first =
                e[i].watched_at <= e[j].watched_at ? &e[i] : &e[j];
            const struct mq_import_entry *second = first == &e[i] ? &e[j] : &e[i];
            int64_t gap = second->watched_at - (first->watched_at + first->duration_ms);
            if (gap < -60000 || gap > 3600000) continue;
            e[i].watched_at = first->watched_at;
            e[i].duration_ms += e[j].duration_ms;
            e[j].skip = "merged";
        }
    }
}

static mq_err netflix_activity(struct mq_arena *a, const struct table *t,
                               struct mq_import_file *out)
{
    int pi = col(t, "Profile Name"), si = col(t, "Start Time"), di = col(t, "Duration"),
        ti = col(t, "Title"), vi = col(t, "Supplemental Video Type");
    mq_err err = begin_entries(a, out, t->n);
    out->profiles = mq_arena_calloc(a, t->n ? t->n : 1, sizeof(*out->profiles));
    if (!out->profiles) return MQ_ENOMEM;
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "netflix");
        if (e->error) continue;
        e->profile = cell(a, r, pi);
        e->title = cell(a, r, ti);
        e->play = true;
        const char *kind = cell(a, r, vi), *start = cell(a, r, si), *dur = cell(a, r, di);
        if (e->profile) {
            size_t k = 0;
            while (k < out->nprofiles && strcmp(out->profiles[k], e->profile)) k++;
            if (k == out->nprofiles) out->profiles[out->nprofiles++] = e->profile;
        }
        if (kind) {
            /* HOOK, TRAILER, TEASER_TRAILER, RECAP, PROMOTIONAL, PREVIEW. */
            e->skip = lower(a, kind);
        } else if (!e->title) {
            e->error = "empty_title";
        } else if (!start || !mq_netflix_instant(start, &e->watched_at)) {
            e->error = "invalid_date";
        } else if (dur && !mq_netflix_hms(dur, &e->duration_ms)) {
            e->error = "invalid_duration";
        }
    }
    merge_viewings(out->entries, out->n);
    return err;
}

/* ---- Amazon Prime Video (the watch-history exporter's CSV) --------------- */

/* "The Terminal List: Dark Wolf - Season 1": the show and its season. */
static const char *without_season(struct mq_arena *a, const char *title, int *season)
{
    const char *m = title ? strstr(title, " - Season ") : NULL;
    if (!m) return title;
    char *end;
    long s = strtol(m + 10, &end, 10);
    if (*end || s < 0 || s > 999) return title;
    *season = (int)s;
    return mq_arena_strndup(a, title, (size_t)(m - title));
}

/* `Episode 1: "INHERENT RESOLVE"`: the number and the title. */
static void amazon_episode(struct mq_arena *a, const char *s, struct mq_import_entry *e)
{
    if (!s) return;
    const char *rest = s;
    if (!strncasecmp(s, "Episode ", 8)) {
        char *end;
        long n = strtol(s + 8, &end, 10);
        if (end != s + 8 && n >= 0 && n < 10000) {
            e->episode = (int)n;
            rest = end;
            if (*rest == ':') rest++;
            while (*rest == ' ') rest++;
        }
    }
    size_t len = strlen(rest);
    if (len >= 2 && rest[0] == '"' && rest[len - 1] == '"') rest++, len -= 2;
    e->episode_title = len ? mq_arena_strndup(a, rest, len) : NULL;
}

static mq_err amazon(struct mq_arena *a, const struct table *t, struct mq_import_file *out)
{
    int di = col(t, "Date Watched"), ki = col(t, "Type"), ti = col(t, "Title"),
        ei = col(t, "Episode Title");
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "amazon");
        if (e->error) continue;
        const char *kind = cell(a, r, ki);
        e->play = true;
        e->kind = kind && !strcasecmp(kind, "Series") ? "series" : "movie";
        e->title = without_season(a, cell(a, r, ti), &e->season);
        if (!strcmp(e->kind, "series")) amazon_episode(a, cell(a, r, ei), e);
        if (!e->title)
            e->error = "empty_title";
        else if (!instant_of(cell(a, r, di), &e->watched_at))
            e->error = "invalid_date";
    }
    return err;
}

/* ---- Letterboxd ------------------------------------------------------------- */

static mq_err letterboxd(struct mq_arena *a, const struct table *t, const char *format,
                         struct mq_import_file *out)
{
    int di = col(t, "Date"), ni = col(t, "Name"), yi = col(t, "Year"), ri = col(t, "Rating"),
        wi = col(t, "Watched Date");
    bool diary = !strcmp(format, "letterboxd_diary") || !strcmp(format, "letterboxd_reviews");
    bool watchlist = !strcmp(format, "letterboxd_watchlist");
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "letterboxd");
        if (e->error) continue;
        e->kind = "movie";
        e->title = cell(a, r, ni);
        e->year = year_of(cell(a, r, yi));
        e->rating = rating_of(cell(a, r, ri), 5);
        /* The diary's Date is when the entry was logged: the viewing is
         * its Watched Date. */
        const char *when = cell(a, r, diary && wi >= 0 ? wi : di);
        e->play = diary;
        e->status = watchlist ? "planned" : "completed";
        if (!e->title)
            e->error = "empty_title";
        else if (when && !instant_of(when, &e->watched_at))
            e->error = "invalid_date";
        else if (e->play && !e->watched_at)
            e->error = "invalid_date";
    }
    return err;
}

/* ---- IMDb ------------------------------------------------------------------- */

static mq_err imdb(struct mq_arena *a, const struct table *t, struct mq_import_file *out)
{
    int ci = col(t, "Const"), ti = col(t, "Title"), yi = col(t, "Year"), ki = col(t, "Title Type"),
        ri = col(t, "Your Rating"), di = col(t, "Date Rated"), pi = col(t, "Position");
    bool watchlist = pi >= 0;
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "imdb");
        if (e->error) continue;
        const char *kind = cell(a, r, ki);
        e->kind = kind && (strcasestr(kind, "series") || strcasestr(kind, "tv")) &&
                          !strcasestr(kind, "movie")
                      ? "series"
                      : "movie";
        e->title = cell(a, r, ti);
        e->year = year_of(cell(a, r, yi));
        e->ids[MQ_ID_IMDB] = cell(a, r, ci);
        e->rating = rating_of(cell(a, r, ri), 10);
        e->status = watchlist ? "planned" : "completed";
        if (!watchlist) (void)instant_of(cell(a, r, di), &e->watched_at);
        if (!e->title && !e->ids[MQ_ID_IMDB]) e->error = "empty_title";
    }
    return err;
}

/* ---- Goodreads -------------------------------------------------------------- */

static mq_err goodreads(struct mq_arena *a, const struct table *t, struct mq_import_file *out)
{
    int ti = col(t, "Title"), i10 = col(t, "ISBN"), i13 = col(t, "ISBN13"),
        ri = col(t, "My Rating"), yi = col(t, "Original Publication Year"),
        pi = col(t, "Year Published"), di = col(t, "Date Read"), si = col(t, "Exclusive Shelf");
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e = next_entry(a, out, r, "goodreads");
        if (e->error) continue;
        e->kind = "book";
        e->title = cell(a, r, ti);
        e->ids[MQ_ID_ISBN] = isbn_of(a, cell(a, r, i13));
        if (!e->ids[MQ_ID_ISBN]) e->ids[MQ_ID_ISBN] = isbn_of(a, cell(a, r, i10));
        e->year = year_of(cell(a, r, yi));
        if (!e->year) e->year = year_of(cell(a, r, pi));
        e->rating = rating_of(cell(a, r, ri), 5);
        const char *shelf = cell(a, r, si);
        const char *read = cell(a, r, di);
        /* Goodreads writes dates as 2019/03/14. */
        if (read) {
            char d[16];
            snprintf(d, sizeof(d), "%s", read);
            for (char *p = d; *p; p++)
                if (*p == '/') *p = '-';
            (void)mq_netflix_date(d, false, &e->watched_at);
        }
        if (shelf && !strcmp(shelf, "to-read"))
            e->status = "planned";
        else if (shelf && !strcmp(shelf, "currently-reading"))
            e->status = "in_progress";
        e->play = !strcmp(e->status, "completed") && e->watched_at;
        if (!e->title) e->error = "empty_title";
    }
    return err;
}

/* ---- generic ---------------------------------------------------------------- */

/* A whole number from 0 to 9999, else `none`. */
static int number_in(const char *s, int none)
{
    char *end;
    long v = strtol(s, &end, 10);
    return end != s && !*end && v >= 0 && v < 10000 ? (int)v : none;
}

static const char *mapped(json_t *m, const char *key)
{
    return json_string_value(json_object_get(m, key));
}

/* A date in the mapping's strptime format, else any form instant_of reads. */
static bool date_in(const char *s, const char *format, int64_t *ms)
{
    if (!s) return false;
    if (format) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *end = strptime(s, format, &tm);
        if (!end || *end) return false;
        bool has_time = strchr(format, 'H') || strchr(format, 'T');
        if (!has_time) tm.tm_hour = 12;
        time_t t = timegm(&tm);
        if (t == (time_t)-1) return false;
        *ms = (int64_t)t * 1000;
        return true;
    }
    return instant_of(s, ms);
}

static mq_err generic(struct mq_arena *a, const struct table *t, json_t *m,
                      struct mq_import_file *out, const char **why, const char **detail)
{
    static const char *const keys[] = {"title",         "date",   "date_format",  "year",
                                       "type",          "rating", "rating_scale", "imdb",
                                       "tmdb",          "isbn",   "season",       "episode",
                                       "episode_title", "status", "platform",     NULL};
    const char *key;
    json_t *v;
    if (!json_is_object(m) || !mapped(m, "title")) {
        *why = "invalid_mapping";
        *detail = "the mapping names the column of the title at least ({\"title\": \"Name\"})";
        return MQ_EINVAL;
    }
    json_object_foreach(m, key, v)
    {
        int k = 0;
        while (keys[k] && strcmp(keys[k], key)) k++;
        bool column = keys[k] && strcmp(key, "date_format") && strcmp(key, "platform") &&
                      strcmp(key, "rating_scale") && strcmp(key, "status");
        if (!keys[k] || !json_is_string(v) || (column && col(t, json_string_value(v)) < 0)) {
            *why = "invalid_mapping";
            *detail = !keys[k] ? "the mapping has a key it does not know"
                               : "the mapping names a column the header does not have";
            return MQ_EINVAL;
        }
    }
    const char *fmt = mapped(m, "date_format"), *platform = mapped(m, "platform");
    const char *status = mapped(m, "status");
    int scale = mapped(m, "rating_scale") ? number_in(mapped(m, "rating_scale"), 10) : 10;
    if (scale < 1) scale = 10;
    int ti = col(t, mapped(m, "title")), di = mapped(m, "date") ? col(t, mapped(m, "date")) : -1,
        yi = mapped(m, "year") ? col(t, mapped(m, "year")) : -1,
        ki = mapped(m, "type") ? col(t, mapped(m, "type")) : -1,
        ri = mapped(m, "rating") ? col(t, mapped(m, "rating")) : -1,
        ii = mapped(m, "imdb") ? col(t, mapped(m, "imdb")) : -1,
        mi = mapped(m, "tmdb") ? col(t, mapped(m, "tmdb")) : -1,
        bi = mapped(m, "isbn") ? col(t, mapped(m, "isbn")) : -1,
        si = mapped(m, "season") ? col(t, mapped(m, "season")) : -1,
        ei = mapped(m, "episode") ? col(t, mapped(m, "episode")) : -1,
        eti = mapped(m, "episode_title") ? col(t, mapped(m, "episode_title")) : -1;
    mq_err err = begin_entries(a, out, t->n);
    for (size_t i = 0; !err && i < t->n; i++) {
        const struct mq_csv_row *r = &t->rows[i];
        struct mq_import_entry *e =
            next_entry(a, out, r, platform ? mq_arena_strdup(a, platform) : "other");
        if (e->error) continue;
        e->title = cell(a, r, ti);
        e->year = year_of(cell(a, r, yi));
        const char *kind = cell(a, r, ki);
        e->kind = !kind                      ? NULL
                  : strcasestr(kind, "book") ? "book"
                  : strcasestr(kind, "series") || strcasestr(kind, "episode") ||
                          strcasestr(kind, "show") || strcasestr(kind, "tv")
                      ? "series"
                      : "movie";
        e->rating = rating_of(cell(a, r, ri), scale);
        e->ids[MQ_ID_IMDB] = cell(a, r, ii);
        e->ids[MQ_ID_TMDB] = cell(a, r, mi);
        e->ids[MQ_ID_ISBN] = isbn_of(a, cell(a, r, bi));
        const char *season = cell(a, r, si), *episode = cell(a, r, ei);
        if (season) e->season = number_in(season, -1);
        if (episode) e->episode = number_in(episode, -1);
        e->episode_title = cell(a, r, eti);
        if ((e->season >= 0 || e->episode >= 0 || e->episode_title) && !e->kind) e->kind = "series";
        if (status) e->status = mq_arena_strdup(a, status);
        const char *when = cell(a, r, di);
        e->play = !strcmp(e->status, "completed") && di >= 0;
        if (!e->title)
            e->error = "empty_title";
        else if (di >= 0 && !date_in(when, fmt, &e->watched_at))
            e->error = "invalid_date";
    }
    return err;
}

/* ---- Trakt's JSON ---------------------------------------------------------- */

static const char *id_text(struct mq_arena *a, json_t *ids, const char *key)
{
    json_t *v = json_object_get(ids, key);
    if (json_is_string(v) && json_string_length(v) && json_string_length(v) < 64)
        return mq_arena_strdup(a, json_string_value(v));
    if (json_is_integer(v) && json_integer_value(v) > 0)
        return mq_arena_printf(a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

static void trakt_work(struct mq_arena *a, json_t *w, struct mq_import_entry *e)
{
    json_t *ids = json_object_get(w, "ids");
    const char *title = json_string_value(json_object_get(w, "title"));
    e->title = title ? mq_arena_strdup(a, title) : NULL;
    json_t *y = json_object_get(w, "year");
    e->year = json_is_integer(y) ? (int)json_integer_value(y) : 0;
    e->ids[MQ_ID_TMDB] = id_text(a, ids, "tmdb");
    e->ids[MQ_ID_IMDB] = id_text(a, ids, "imdb");
    e->ids[MQ_ID_TVDB] = id_text(a, ids, "tvdb");
    e->ids[MQ_ID_TRAKT] = id_text(a, ids, "trakt");
}

static int64_t trakt_time(json_t *o, const char *key)
{
    int64_t ms = 0;
    const char *s = json_string_value(json_object_get(o, key));
    return s && !mq_time_parse_rfc3339(s, &ms) ? ms : 0;
}

static mq_err trakt(struct mq_arena *a, const char *text, size_t n, int64_t max_rows,
                    struct mq_import_file *out, const char **why, const char **detail)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_array(doc)) {
        json_decref(doc);
        *why = "invalid_json";
        *detail = "a Trakt export is a JSON array (sync/history, watched or watchlist)";
        return MQ_EINVAL;
    }
    /* Watched shows give a row per episode: count them first. */
    size_t rows = 0, idx;
    json_t *it;
    json_array_foreach(doc, idx, it)
    {
        json_t *seasons = json_object_get(it, "seasons"), *s;
        size_t k;
        if (!json_is_array(seasons)) {
            rows++;
            continue;
        }
        json_array_foreach(seasons, k, s) rows += json_array_size(json_object_get(s, "episodes"));
    }
    if ((int64_t)rows > max_rows) {
        json_decref(doc);
        *why = "too_many_rows";
        return MQ_EINVAL;
    }
    mq_err err = begin_entries(a, out, rows);
    json_array_foreach(doc, idx, it)
    {
        if (err) break;
        char *raw = json_dumps(it, JSON_COMPACT);
        const char *keep = raw && strlen(raw) < 4096 ? mq_arena_strdup(a, raw) : NULL;
        free(raw);
        json_t *movie = json_object_get(it, "movie"), *show = json_object_get(it, "show");
        json_t *episode = json_object_get(it, "episode"), *seasons = json_object_get(it, "seasons");
        int64_t listed = trakt_time(it, "listed_at"), watched = trakt_time(it, "watched_at");
        if (!watched) watched = trakt_time(it, "last_watched_at");
        if (json_is_array(seasons) && json_is_object(show)) {
            size_t k, j;
            json_t *s, *ep;
            json_array_foreach(seasons, k, s)
            {
                json_array_foreach(json_object_get(s, "episodes"), j, ep)
                {
                    struct mq_import_entry *e = next_entry(a, out, NULL, "trakt");
                    e->raw = keep;
                    e->kind = "series";
                    trakt_work(a, show, e);
                    e->season = (int)json_integer_value(json_object_get(s, "number"));
                    e->episode = (int)json_integer_value(json_object_get(ep, "number"));
                    e->watched_at = trakt_time(ep, "last_watched_at");
                    e->play = true;
                    if (!e->title) e->error = "empty_title";
                }
            }
            continue;
        }
        struct mq_import_entry *e = next_entry(a, out, NULL, "trakt");
        e->raw = keep;
        if (json_is_object(movie)) {
            e->kind = "movie";
            trakt_work(a, movie, e);
        } else if (json_is_object(show)) {
            e->kind = "series";
            trakt_work(a, show, e);
            if (json_is_object(episode)) {
                e->season = (int)json_integer_value(json_object_get(episode, "season"));
                e->episode = (int)json_integer_value(json_object_get(episode, "number"));
                const char *et = json_string_value(json_object_get(episode, "title"));
                e->episode_title = et ? mq_arena_strdup(a, et) : NULL;
            }
        } else {
            e->error = "unknown_item";
            continue;
        }
        e->watched_at = listed ? listed : watched;
        e->play = !listed;
        e->status = listed ? "planned" : "completed";
        if (!e->title && !e->ids[MQ_ID_IMDB] && !e->ids[MQ_ID_TMDB]) e->error = "empty_title";
    }
    json_decref(doc);
    return err;
}

/* ---- detection -------------------------------------------------------------- */

static const char *detect(const struct table *t)
{
    static const char *const netflix_h[] = {"Title", "Date", NULL};
    static const char *const activity_h[] = {"Profile Name", "Start Time", "Duration", "Title",
                                             NULL};
    static const char *const amazon_h[] = {"Date Watched", "Type", "Title", "Episode Title", NULL};
    static const char *const diary_h[] = {"Date",           "Name",         "Year",
                                          "Letterboxd URI", "Watched Date", NULL};
    static const char *const reviews_h[] = {"Name", "Year", "Letterboxd URI", "Review", NULL};
    static const char *const ratings_h[] = {"Date",           "Name",   "Year",
                                            "Letterboxd URI", "Rating", NULL};
    static const char *const watched_h[] = {"Date", "Name", "Year", "Letterboxd URI", NULL};
    static const char *const imdb_h[] = {"Const", "Title", "Title Type", NULL};
    static const char *const goodreads_h[] = {"Book Id", "Title", "Exclusive Shelf", NULL};
    if (t->header.n == 2 && header_is(t, netflix_h)) return "netflix";
    if (header_is(t, activity_h)) return "netflix_activity";
    if (header_is(t, amazon_h)) return "amazon";
    if (header_is(t, reviews_h)) return "letterboxd_reviews";
    if (header_is(t, diary_h)) return "letterboxd_diary";
    if (header_is(t, ratings_h)) return "letterboxd_ratings";
    if (header_is(t, watched_h)) return "letterboxd_watched";
    if (header_is(t, imdb_h)) return "imdb";
    if (header_is(t, goodreads_h)) return "goodreads";
    return NULL;
}

mq_err mq_import_read(struct mq_arena *a, const char *text, size_t n, const char *format,
                      json_t *mapping, int64_t max_rows, struct mq_import_file *out,
                      const char **why, const char **detail)
{
    memset(out, 0, sizeof(*out));
    *detail = NULL;
    size_t skip = 0;
    while (skip < n && isspace((unsigned char)text[skip])) skip++;
    if ((format && !strcmp(format, "trakt")) || (!format && skip < n && text[skip] == '[')) {
        out->format = "trakt";
        return trakt(a, text, n, max_rows, out, why, detail);
    }
    struct table t;
    mq_err err = read_table(a, text, n, max_rows, &t, why);
    if (err == MQ_EINVAL && !strcmp(*why, "too_many_rows"))
        *detail = mq_arena_printf(a, "an import is at most %lld rows", (long long)max_rows);
    if (err) return err;
    if (!format) format = mapping ? "generic" : detect(&t);
    if (!format) {
        *why = "unknown_format";
        *detail = "the header is no export this server reads; name the format, or map the "
                  "columns (format generic)";
        return MQ_EINVAL;
    }
    out->format = format;
    if (!strcmp(format, "netflix")) return netflix(a, &t, out);
    if (!strcmp(format, "netflix_activity")) return netflix_activity(a, &t, out);
    if (!strcmp(format, "amazon")) return amazon(a, &t, out);
    if (!strncmp(format, "letterboxd_", 11)) return letterboxd(a, &t, format, out);
    if (!strcmp(format, "imdb")) return imdb(a, &t, out);
    if (!strcmp(format, "goodreads")) return goodreads(a, &t, out);
    if (!strcmp(format, "generic")) return generic(a, &t, mapping, out, why, detail);
    *why = "unknown_format";
    return MQ_EINVAL;
}
