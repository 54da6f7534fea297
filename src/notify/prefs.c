#include "notify/prefs.h"

#include <string.h>

#include "core/uuid.h"

static const char *const MODES[] = {"off", "instant", "daily", "weekly"};

const char *mq_notify_mode_name(enum mq_notify_mode m)
{
    return MODES[m];
}

static int mode_of(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(MODES[i], s)) return i;
    return -1;
}

/* "HH:MM" as minutes of the day, or -1. */
static int minute_of(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
    int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

static bool known_channel(const char *id, const char *const *channels, size_t n)
{
    if (!strcmp(id, "in_app") || !channels) return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(channels[i], id)) return true;
    return false;
}

static mq_err read_events(struct mq_arena *a, json_t *events, const char *const *channels,
                          size_t n_channels, struct mq_notify_prefs *out, struct mq_refusal *why)
{
    const char *name;
    json_t *modes;
    size_t cap = 0;
    if (!json_is_object(events))
        return mq_refuse(why, MQ_EINVAL, "invalid_preferences", "events",
                         "events is an object of event names");
    json_object_foreach(events, name, modes)
    {
        const struct mq_notify_event *e = mq_notify_event_find(name);
        if (!e || e->audience != MQ_NOTIFY_MEMBER)
            return mq_refuse(why, MQ_EINVAL, "unknown_event", "events",
                             "%.64s is not an event members are notified of", name);
        if (!json_is_object(modes))
            return mq_refuse(why, MQ_EINVAL, "invalid_preferences", "events",
                             "the modes of %.64s are an object of channels", name);
        const char *channel;
        json_t *m;
        json_object_foreach(modes, channel, m)
        {
            int mode = mode_of(json_string_value(m));
            if (mode < 0)
                return mq_refuse(why, MQ_EINVAL, "invalid_mode", "events",
                                 "a mode is off, instant, daily or weekly");
            if (!strcmp(channel, "in_app") && mode > MQ_MODE_INSTANT)
                return mq_refuse(why, MQ_EINVAL, "invalid_mode", "events",
                                 "in-app notifications are off or instant");
            if (strcmp(channel, "in_app") && !mq_uuid_valid(channel, strlen(channel)))
                return mq_refuse(why, MQ_EINVAL, "unknown_channel", "events",
                                 "a channel is in_app or one of your channels' ids");
            if (!known_channel(channel, channels, n_channels))
                return mq_refuse(why, MQ_EINVAL, "unknown_channel", "events",
                                 "%.40s is not one of your channels", channel);
            if (out->n_overrides == cap) {
                out->overrides = mq_arena_grow(a, out->overrides, out->n_overrides + 1, &cap,
                                               sizeof(*out->overrides));
                if (!out->overrides) return MQ_ENOMEM;
            }
            struct mq_notify_override *o = &out->overrides[out->n_overrides++];
            o->event = e->name;
            o->channel = mq_arena_strdup(a, channel);
            o->mode = (enum mq_notify_mode)mode;
            if (!o->channel) return MQ_ENOMEM;
        }
    }
    return MQ_OK;
}

