#include "users/prefs.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum pref_type { P_TAG, P_ENUM, P_BOOL, P_ZONE, P_INT, P_OBJECT };

struct pref {
    const char *name;
    enum pref_type type;
    const char *choices; /* P_ENUM: space-separated */
    long min, max;       /* P_INT */
};

static const struct pref prefs[] = {
    {"language", P_TAG, NULL, 0, 0},
    {"audio_language", P_TAG, NULL, 0, 0},
    {"subtitle_language", P_TAG, NULL, 0, 0},
    {"theme", P_ENUM, "system light dark", 0, 0},
    {"subtitles", P_ENUM, "off auto always", 0, 0},
    {"autoplay_next", P_BOOL, NULL, 0, 0},
    {"time_zone", P_ZONE, NULL, 0, 0},
    {"items_per_page", P_INT, NULL, 10, 200},
    {"client", P_OBJECT, NULL, 0, 0},
};

static bool matches(const char *re, const char *s)
{
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) return false;
    bool ok = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static bool one_of(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && !strncmp(p, s, n)) return true;
        p += len;
        while (*p == ' ') p++;
    }
    return false;
}

static bool value_ok(const struct pref *p, json_t *v)
{
    const char *s = json_string_value(v);
    switch (p->type) {
    case P_TAG: return s && strlen(s) <= 35 && matches("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", s);
    case P_ENUM: return s && one_of(p->choices, s);
    case P_BOOL: return json_is_boolean(v);
    case P_ZONE: return s && strlen(s) <= 64 && matches("^[A-Za-z][A-Za-z0-9_+/-]*$", s);
    case P_INT:
        return json_is_integer(v) && json_integer_value(v) >= p->min &&
               json_integer_value(v) <= p->max;
    case P_OBJECT: {
        if (!json_is_object(v)) return false;
        char *text = json_dumps(v, JSON_COMPACT);
        bool ok = text && strlen(text) <= MQ_PREFS_CLIENT_MAX;
        free(text);
        return ok;
    }
    }
    return false;
}

/* RFC 7396: objects merge member by member, null removes, anything else
 * replaces. */
static int merge_patch(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
    {
        if (json_is_null(v)) {
            json_object_del(target, key);
        } else if (json_is_object(v)) {
            json_t *cur = json_object_get(target, key);
            if (!json_is_object(cur)) {
                cur = json_object();
                if (!cur || json_object_set_new(target, key, cur)) return -1;
            }
            if (merge_patch(cur, v)) return -1;
        } else if (json_object_set(target, key, v)) {
            return -1;
        }
    }
    return 0;
}

mq_err mq_prefs_merge(struct mq_arena *a, const char *current, const json_t *patch, char **out,
                      struct mq_refusal *why)
{
    if (!json_is_object(patch))
        return mq_refuse(why, MQ_EINVAL, "invalid_preferences", NULL,
                         "preferences are a JSON object");
    json_t *doc = json_loads(current && *current ? current : "{}", 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_object();
    }
    mq_err err = doc && !merge_patch(doc, patch) ? MQ_OK : MQ_ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (err) break;
        const struct pref *p = NULL;
        for (size_t i = 0; i < sizeof(prefs) / sizeof(prefs[0]) && !p; i++)
            if (!strcmp(prefs[i].name, key)) p = &prefs[i];
        if (!p)
            err = mq_refuse(why, MQ_EINVAL, "unknown_preference", NULL,
                            "there is no preference named \"%.64s\"", key);
        else if (!value_ok(p, v))
            err = mq_refuse(why, MQ_EINVAL, "invalid_preferences", NULL,
                            "%.64s has a value it cannot take (see the API documentation)", key);
    }
    if (!err) {
        char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        *out = text ? mq_arena_strdup(a, text) : NULL;
        free(text);
        if (!*out) err = MQ_ENOMEM;
    }
    json_decref(doc);
    return err;
}
