#include "media/parental.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/zone.h"
#include "crypto/password.h"
#include "store/parental.h"
#include "store/users.h"

/* ---- the ladder -------------------------------------------------------- */

static const struct {
    const char *value;
    int level;
} LADDER[] = {
    /* MPAA */
    {"G", 1},
    {"PG", 2},
    {"PG-13", 3},
    {"R", 4},
    {"NC-17", 5},
    {"X", 5},
    /* US TV */
    {"TV-Y", 1},
    {"TV-G", 1},
    {"TV-Y7", 2},
    {"TV-Y7-FV", 2},
    {"TV-PG", 2},
    {"TV-14", 3},
    {"TV-MA", 4},
    /* BBFC */
    {"U", 1},
    {"UC", 1},
    {"12A", 3},
    {"12", 3},
    {"15", 4},
    {"18", 5},
    {"R18", 5},
    /* Common others */
    {"ALL", 1},
    {"E", 1},
    {"TP", 1},
    {"AL", 1},
    {"K", 1},
    {"MA15+", 4},
    {"M", 3},
    {"R18+", 5},
};

/* An age ("16", "FSK 16", "DE-16", "FSK16", "+12") on the ladder. */
static int age_level(const char *v)
{
    const char *p = v;
    while (*p && !isdigit((unsigned char)*p)) p++;
    if (!*p) return 0;
    long age = strtol(p, NULL, 10);
    if (age < 0 || age > 21) return 0;
    return age < 6 ? 1 : age < 10 ? 2 : age < 14 ? 3 : age < 17 ? 4 : 5;
}

int mq_rating_level(const char *system, const char *value)
{
    if (!value || !*value) return 0;
    /* A number means an age for FSK, USK, and most national boards; for
     * the BBFC and Australia it is in the table. */
    bool by_age = system && (!strcasecmp(system, "FSK") || !strcasecmp(system, "age") ||
                             !strcasecmp(system, "CNC") || !strcasecmp(system, "KMRB"));
    if (!by_age)
        for (size_t i = 0; i < sizeof(LADDER) / sizeof(LADDER[0]); i++)
            if (!strcasecmp(value, LADDER[i].value)) return LADDER[i].level;
    if (!strncasecmp(value, "NR", 2) || !strcasecmp(value, "unrated") ||
        !strcasecmp(value, "not rated"))
        return 0;
    return age_level(value);
}

/* ---- reading and writing ----------------------------------------------- */

static const char *const DAYS[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int minutes_of(const char *hhmm)
{
    if (!hhmm || strlen(hhmm) != 5 || hhmm[2] != ':' || !isdigit((unsigned char)hhmm[0]) ||
        !isdigit((unsigned char)hhmm[1]) || !isdigit((unsigned char)hhmm[3]) ||
        !isdigit((unsigned char)hhmm[4]))
        return -1;
    int h = (hhmm[0] - '0') * 10 + hhmm[1] - '0', m = (hhmm[3] - '0') * 10 + hhmm[4] - '0';
    if (h == 24 && m == 0) return 1440;
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* Reads the windows' JSON, checking every part; false (and *why) when bad. */
bool mq_parental_parse_windows(const json_t *arr, struct mq_window *out, size_t *n,
                               const char **why)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > MQ_PARENTAL_WINDOWS_MAX) {
        *why = "windows is a list of at most 16 {\"days\", \"from\", \"to\"}";
        return false;
    }
    size_t i;
    json_t *w;
    json_array_foreach(arr, i, w)
    {
        json_t *days = json_object_get(w, "days");
        int from = minutes_of(json_string_value(json_object_get(w, "from")));
        int to = minutes_of(json_string_value(json_object_get(w, "to")));
        if (!json_is_object(w) || !json_is_array(days) || !json_array_size(days) || from < 0 ||
            to < 0 || from == to || from == 1440 || json_object_size(w) != 3) {
            *why = "each window has days (mon ... sun), from and to (HH:MM, not equal)";
            return false;
        }
        unsigned mask = 0;
        size_t k;
        json_t *d;
        json_array_foreach(days, k, d)
        {
            int found = -1;
            for (int x = 0; x < 7; x++)
                if (json_is_string(d) && !strcmp(json_string_value(d), DAYS[x])) found = x;
            if (found < 0) {
                *why = "days are mon, tue, wed, thu, fri, sat, sun";
                return false;
            }
            mask |= 1u << found;
        }
        out[(*n)++] = (struct mq_window){mask, from, to == 1440 ? 1440 : to};
    }
    return true;
}

