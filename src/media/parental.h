/* parental.h - parental controls: the highest rating a member may see,
 * what unrated works do, viewing windows in the member's time zone, and a
 * PIN that lifts the rating limit on one session for five minutes.
 *
 * Ratings are compared on one ladder, G < PG < PG-13 < R < NC-17 (levels 1
 * to 5), onto which TV ratings (TV-Y ... TV-MA) and common national systems
 * (BBFC, FSK, ages) are mapped. The controls reach every route through the
 * visibility function (media/libraries.h): listings leave out what is above
 * the limit, one item above it answers 404, and outside a viewing window a
 * stream answers 403 saying when viewing opens again.
 *
 * A member whose controls are set may tighten them, but loosening them
 * (a higher or no limit, unrated allowed, windows changed, a new PIN) needs
 * the PIN, or an admin. The PIN is 4 to 12 digits, hashed with the password
 * hasher, and after five wrong tries it is locked for fifteen minutes. */
#ifndef MQ_MEDIA_PARENTAL_H
#define MQ_MEDIA_PARENTAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/principal.h"
#include "core/ctx.h"

#define MQ_PARENTAL_WINDOWS_MAX 16
#define MQ_PIN_UNLOCK_MS        (5 * 60 * 1000)
#define MQ_PIN_FAILURES_MAX     5
#define MQ_PIN_LOCK_MS          (15 * 60 * 1000)

/* The ladder level of a rating (1 = G ... 5 = NC-17), 0 when it is none
 * this server knows (unrated). `system` may be NULL. */
int mq_rating_level(const char *system, const char *value);

struct mq_window {
    unsigned days; /* bit 0 = Monday ... bit 6 = Sunday */
    int from, to;  /* minutes of the day; to < from spans midnight */
};

/* Viewing windows as the API takes them: [{"days": ["mon", ...], "from":
 * "HH:MM", "to": "HH:MM"}], at most MQ_PARENTAL_WINDOWS_MAX. False (and
 * *why) when any part is wrong. */
bool mq_parental_parse_windows(const json_t *arr, struct mq_window *out, size_t *n,
                               const char **why);

struct mq_parental {
    bool active; /* any control in force */
    const char *max_rating;
    int max_level; /* 0 = no limit */
    bool block_unrated;
    struct mq_window windows[MQ_PARENTAL_WINDOWS_MAX];
    size_t nwindows;
    bool pin_set;
    int64_t pin_locked_until, updated_at;
};

MQ_MUST_CHECK mq_err mq_parental_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                     struct mq_parental *out);

/* What a change sets; has_* false leaves a part alone, a NULL value
 * clears it. */
struct mq_parental_change {
    bool has_max_rating, has_unrated, has_windows, has_pin;
    const char *max_rating, *unrated, *pin;
    const json_t *windows;
};

/* Slow (the PIN is hashed): off the connection threads. A member
 * (as_admin false) loosening active controls gives current_pin; MQ_EPERM
 * (why: pin_required, invalid_pin, pin_locked) otherwise. MQ_EINVAL (why)
 * for a bad value. */
MQ_MUST_CHECK mq_err mq_parental_update(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                        const struct mq_parental_change *c, bool as_admin,
                                        const char *current_pin, const char *by,
                                        struct mq_parental *out, struct mq_refusal *why);

/* Slow. Unlocks the session (NULL: refused, an API key has none) for
 * MQ_PIN_UNLOCK_MS; *until says till when. MQ_EPERM (why) for a wrong or
 * locked PIN, or no PIN set. */
MQ_MUST_CHECK mq_err mq_parental_verify_pin(struct mq_ctx *ctx, const char *user_id,
                                            const char *session_id, const char *pin, int64_t *until,
                                            struct mq_refusal *why);

/* What the controls allow `who` now. */
struct mq_restriction {
    int max_level; /* 0 = none (or lifted by the PIN on this session) */
    bool block_unrated;
    bool closed;      /* outside every viewing window */
    int64_t opens_at; /* when a window opens next (Unix ms), when closed */
    int64_t unlocked_until;
};
MQ_MUST_CHECK mq_err mq_parental_restriction(struct mq_ctx *ctx, struct mq_arena *a,
                                             const struct mq_principal *who,
                                             struct mq_restriction *out);

/* Whether a work of this level (0 = unrated) may be seen under r. */
bool mq_restriction_allows(const struct mq_restriction *r, int level);

/* The controls as the API shows them (a new reference). */
json_t *mq_parental_json(const struct mq_parental *p);

#endif
