/* prefs.h - a member's notification preferences: for each event and
 * channel ("in_app" or a channel's id) a mode, quiet hours in their time
 * zone, the platforms they watch on and the region they watch in (for the
 * monitor), and whole-season mode (for all series or some).
 *
 * The document, as GET and PUT show it:
 *
 *     {"events": {"season.available": {"in_app": "instant", "<channel id>": "daily"}},
 *      "quiet_hours": {"start": "22:00", "end": "07:00"} | null,
 *      "platforms": ["netflix"] | null, "region": "GB" | null,
 *      "whole_season": false, "whole_season_series": ["<media id>"]}
 *
 * A mode not given is the event's default: instant, or off for the noisy
 * ones (media.added, library.scan_done). In-app is off or instant. */
#ifndef MQ_NOTIFY_PREFS_H
#define MQ_NOTIFY_PREFS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "notify/events.h"

enum mq_notify_mode { MQ_MODE_OFF, MQ_MODE_INSTANT, MQ_MODE_DAILY, MQ_MODE_WEEKLY };

#define MQ_NOTIFY_SERIES_MAX    500
#define MQ_NOTIFY_PLATFORMS_MAX 50

struct mq_notify_override {
    const char *event, *channel;
    enum mq_notify_mode mode;
};

struct mq_notify_prefs {
    struct mq_notify_override *overrides;
    size_t n_overrides;
    int quiet_start, quiet_end; /* minutes of the day; -1 = none */
    bool whole_season;
    const char **series; /* whole-season mode for these series only */
    size_t n_series;
    const char **platforms; /* NULL = the platforms the member's imports came from */
    size_t n_platforms;
    const char *region; /* ISO 3166-1 alpha-2, or NULL = the server's */
    const char *zone;   /* the member's time zone (their profile's), or NULL = UTC */
};

const char *mq_notify_mode_name(enum mq_notify_mode m);

/* Reads a document (NULL = none: all defaults) into the arena. `channels`
 * are the member's channel ids: a mode for any other is refused
 * (unknown_channel), as are unknown events, modes and malformed times. A
 * stored document is read with channels NULL, which accepts any. */
MQ_MUST_CHECK mq_err mq_notify_prefs_read(struct mq_arena *a, const json_t *doc,
                                          const char *const *channels, size_t n_channels,
                                          struct mq_notify_prefs *out, struct mq_refusal *why);

/* The mode of an event on a channel ("in_app" or an id). */
enum mq_notify_mode mq_notify_prefs_mode(const struct mq_notify_prefs *p,
                                         const struct mq_notify_event *e, const char *channel);

/* Whether `minute` of the day is in the quiet hours; if so, *until is how
 * many minutes are left of them. */
bool mq_notify_prefs_quiet(const struct mq_notify_prefs *p, int minute, int *until);

/* The document with every member event's modes resolved for `channels`
 * (a new reference). */
json_t *mq_notify_prefs_json(const struct mq_notify_prefs *p, const char *const *channels,
                             size_t n_channels);

#endif