static void hhmm(int minutes, char out[8])
{
    unsigned m = (unsigned)minutes % 1441;
    snprintf(out, 8, "%02u:%02u", m / 60, m % 60);
}

static json_t *windows_json(const struct mq_window *w, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char from[8], to[8];
        json_t *days = json_array();
        for (int d = 0; d < 7; d++)
            if (w[i].days & (1u << d)) json_array_append_new(days, json_string(DAYS[d]));
        hhmm(w[i].from, from);
        hhmm(w[i].to, to);
        json_array_append_new(arr,
                              json_pack("{s:o,s:s,s:s}", "days", days, "from", from, "to", to));
    }
    return arr;
}

json_t *mq_parental_json(const struct mq_parental *p)
{
    return json_pack("{s:b,s:o,s:s,s:o,s:b,s:o}", "active", p->active, "max_rating",
                     p->max_rating ? json_string(p->max_rating) : json_null(), "unrated",
                     p->block_unrated ? "block" : "allow", "windows",
                     windows_json(p->windows, p->nwindows), "pin_set", p->pin_set, "pin_locked",
                     json_boolean(p->pin_locked_until > 0));
}

static void from_row(const struct mq_parental_row *r, struct mq_parental *out)
{
    const char *why;
    memset(out, 0, sizeof(*out));
    out->max_rating = r->max_rating;
    out->max_level = (int)r->max_level;
    out->block_unrated = r->unrated && !strcmp(r->unrated, "block");
    json_t *w = r->windows ? json_loads(r->windows, 0, NULL) : NULL;
    if (w && !mq_parental_parse_windows(w, out->windows, &out->nwindows, &why)) out->nwindows = 0;
    json_decref(w);
    out->pin_set = r->pin_hash != NULL;
    out->pin_locked_until = r->pin_locked_until;
    out->updated_at = r->updated_at;
    out->active = out->max_level || out->block_unrated || out->nwindows;
}

mq_err mq_parental_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                       struct mq_parental *out)
{
    struct mq_db *db = NULL;
    struct mq_parental_row row;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_parental_get(db, a, user_id, &row);
    mq_store_rollback(db);
    if (err == MQ_ENOTFOUND) return MQ_OK;
    if (!err) from_row(&row, out);
    return err;
}

static bool pin_valid(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < 4 || n > 12) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)pin[i])) return false;
    return true;
}

/* Checks a PIN against the row, counting failures in db (its own write
 * transaction): MQ_OK, or MQ_EPERM with why. */
static mq_err check_pin(struct mq_ctx *ctx, struct mq_db *db, struct mq_parental_row *row,
                        const char *pin, struct mq_refusal *why)
{
    int64_t now = mq_clock_now_ms(ctx->clock);
    if (!row->pin_hash)
        return mq_refuse(why, MQ_EPERM, "pin_required", "pin",
                         "no PIN is set: only an admin can loosen these controls");
    if (row->pin_locked_until > now)
        return mq_refuse(why, MQ_EPERM, "pin_locked", "pin",
                         "too many wrong PINs: try again in %lld minutes",
                         (long long)((row->pin_locked_until - now) / 60000 + 1));
    bool ok = false;
    if (pin && pin_valid(pin)) {
        mq_err err = mq_password_verify(row->pin_hash, pin, &ok);
        if (err) return err;
    }
    int64_t failures = ok ? 0 : row->pin_failures + 1;
    int64_t locked = failures >= MQ_PIN_FAILURES_MAX ? now + MQ_PIN_LOCK_MS : 0;
    mq_err err = mq_store_parental_pin_result(db, row->user_id, locked ? 0 : failures, locked);
    if (err) return err;
    row->pin_failures = failures;
    if (ok) return MQ_OK;
    return mq_refuse(why, MQ_EPERM, locked ? "pin_locked" : "invalid_pin", "pin",
                     locked ? "too many wrong PINs: the PIN is locked for 15 minutes"
                            : "the PIN is wrong");
}

