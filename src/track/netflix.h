/* netflix.h - what Netflix's exports mean (../shared/fixtures/
 * IMPORT_FORMATS.md): titles that pack show, season and episode into one
 * string, in the profile's language, and dates in the account's locale.
 *
 * A title is "Show: Season label: Episode", but shows and films have
 * colons of their own ("Avatar: The Last Airbender: Book 1: ..."), so the
 * show is the longest prefix, at a ": ", that the catalogue knows (the
 * caller's `known`); without one, the first segment that reads as a season
 * label ends the show, else the first segment is the show. Labels are read
 * in the languages exports were seen in (Season, Series, Staffel,
 * Temporada, Seizoen, Saison, Stagione, Part, Teil, Parte, Deel, Volume,
 * Book, Limited Series, Miniserie, and the show's own name with a number),
 * with numbers in digits or roman, including Netflix's "Part l" and "ll"
 * written with a lower-case L. */
#ifndef MQ_TRACK_NETFLIX_H
#define MQ_TRACK_NETFLIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_NETFLIX_TITLE_MAX 1024 /* bytes of a title considered */

struct mq_netflix_title {
    const char *show;         /* the series, or the whole title (a film, a show-level row) */
    const char *season_label; /* as written, or NULL */
    int season;               /* -1 = not said; a limited series is 1 */
    const char *episode;      /* the episode's title, or NULL */
    int episode_no;           /* from "Episode 19", "(Folge 5)"; -1 = not said */
};

/* Whether the catalogue knows a series by this title (len bytes). */
typedef bool (*mq_netflix_known_fn)(void *arg, const char *title, size_t len);

/* Splits a title; `known` may be NULL. Strings are in the arena. */
MQ_MUST_CHECK mq_err mq_netflix_split(struct mq_arena *a, const char *title,
                                      mq_netflix_known_fn known, void *arg,
                                      struct mq_netflix_title *out);

/* A segment read as a season label: its number (1 for a limited series),
 * or -1. `show` (may be NULL) is for labels made of the show's own name
 * ("Stranger Things 4"). */
int mq_netflix_season(const char *seg, size_t n, const char *show);

/* Dates of a viewing history: 9/14/24, 28-06-23, 21/11/2024. The order of
 * day and month is the whole file's: a first number over 12 anywhere
 * means day first, a second one month first; neither, month first (the
 * US export). */
struct mq_date_votes {
    int64_t day_first, month_first;
};
void mq_netflix_date_vote(const char *s, struct mq_date_votes *v);
bool mq_netflix_day_first(const struct mq_date_votes *v);
/* Noon UTC of the date, so that the day is the same in every time zone
 * people live in; false when it is no date. */
bool mq_netflix_date(const char *s, bool day_first, int64_t *ms);

/* "HH:MM:SS" (Duration, Bookmark) in ms; false otherwise. */
bool mq_netflix_hms(const char *s, int64_t *ms);
/* "YYYY-MM-DD HH:MM:SS" (UTC) in ms; false otherwise. */
bool mq_netflix_instant(const char *s, int64_t *ms);

#endif
