#include "system/settings.h"

#include <pthread.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/mfa.h"
#include "core/deadline.h"
#include "crypto/secrets.h"
#include "store/settings.h"

#define MFA_KEY       "mfa_required_roles"
#define VALUE_MAX     1024 /* bytes of one setting's text */
#define WATCH_EVERY_S 1

struct snapshot {
    struct snapshot *next;
    struct mq_config cfg;
};

struct mq_settings {
    struct mq_ctx *ctx;
    const struct mq_config *base;
    pthread_mutex_t lock;       /* one install at a time; guards the two below */
    struct snapshot *snapshots; /* every config made, newest first */
    int64_t version;            /* of the stored settings ctx->cfg was made from */

    pthread_t thread;
    bool watching;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    bool stop;
};

/* A stored or proposed value of one key. */
struct entry {
    const char *key;
    const char *value; /* NULL: back to the default */
    bool sealed;       /* value is sealed text */
};

static bool is_live(size_t i)
{
    struct mq_config_key_info info;
    mq_config_key_info(i, &info);
    return info.flags & MQ_CONFIG_LIVE;
}

static bool is_locked(const struct mq_config *base, size_t i)
{
    return base->sources[i] != MQ_SRC_DEFAULT;
}

static void sealed_context(const char *key, char out[96])
{
    snprintf(out, 96, "setting:%s", key);
}

/* Applies one entry to cfg. Returns false, with the reason in why, when it
 * does not apply. */
static bool apply_entry(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_config *base,
                        struct mq_config *cfg, const struct entry *e, char *why, size_t whylen)
{
    int i = mq_config_key_index(e->key);
    if (i < 0 || !is_live((size_t)i)) {
        snprintf(why, whylen, "not a setting this version knows");
        return false;
    }
    if (is_locked(base, (size_t)i)) {
        snprintf(why, whylen, "set by the operator (%s)", mq_config_source_name(base->sources[i]));
        return false;
    }
    if (!e->value) return true;
    const char *value = e->value;
    unsigned char *plain = NULL;
    size_t len = 0;
    if (e->sealed) {
        char context[96];
        sealed_context(e->key, context);
        if (!ctx->secrets || mq_secrets_unseal(ctx->secrets, a, context, e->value, &plain, &len)) {
            snprintf(why, whylen, "sealed, and %s",
                     ctx->secrets ? "the key does not open it" : "no master key is loaded");
            return false;
        }
        value = (const char *)plain;
    }
    mq_err err = mq_config_set(cfg, (size_t)i, value, MQ_SRC_SETTINGS, why, whylen);
    if (plain) sodium_memzero(plain, len);
    return !err;
}

/* The configuration from base, the stored entries and then the changes.
 * A stored entry that does not apply is logged and left out; a change that
 * does not apply fails the whole with *refusal filled. */
static mq_err build(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_config *base,
                    const struct entry *stored, size_t nstored, const struct entry *changes,
                    size_t nchanges, struct mq_config *out, struct mq_refusal *refusal)
{
    char text[256];
    mq_err err = mq_config_copy(out, base);
    if (err) return err;
    for (size_t i = 0; i < nstored; i++) {
        bool replaced = false;
        for (size_t c = 0; c < nchanges; c++) replaced |= !strcmp(changes[c].key, stored[i].key);
        if (replaced || (stored[i].sealed && !ctx->secrets)) continue;
        if (apply_entry(ctx, a, base, out, &stored[i], text, sizeof(text))) continue;
        if (mq_config_key_index(stored[i].key) >= 0 &&
            is_locked(base, (size_t)mq_config_key_index(stored[i].key)))
            continue; /* the operator's value wins, as documented */
        mq_log_warn(ctx->log, "settings", "ignoring the stored setting %s: %s", stored[i].key,
                    text);
    }
    for (size_t c = 0; c < nchanges; c++) {
        if (!changes[c].value) continue;
        if (apply_entry(ctx, a, base, out, &changes[c], text, sizeof(text))) continue;
        /* "invalid KEY (from settings): reason" -> "reason" */
        const char *reason = strstr(text, "): ");
        mq_config_cleanup(out);
        return mq_refuse(refusal, MQ_EINVAL, "invalid_setting", changes[c].key, "%s: %s",
                         changes[c].key, reason ? reason + 3 : text);
    }
    if (mq_config_check(out, text, sizeof(text))) {
        if (!nchanges) {
            /* Stored values that no longer fit the operator's: serve theirs. */
            mq_log_warn(ctx->log, "settings", "ignoring the stored settings: %s", text);
            mq_config_cleanup(out);
            return mq_config_copy(out, base);
        }
        mq_config_cleanup(out);
        return mq_refuse(refusal, MQ_EINVAL, "invalid_setting", NULL, "%s",
                         strncmp(text, "invalid ", 8) ? text : text + 8);
    }
    return MQ_OK;
}