mq_err mq_parental_update(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                          const struct mq_parental_change *c, bool as_admin,
                          const char *current_pin, const char *by, struct mq_parental *out,
                          struct mq_refusal *why)
{
    struct mq_parental_row row = {.user_id = user_id, .unrated = "allow", .windows = "[]"};
    struct mq_parental before, after;
    const char *rule = NULL;
    struct mq_window w[MQ_PARENTAL_WINDOWS_MAX];
    size_t nw = 0;
    char hash[MQ_PASSWORD_HASH_MAX];
    int level = 0;
    /* The values first, before any hashing or transaction. */
    if (c->has_max_rating && c->max_rating && !(level = mq_rating_level(NULL, c->max_rating)))
        return mq_refuse(why, MQ_EINVAL, "invalid_rating", "max_rating",
                         "max_rating is a rating such as G, PG, PG-13, R, NC-17, TV-14, TV-MA, "
                         "12, 16 or 18");
    if (c->has_unrated &&
        (!c->unrated || (strcmp(c->unrated, "allow") && strcmp(c->unrated, "block"))))
        return mq_refuse(why, MQ_EINVAL, "invalid_unrated", "unrated", "unrated is allow or block");
    if (c->has_windows && c->windows && !mq_parental_parse_windows(c->windows, w, &nw, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_windows", "windows", "%s", rule);
    if (c->has_pin && c->pin && !pin_valid(c->pin))
        return mq_refuse(why, MQ_EINVAL, "invalid_pin_format", "pin", "a PIN is 4 to 12 digits");
    if (c->has_pin && c->pin && mq_password_hash(ctx->cfg, c->pin, hash)) return MQ_EINTERNAL;

    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    struct mq_user_row u;
    err = mq_store_user_by_id(db, a, user_id, &u);
    if (!err) {
        err = mq_store_parental_get(db, a, user_id, &row);
        if (err == MQ_ENOTFOUND) {
            row = (struct mq_parental_row){.user_id = user_id, .unrated = "allow", .windows = "[]"};
            err = MQ_OK;
        }
    }
    if (err) goto done;
    /* The PIN to check is the one stored, not one this change sets. */
    struct mq_parental_row stored = row;
    from_row(&row, &before);
    if (c->has_max_rating) {
        row.max_rating = c->max_rating;
        row.max_level = level;
    }
    if (c->has_unrated) row.unrated = c->unrated;
    if (c->has_windows) {
        json_t *norm = windows_json(w, c->windows ? nw : 0);
        char *text = json_dumps(norm, JSON_COMPACT);
        json_decref(norm);
        row.windows = text ? mq_arena_strdup(a, text) : NULL;
        free(text);
        if (!row.windows) {
            err = MQ_ENOMEM;
            goto done;
        }
    }
    if (c->has_pin) {
        row.pin_hash = c->pin ? mq_arena_strdup(a, hash) : NULL;
        row.pin_failures = 0;
        row.pin_locked_until = 0;
    }
    from_row(&row, &after);
    /* Loosening: a higher or no limit, unrated allowed, windows other than
     * added where there were none, or a PIN set or changed while controls
     * are on (a member's own PIN would open them to the member). */
    bool looser = (before.max_level && (!after.max_level || after.max_level > before.max_level)) ||
                  (before.block_unrated && !after.block_unrated) ||
                  (before.nwindows && c->has_windows) ||
                  (c->has_pin && (before.pin_set || before.active));
    if (!as_admin && before.active && looser) {
        err = check_pin(ctx, db, &stored, current_pin, why);
        if (err == MQ_EPERM) {
            /* Keep the failure counted: commit it, refuse the change. */
            mq_err e = mq_store_commit(db);
            db = NULL;
            return e ? e : MQ_EPERM;
        }
        if (err) goto done;
    }
    row.updated_by = by;
    row.updated_at = mq_clock_now_ms(ctx->clock);
    err = mq_store_parental_put(db, &row);
    /* A new PIN or looser rules end the unlocks the old ones allowed. */
    if (!err && (c->has_pin || looser)) err = mq_store_parental_unlocks_end(db, user_id);
    if (!err) from_row(&row, out);
done:
    if (db) err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND)
        return mq_refuse(why, MQ_ENOTFOUND, "user_not_found", NULL, "no account has that id");
    return err;
}

mq_err mq_parental_verify_pin(struct mq_ctx *ctx, const char *user_id, const char *session_id,
                              const char *pin, int64_t *until, struct mq_refusal *why)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    struct mq_parental_row row;
    *until = 0;
    if (!a) return MQ_ENOMEM;
    if (!session_id) {
        mq_arena_free(a);
        return mq_refuse(why, MQ_EPERM, "session_required", NULL,
                         "a PIN unlocks a signed-in session, not an API key");
    }
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_parental_get(db, a, user_id, &row);
    if (err == MQ_ENOTFOUND) row = (struct mq_parental_row){.user_id = user_id}, err = MQ_OK;
    if (!err) err = check_pin(ctx, db, &row, pin, why);
    if (!err) {
        *until = mq_clock_now_ms(ctx->clock) + MQ_PIN_UNLOCK_MS;
        err = mq_store_parental_unlock(db, session_id, user_id, *until);
    }
    if (err == MQ_EPERM) {
        /* The failure is counted even though the unlock is refused. */
        mq_err e = mq_store_commit(db);
        mq_arena_free(a);
        return e ? e : MQ_EPERM;
    }
    err = mq_store_finish(db, err);
    mq_arena_free(a);
    return err;
}

