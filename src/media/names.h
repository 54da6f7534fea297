/* names.h - what a media file's path says about it: title, year, season,
 * episodes, edition, quality markers and catalogue ids.
 *
 * A pure function of the bytes it is given (no file system, no locale, no
 * allocation), so the scanner can call it on any thread and the tests can
 * hold it against the real release names in the shared fixtures. The rules
 * users can follow are in docs/naming.md. */
#ifndef MQ_MEDIA_NAMES_H
#define MQ_MEDIA_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define MQ_NAME_TEXT_MAX     256 /* bytes, with the NUL; longer titles are cut at a character */
#define MQ_NAME_EPISODES_MAX 16

enum mq_name_kind { MQ_NAME_UNKNOWN, MQ_NAME_MOVIE, MQ_NAME_EPISODE };

/* Why a file is not a main feature: kept as an extra of its item. */
enum mq_name_extra {
    MQ_EXTRA_NONE,
    MQ_EXTRA_TRAILER,
    MQ_EXTRA_SAMPLE,
    MQ_EXTRA_FEATURETTE, /* Extras/, Featurettes/, Behind The Scenes/, … */
};

struct mq_name {
    enum mq_name_kind kind;
    enum mq_name_extra extra;
    char title[MQ_NAME_TEXT_MAX];         /* "" when the path names none */
    char episode_title[MQ_NAME_TEXT_MAX]; /* an episode's or extra's own name, or "" */
    int year;                             /* 0 = none */
    int season;                           /* -1 = none; 0 = specials */
    int episodes[MQ_NAME_EPISODES_MAX];   /* in the order named */
    int nepisodes;
    int absolute;                     /* absolute episode number (anime), 0 = none */
    int air_year, air_month, air_day; /* a date-based episode, 0 = none */
    char resolution[8];               /* "1080p", "2160p", … or "" */
    char source[16];                  /* "bluray", "webdl", "webrip", "hdtv", "dvd", … or "" */
    char edition[48];                 /* "Extended", "Director's Cut", … or "" */
    char group[48];                   /* the release group, or "" */
    char tmdb_id[16], imdb_id[16], tvdb_id[16]; /* from {tmdb-603}, [imdbid-tt0133093], … */
};

/* Parses `path` (len bytes, any bytes; '/' and '\' separate folders, and
 * the folders above the file are read when the file's own name lacks the
 * title or the season). Always fills *out; every string is NUL-terminated
 * and valid UTF-8 (invalid bytes become U+FFFD). `hint` is the library's
 * kind when known: MQ_NAME_MOVIE reads no bare number as an episode
 * ("Ocean's 11"), MQ_NAME_UNKNOWN and MQ_NAME_EPISODE do ("Show.07"). */
void mq_name_parse(const char *path, size_t len, enum mq_name_kind hint, struct mq_name *out);

/* True for the extensions the scanner treats as video (".mkv", …, case
 * insensitive; `ext` without the dot). */
bool mq_name_is_video_ext(const char *ext);

/* How a title sorts: lower case, without a leading "The", "A" or "An"
 * ("The Matrix" sorts as "matrix"). Writes at most cap bytes. */
void mq_name_sort_key(const char *title, char *out, size_t cap);

#endif