static mq_err read_strings(struct mq_arena *a, json_t *v, const char *field, size_t max, bool ids,
                           const char ***out, size_t *n, struct mq_refusal *why)
{
    size_t i;
    json_t *s;
    if (!json_is_array(v) || json_array_size(v) > max)
        return mq_refuse(why, MQ_EINVAL, "invalid_preferences", field,
                         "%s is a list of at most %zu", field, max);
    *out = mq_arena_calloc(a, json_array_size(v) + 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    json_array_foreach(v, i, s)
    {
        const char *t = json_string_value(s);
        size_t len = t ? strlen(t) : 0;
        bool ok = ids ? t && mq_uuid_valid(t, len) : len >= 1 && len <= 40;
        for (size_t k = 0; ok && !ids && k < len; k++)
            ok = (t[k] >= 'a' && t[k] <= 'z') || (t[k] >= '0' && t[k] <= '9') || t[k] == '_';
        if (!ok)
            return mq_refuse(why, MQ_EINVAL, "invalid_preferences", field,
                             ids ? "%s holds media ids" : "%s holds platform ids (a-z, 0-9, _)",
                             field);
        if (!((*out)[(*n)++] = mq_arena_strdup(a, t))) return MQ_ENOMEM;
    }
    return MQ_OK;
}

mq_err mq_notify_prefs_read(struct mq_arena *a, const json_t *doc, const char *const *channels,
                            size_t n_channels, struct mq_notify_prefs *out, struct mq_refusal *why)
{
    memset(out, 0, sizeof(*out));
    out->quiet_start = out->quiet_end = -1;
    if (!doc) return MQ_OK;
    if (!json_is_object(doc))
        return mq_refuse(why, MQ_EINVAL, "invalid_preferences", NULL,
                         "preferences are a JSON object");
    const char *key;
    json_t *v;
    mq_err err = MQ_OK;
    json_object_foreach((json_t *)doc, key, v)
    {
        if (!strcmp(key, "events")) {
            err = read_events(a, v, channels, n_channels, out, why);
        } else if (!strcmp(key, "quiet_hours")) {
            if (json_is_null(v)) continue;
            out->quiet_start = minute_of(json_string_value(json_object_get(v, "start")));
            out->quiet_end = minute_of(json_string_value(json_object_get(v, "end")));
            if (out->quiet_start < 0 || out->quiet_end < 0 || out->quiet_start == out->quiet_end)
                err = mq_refuse(why, MQ_EINVAL, "invalid_quiet_hours", "quiet_hours",
                                "quiet hours are {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}, "
                                "two different times, or null");
        } else if (!strcmp(key, "platforms")) {
            if (json_is_null(v)) continue;
            err = read_strings(a, v, "platforms", MQ_NOTIFY_PLATFORMS_MAX, false, &out->platforms,
                               &out->n_platforms, why);
        } else if (!strcmp(key, "whole_season_series")) {
            err = read_strings(a, v, "whole_season_series", MQ_NOTIFY_SERIES_MAX, true,
                               &out->series, &out->n_series, why);
        } else if (!strcmp(key, "whole_season")) {
            if (!json_is_boolean(v))
                err = mq_refuse(why, MQ_EINVAL, "invalid_preferences", "whole_season",
                                "whole_season is true or false");
            out->whole_season = json_is_true(v);
        } else if (!strcmp(key, "region")) {
            const char *r = json_string_value(v);
            if (json_is_null(v)) continue;
            if (!r || strlen(r) != 2 || r[0] < 'A' || r[0] > 'Z' || r[1] < 'A' || r[1] > 'Z')
                err = mq_refuse(why, MQ_EINVAL, "invalid_region", "region",
                                "a region is an ISO 3166-1 code such as GB, or null");
            else if (!(out->region = mq_arena_strdup(a, r)))
                err = MQ_ENOMEM;
        } else if (strcmp(key, "channels") && strcmp(key, "time_zone")) {
            /* channels and time_zone are what GET shows besides: ignored */
            err = mq_refuse(why, MQ_EINVAL, "unknown_field", key, "%.64s is not a preference", key);
        }
        if (err) return err;
    }
    return MQ_OK;
}

enum mq_notify_mode mq_notify_prefs_mode(const struct mq_notify_prefs *p,
                                         const struct mq_notify_event *e, const char *channel)
{
    for (size_t i = p->n_overrides; i-- > 0;)
        if (!strcmp(p->overrides[i].event, e->name) && !strcmp(p->overrides[i].channel, channel))
            return p->overrides[i].mode;
    return e->quiet_by_default ? MQ_MODE_OFF : MQ_MODE_INSTANT;
}

bool mq_notify_prefs_quiet(const struct mq_notify_prefs *p, int minute, int *until)
{
    if (p->quiet_start < 0) return false;
    int s = p->quiet_start, e = p->quiet_end;
    bool in = s < e ? minute >= s && minute < e : minute >= s || minute < e; /* over midnight */
    if (in) *until = (e - minute + 1440) % 1440;
    return in;
}

static json_t *hhmm(int minute)
{
    return json_sprintf("%02d:%02d", minute / 60, minute % 60);
}

static json_t *strings(const char **s, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, json_string(s[i]));
    return arr;
}

json_t *mq_notify_prefs_json(const struct mq_notify_prefs *p, const char *const *channels,
                             size_t n_channels)
{
    json_t *doc = json_object(), *events = json_object();
    for (size_t i = 0; i < mq_notify_events_count; i++) {
        const struct mq_notify_event *e = &mq_notify_events[i];
        if (e->audience != MQ_NOTIFY_MEMBER) continue;
        json_t *modes = json_object();
        json_object_set_new(modes, "in_app",
                            json_string(mq_notify_mode_name(mq_notify_prefs_mode(p, e, "in_app"))));
        for (size_t c = 0; c < n_channels; c++)
            json_object_set_new(
                modes, channels[c],
                json_string(mq_notify_mode_name(mq_notify_prefs_mode(p, e, channels[c]))));
        json_object_set_new(events, e->name, modes);
    }
    json_object_set_new(doc, "events", events);
    json_object_set_new(doc, "quiet_hours",
                        p->quiet_start < 0 ? json_null()
                                           : json_pack("{s:o,s:o}", "start", hhmm(p->quiet_start),
                                                       "end", hhmm(p->quiet_end)));
    json_object_set_new(doc, "platforms",
                        p->platforms ? strings(p->platforms, p->n_platforms) : json_null());
    json_object_set_new(doc, "region", p->region ? json_string(p->region) : json_null());
    json_object_set_new(doc, "whole_season", json_boolean(p->whole_season));
    json_object_set_new(doc, "whole_season_series", strings(p->series, p->n_series));
    return doc;
}