/* ---- what is allowed now ------------------------------------------------ */

static bool in_window(const struct mq_window *w, const struct mq_local *t)
{
    unsigned today = 1u << t->weekday, yesterday = 1u << ((t->weekday + 6) % 7);
    if (w->from < w->to) return (w->days & today) && t->minute >= w->from && t->minute < w->to;
    /* 22:00-02:00: the evening of its day, or the morning after. */
    return ((w->days & today) && t->minute >= w->from) ||
           ((w->days & yesterday) && t->minute < w->to);
}

/* Minutes from now until a window opens (within a week), or -1. */
static int64_t minutes_to_open(const struct mq_parental *p, const struct mq_local *t)
{
    int64_t best = -1;
    for (int d = 0; d <= 7; d++)
        for (size_t i = 0; i < p->nwindows; i++) {
            if (!(p->windows[i].days & (1u << ((t->weekday + d) % 7)))) continue;
            int64_t at = (int64_t)d * 1440 + p->windows[i].from - t->minute;
            if (at > 0 && (best < 0 || at < best)) best = at;
        }
    return best;
}

mq_err mq_parental_restriction(struct mq_ctx *ctx, struct mq_arena *a,
                               const struct mq_principal *who, struct mq_restriction *out)
{
    memset(out, 0, sizeof(*out));
    if (!who || !who->user_id) return MQ_OK;
    struct mq_db *db = NULL;
    struct mq_parental_row row;
    struct mq_user_row u;
    int64_t now = mq_clock_now_ms(ctx->clock), until = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_parental_get(db, a, who->user_id, &row);
    if (err == MQ_ENOTFOUND) {
        mq_store_rollback(db);
        return MQ_OK;
    }
    if (!err && who->session_id) err = mq_store_parental_unlocked(db, who->session_id, now, &until);
    if (!err) err = mq_store_user_by_id(db, a, who->user_id, &u);
    mq_store_rollback(db);
    if (err) return err == MQ_ENOTFOUND ? MQ_OK : err;
    struct mq_parental p;
    from_row(&row, &p);
    out->unlocked_until = until;
    out->max_level = until > now ? 0 : p.max_level;
    out->block_unrated = until > now ? false : p.block_unrated;
    if (p.nwindows) {
        /* The member's own time zone, from their preferences. */
        const char *zone = NULL;
        json_t *prefs = u.preferences ? json_loads(u.preferences, 0, NULL) : NULL;
        zone = json_string_value(json_object_get(prefs, "time_zone"));
        struct mq_local t;
        (void)mq_zone_local(zone, now, &t);
        json_decref(prefs);
        bool open = false;
        for (size_t i = 0; i < p.nwindows && !open; i++) open = in_window(&p.windows[i], &t);
        if (!open) {
            out->closed = true;
            int64_t m = minutes_to_open(&p, &t);
            out->opens_at = m < 0 ? 0 : (now / 60000 + m) * 60000;
        }
    }
    return MQ_OK;
}

bool mq_restriction_allows(const struct mq_restriction *r, int level)
{
    if (!level) return !r->block_unrated;
    return !r->max_level || level <= r->max_level;
}