static mq_err stored_entries(struct mq_db *db, struct mq_arena *a, struct entry **out, size_t *n,
                             int64_t *version)
{
    struct mq_server_setting *rows = NULL;
    mq_err err = mq_store_server_settings_list(db, a, &rows, n, version);
    if (err) return err;
    *out = mq_arena_calloc(a, *n ? *n : 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (struct entry){rows[i].key, rows[i].value, rows[i].secret};
    return MQ_OK;
}

/* Makes cfg (moved in) the configuration in force, unless one made from a
 * newer version already is. */
static mq_err install(struct mq_settings *s, struct mq_config *cfg, int64_t version)
{
    struct snapshot *snap = calloc(1, sizeof(*snap));
    if (!snap) {
        mq_config_cleanup(cfg);
        return MQ_ENOMEM;
    }
    snap->cfg = *cfg;
    pthread_mutex_lock(&s->lock);
    bool newer = version > s->version || !s->snapshots;
    if (newer) {
        snap->next = s->snapshots;
        s->snapshots = snap;
        s->version = version;
        atomic_store(&s->ctx->cfg, &snap->cfg);
    }
    pthread_mutex_unlock(&s->lock);
    if (!newer) {
        mq_config_cleanup(&snap->cfg);
        free(snap);
    }
    return MQ_OK;
}

static mq_err load(struct mq_settings *s, bool if_moved)
{
    struct mq_ctx *ctx = s->ctx;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    struct entry *stored = NULL;
    struct mq_config cfg;
    size_t n = 0;
    int64_t version = 0;
    bool built = false;
    mq_err err = a ? mq_store_begin(ctx->store, MQ_DB_READ, &db) : MQ_ENOMEM;
    if (err) goto cleanup;
    if (if_moved) {
        err = mq_store_server_settings_version(db, &version);
        pthread_mutex_lock(&s->lock);
        bool same = version == s->version;
        pthread_mutex_unlock(&s->lock);
        if (err || same) {
            err = mq_store_finish(db, err);
            goto cleanup;
        }
    }
    err = stored_entries(db, a, &stored, &n, &version);
    err = mq_store_finish(db, err);
    if (err) goto cleanup;
    err = build(ctx, a, s->base, stored, n, NULL, 0, &cfg, NULL);
    built = !err;
    if (built) err = install(s, &cfg, version);
cleanup:
    mq_arena_free(a);
    return err;
}

mq_err mq_settings_open(struct mq_ctx *ctx, const struct mq_config *base, struct mq_settings **out)
{
    struct mq_settings *s = calloc(1, sizeof(*s));
    if (!s) return MQ_ENOMEM;
    s->ctx = ctx;
    s->base = base;
    s->version = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->stop_lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);
    mq_err err = load(s, false);
    if (err) {
        mq_settings_free(s);
        return err;
    }
    *out = s;
    return MQ_OK;
}

static void *watch_main(void *arg)
{
    struct mq_settings *s = arg;
    bool failing = false;
    pthread_mutex_lock(&s->stop_lock);
    while (!s->stop) {
        struct timespec until = mq_deadline_in(CLOCK_REALTIME, WATCH_EVERY_S * 1000);
        pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &until);
        if (s->stop) break;
        pthread_mutex_unlock(&s->stop_lock);
        mq_err err = load(s, true);
        /* Once per outage, not once a second. */
        if (err && !failing)
            mq_log_warn(s->ctx->log, "settings", "cannot look for changed settings: %s",
                        mq_err_name(err));
        failing = err != MQ_OK;
        pthread_mutex_lock(&s->stop_lock);
    }
    pthread_mutex_unlock(&s->stop_lock);
    return NULL;
}

mq_err mq_settings_watch(struct mq_settings *s)
{
    if (pthread_create(&s->thread, NULL, watch_main, s)) return MQ_ENOMEM;
    s->watching = true;
    return MQ_OK;
}

