/* formats.h - the exports Marquee imports, read into entries: Netflix's
 * viewing history and ViewingActivity, Amazon Prime Video (the common
 * exporter's CSV), Letterboxd's diary, watched, ratings, reviews and
 * watchlist, Trakt's JSON, IMDb's ratings and watchlist, Goodreads'
 * library, and any CSV with a column mapping.
 *
 * Reading knows nothing of the catalogue: an entry is what the row says
 * (a title, perhaps a year, ids, a date, a rating), with the reason when
 * it is not a viewing to import (a trailer, a hook) or cannot be read. The
 * format is found from the header unless the member names it. */
#ifndef MQ_TRACK_FORMATS_H
#define MQ_TRACK_FORMATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/* The formats, by name. */
bool mq_import_format_valid(const char *name);
extern const char *const mq_import_formats[];

enum { MQ_ID_TMDB, MQ_ID_IMDB, MQ_ID_TVDB, MQ_ID_ISBN, MQ_ID_TRAKT, MQ_ID_COUNT };

struct mq_import_entry {
    int64_t line;              /* where the row starts in the file (1 = the header's) */
    const char *raw;           /* the row as written */
    const char *kind;          /* movie, series (the row is one of its episodes, or the show), book;
                                  NULL = the title says (Netflix) */
    const char *title;         /* the work's title, or Netflix's whole title */
    int year;                  /* 0 = not said */
    int season, episode;       /* -1 = not said */
    const char *episode_title; /* NULL */
    int64_t watched_at;        /* Unix ms; 0 = not said */
    int64_t duration_ms;       /* how long was watched; 0 = not said */
    int rating;                /* 5-100 (tenths of 10), 0 = none */
    bool play;                 /* a viewing: history gets a play */
    const char *status;        /* the member's library: completed, planned, ... */
    const char *ids[MQ_ID_COUNT];
    const char *profile;  /* Netflix's profile */
    const char *platform; /* where it was watched: netflix, amazon, letterboxd, ... */
    const char *skip;     /* not imported: trailer, hook, recap, ..., or NULL */
    const char *error;    /* not readable: why, or NULL */
};

struct mq_import_file {
    const char *format;
    struct mq_import_entry *entries;
    size_t n;
    const char **profiles; /* Netflix ViewingActivity: the profiles seen */
    size_t nprofiles;
};

/* Reads UTF-8 text (csv.h's mq_csv_text made it so). `format` NULL finds
 * it from the header; `mapping` is the generic format's columns
 * ({"title": "Name", "date": "Watched", "date_format": "%d/%m/%Y", ...}).
 * At most max_rows rows. MQ_EINVAL with *why and *detail for a file that
 * is no such export (unknown_format, invalid_mapping, invalid_json,
 * too_many_rows). */
MQ_MUST_CHECK mq_err mq_import_read(struct mq_arena *a, const char *text, size_t n,
                                    const char *format, json_t *mapping, int64_t max_rows,
                                    struct mq_import_file *out, const char **why,
                                    const char **detail);

#endif