void mq_settings_free(struct mq_settings *s)
{
    if (!s) return;
    if (s->watching) {
        pthread_mutex_lock(&s->stop_lock);
        s->stop = true;
        pthread_cond_signal(&s->stop_cond);
        pthread_mutex_unlock(&s->stop_lock);
        pthread_join(s->thread, NULL);
    }
    if (s->snapshots) atomic_store(&s->ctx->cfg, s->base);
    for (struct snapshot *p = s->snapshots, *next; p; p = next) {
        next = p->next;
        mq_config_cleanup(&p->cfg);
        free(p);
    }
    pthread_cond_destroy(&s->stop_cond);
    pthread_mutex_destroy(&s->stop_lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

mq_err mq_settings_reload(struct mq_settings *s)
{
    return load(s, true);
}

/* The value of key i in cfg as the API shows it. */
static json_t *value_json(const struct mq_config *cfg, size_t i)
{
    struct mq_config_key_info info;
    char text[VALUE_MAX];
    long num;
    mq_config_key_info(i, &info);
    if (mq_config_number(cfg, i, &num)) {
        if (!strcmp(info.type, "boolean")) return json_boolean(num);
        if (info.choices) return json_string(info.choices[num]);
        return json_integer(num);
    }
    mq_config_text(cfg, i, true, text, sizeof(text));
    return *text ? json_string(text) : json_null();
}

static json_t *key_json(const struct mq_config *base, const struct mq_config *cfg, size_t i)
{
    struct mq_config_key_info info;
    mq_config_key_info(i, &info);
    json_t *o = json_pack("{s:s,s:o,s:o,s:s,s:b,s:b,s:b,s:s}", "type", info.type, "value",
                          value_json(cfg, i), "default", value_json(base, i), "source",
                          mq_config_source_name(cfg->sources[i]), "locked", is_locked(base, i),
                          "secret", (info.flags & MQ_CONFIG_SECRET) != 0, "public",
                          (info.flags & MQ_CONFIG_PUBLIC) != 0, "description", info.help);
    if (!o) return NULL;
    if (!strcmp(info.type, "integer") || !strcmp(info.type, "size") ||
        !strcmp(info.type, "duration")) {
        json_object_set_new(o, "min", json_integer(info.min));
        json_object_set_new(o, "max", json_integer(info.max));
    }
    if (!strcmp(info.type, "size")) json_object_set_new(o, "unit", json_string("bytes"));
    if (!strcmp(info.type, "duration")) json_object_set_new(o, "unit", json_string("ms"));
    if (!strcmp(info.type, "string") && info.max)
        json_object_set_new(o, "max_length", json_integer(info.max));
    if (info.choices) {
        json_t *c = json_array();
        for (size_t k = 0; c && info.choices[k]; k++)
            json_array_append_new(c, json_string(info.choices[k]));
        json_object_set_new(o, "choices", c);
    }
    return o;
}

static const struct mq_config *base_of(struct mq_ctx *ctx)
{
    /* Without a settings manager (a CLI command), the config is the base. */
    return ctx->settings ? ctx->settings->base : ctx->cfg;
}

mq_err mq_settings_describe(struct mq_ctx *ctx, struct mq_arena *a, json_t **out)
{
    const struct mq_config *cfg = ctx->cfg, *base = base_of(ctx);
    struct mq_db *db = NULL;
    json_t *roles = NULL;
    int64_t version = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_server_settings_version(db, &version);
    if (!err) err = mq_mfa_policy_get_in(db, a, &roles);
    err = mq_store_finish(db, err);
    if (err) return err;

    json_t *settings = json_object();
    for (size_t i = 0; settings && i < mq_config_key_count(); i++) {
        struct mq_config_key_info info;
        mq_config_key_info(i, &info);
        if (info.flags & MQ_CONFIG_LIVE)
            json_object_set_new(settings, info.name, key_json(base, cfg, i));
    }
    json_object_set_new(
        settings, MFA_KEY,
        json_pack("{s:s,s:o,s:[],s:s,s:b,s:b,s:b,s:s}", "type", "roles", "value", roles, "default",
                  "source", json_array_size(roles) ? "settings" : "default", "locked", 0, "secret",
                  0, "public", 0, "description",
                  "roles whose holders must have a second factor (GET /api/v1/admin/roles)"));
    *out = json_pack("{s:I,s:o}", "version", (json_int_t)version, "settings", settings);
    return *out ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_settings_public(struct mq_ctx *ctx, json_t **out)
{
    const struct mq_config *cfg = ctx->cfg;
    json_t *o = json_object();
    for (size_t i = 0; o && i < mq_config_key_count(); i++) {
        struct mq_config_key_info info;
        mq_config_key_info(i, &info);
        if (info.flags & MQ_CONFIG_PUBLIC) json_object_set_new(o, info.name, value_json(cfg, i));
    }
    *out = o;
    return o ? MQ_OK : MQ_ENOMEM;
}

/* The text of a proposed value, in config syntax, or why it has the wrong
 * JSON type. */
static const char *change_text(struct mq_arena *a, const struct mq_config_key_info *info, json_t *v,
                               const char **why)
{
    if (!strcmp(info->type, "boolean")) {
        if (json_is_boolean(v)) return json_is_true(v) ? "true" : "false";
        *why = "must be true or false";
        return NULL;
    }
    bool numeric = !strcmp(info->type, "integer") || !strcmp(info->type, "size") ||
                   !strcmp(info->type, "duration");
    if (numeric && json_is_integer(v))
        return mq_arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (!strcmp(info->type, "integer") || !json_is_string(v)) {
        *why = !strcmp(info->type, "integer") ? "must be a whole number"
               : !strcmp(info->type, "size")
                   ? "must be a number of bytes, or a size such as \"64KiB\""
               : !strcmp(info->type, "duration")
                   ? "must be a number of milliseconds, or a duration such as \"15m\""
                   : "must be a string";
        return NULL;
    }
    if (json_string_length(v) > VALUE_MAX - 1 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        *why = "is too long, or holds a NUL character";
        return NULL;
    }
    return json_string_value(v);
}

/* Reads the proposed changes: the live keys as entries, the MFA policy apart. */
static mq_err read_changes(struct mq_arena *a, const struct mq_config *base, json_t *changes,
                           struct entry **out, size_t *n, json_t **mfa_roles,
                           struct mq_refusal *refusal)
{
    const char *key;
    json_t *v;
    *n = 0;
    *mfa_roles = NULL;
    *out = mq_arena_calloc(a, json_object_size(changes) + 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    json_object_foreach(changes, key, v)
    {
        struct mq_config_key_info info;
        const char *why = NULL;
        int i = mq_config_key_index(key);
        if (!strcmp(key, MFA_KEY)) {
            if (!json_is_array(v))
                return mq_refuse(refusal, MQ_EINVAL, "invalid_setting", MFA_KEY,
                                 "%s: must be an array of role names", MFA_KEY);
            *mfa_roles = v;
            continue;
        }
        if (i < 0)
            return mq_refuse(refusal, MQ_EINVAL, "unknown_setting", key,
                             "there is no setting %.64s", key);
        mq_config_key_info((size_t)i, &info);
        if (!(info.flags & MQ_CONFIG_LIVE))
            return mq_refuse(refusal, MQ_EINVAL, "setting_not_live", info.name,
                             "%s is set in the configuration file, the environment or a flag, "
                             "and takes a restart",
                             info.name);
        if (is_locked(base, (size_t)i))
            return mq_refuse(refusal, MQ_ECONFLICT, "setting_locked", info.name,
                             "%s is set by the operator (%s), which wins over settings", info.name,
                             mq_config_source_name(base->sources[i]));
        const char *text = json_is_null(v) ? NULL : change_text(a, &info, v, &why);
        if (why)
            return mq_refuse(refusal, MQ_EINVAL, "invalid_setting", info.name, "%s: %s", info.name,
                             why);
        (*out)[(*n)++] = (struct entry){info.name, text, false};
    }
    return MQ_OK;
}

/* Writes the changes, secrets sealed. */
static mq_err store_changes(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                            const struct entry *changes, size_t n, const char *by)
{
    mq_err err = MQ_OK;
    int64_t now = mq_clock_now_ms(ctx->clock);
    for (size_t c = 0; !err && c < n; c++) {
        struct mq_config_key_info info;
        mq_config_key_info((size_t)mq_config_key_index(changes[c].key), &info);
        struct mq_server_setting row = {changes[c].key, changes[c].value, false, now, by};
        if (!changes[c].value) {
            err = mq_store_server_setting_delete(db, changes[c].key);
            continue;
        }
        if (info.flags & MQ_CONFIG_SECRET) {
            char context[96];
            char *sealed = NULL;
            sealed_context(changes[c].key, context);
            err = ctx->secrets ? mq_secrets_seal(ctx->secrets, a, context, changes[c].value,
                                                 strlen(changes[c].value), &sealed)
                               : MQ_EINTERNAL;
            row.value = sealed;
            row.secret = true;
        }
        if (!err) err = mq_store_server_setting_put(db, &row);
    }
    return err;
}

/* {"key": {"before", "after"}} for each change that changed something. */
static json_t *differences(const struct mq_config *before, const struct mq_config *after,
                           const struct entry *changes, size_t n)
{
    json_t *d = json_object();
    for (size_t c = 0; d && c < n; c++) {
        size_t i = (size_t)mq_config_key_index(changes[c].key);
        json_t *was = value_json(before, i), *is = value_json(after, i);
        if (json_equal(was, is) && before->sources[i] == after->sources[i]) {
            json_decref(was);
            json_decref(is);
            continue;
        }
        json_object_set_new(d, changes[c].key, json_pack("{s:o,s:o}", "before", was, "after", is));
    }
    return d;
}

mq_err mq_settings_update(struct mq_ctx *ctx, struct mq_arena *a, json_t *changes, const char *by,
                          struct mq_refusal *refusal, json_t **audit)
{
    const struct mq_config *base = base_of(ctx);
    struct entry *proposed = NULL, *stored = NULL;
    size_t nproposed = 0, nstored = 0;
    json_t *mfa_roles = NULL, *mfa_before = NULL, *diff = NULL;
    struct mq_config before, after;
    bool have_before = false, have_after = false;
    struct mq_db *db = NULL;
    int64_t version = 0, unused;
    *audit = NULL;

    mq_err err = read_changes(a, base, changes, &proposed, &nproposed, &mfa_roles, refusal);
    if (err) return err;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    /* First, so that concurrent changes queue here and each builds on the
     * last. */
    err = mq_store_server_settings_bump(db, &version);
    if (!err) err = stored_entries(db, a, &stored, &nstored, &unused);
    if (!err) err = build(ctx, a, base, stored, nstored, NULL, 0, &before, refusal);
    have_before = !err;
    if (!err) err = build(ctx, a, base, stored, nstored, proposed, nproposed, &after, refusal);
    have_after = !err;
    if (!err) err = store_changes(ctx, db, a, proposed, nproposed, by);
    if (!err && mfa_roles) {
        err = mq_mfa_policy_get_in(db, a, &mfa_before);
        if (!err) err = mq_mfa_policy_set_in(db, a, mfa_roles, mq_clock_now_ms(ctx->clock));
        if (err == MQ_EINVAL)
            mq_refuse(refusal, err, "invalid_setting", MFA_KEY, "%s: every entry must name a role",
                      MFA_KEY);
    }
    if (!err) {
        diff = differences(&before, &after, proposed, nproposed);
        json_t *mfa_after = NULL;
        if (diff && mfa_roles && !mq_mfa_policy_get_in(db, a, &mfa_after) &&
            !json_equal(mfa_before, mfa_after))
            json_object_set_new(diff, MFA_KEY,
                                json_pack("{s:O,s:O}", "before", mfa_before, "after", mfa_after));
        json_decref(mfa_after);
        if (!diff) err = MQ_ENOMEM;
    }
    if (!err && json_object_size(diff)) {
        char version_text[24];
        snprintf(version_text, sizeof(version_text), "%lld", (long long)version);
        struct mq_event e = {.kind = "settings.changed", .subject = version_text};
        err = mq_db_publish(db, ctx->events, &e);
    }
    err = mq_store_finish(db, err);
    json_decref(mfa_before);
    if (have_before) mq_config_cleanup(&before);
    if (!err && ctx->settings) {
        err = install(ctx->settings, &after, version);
        have_after = false;
    }
    if (have_after) mq_config_cleanup(&after);
    if (err) {
        json_decref(diff);
        return err;
    }
    if (json_object_size(diff))
        *audit = diff;
    else
        json_decref(diff);
    return MQ_OK;
}
