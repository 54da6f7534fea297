#include "system/settings.h"

#include <pthread.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/deadline.h"
#include "crypto/secrets.h"
#include "store/settings.h"

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

static const struct mq_config *base_of(struct mq_ctx *ctx)
{
    /* Without a settings manager (a CLI command), the config is the base. */
    return ctx->settings ? ctx->settings->base : ctx->cfg;
}

/* Key i's value in cfg, typed, secrets masked. */
static void value_of(const struct mq_config *cfg, size_t i, struct mq_arena *a,
                     struct mq_setting_value *out)
{
    struct mq_config_key_info info;
    char text[VALUE_MAX];
    long num;
    mq_config_key_info(i, &info);
    *out = (struct mq_setting_value){0};
    if (mq_config_number(cfg, i, &num)) {
        out->kind = !strcmp(info.type, "boolean") ? MQ_SETTING_VALUE_BOOL
                    : info.choices                ? MQ_SETTING_VALUE_TEXT
                                                  : MQ_SETTING_VALUE_NUMBER;
        out->number = num;
        if (info.choices) out->text = info.choices[num];
        return;
    }
    mq_config_text(cfg, i, true, text, sizeof(text));
    if (!*text) return;
    out->kind = MQ_SETTING_VALUE_TEXT;
    out->text = mq_arena_strdup(a, text);
    if (!out->text) out->kind = MQ_SETTING_VALUE_NULL;
}

static void release_json(void *p)
{
    json_decref(p);
}

/* A live setting's value (from its module), held by the arena. */
static mq_err live_value(struct mq_db *db, struct mq_arena *a, const struct mq_live_setting *l,
                         struct mq_setting_value *out)
{
    json_t *v = NULL;
    *out = (struct mq_setting_value){0};
    mq_err err = l->read(db, a, &v);
    if (!err && mq_arena_defer(a, release_json, v)) {
        json_decref(v);
        err = MQ_ENOMEM;
    }
    if (err) return err;
    out->kind = MQ_SETTING_VALUE_JSON;
    out->json = v;
    return MQ_OK;
}

static void state_of(const struct mq_config *base, const struct mq_config *cfg, size_t i,
                     struct mq_arena *a, struct mq_setting_state *out)
{
    *out = (struct mq_setting_state){0};
    mq_config_key_info(i, &out->info);
    value_of(cfg, i, a, &out->value);
    value_of(base, i, a, &out->def);
    out->source = cfg->sources[i];
    out->locked = is_locked(base, i);
}

mq_err mq_settings_list(struct mq_ctx *ctx, struct mq_arena *a, int64_t *version,
                        struct mq_setting_state **out, size_t *n)
{
    const struct mq_config *cfg = ctx->cfg, *base = base_of(ctx);
    size_t keys = mq_config_key_count(), lives = mq_config_live_count();
    struct mq_db *db = NULL;
    *n = 0;
    *out = mq_arena_calloc(a, keys + lives + 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < keys; i++)
        if (is_live(i)) state_of(base, cfg, i, a, &(*out)[(*n)++]);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_server_settings_version(db, version);
    for (size_t i = 0; !err && i < lives; i++) {
        const struct mq_live_setting *l = mq_config_live(i);
        struct mq_setting_state *st = &(*out)[(*n)++];
        st->live = l;
        st->info = (struct mq_config_key_info){.name = l->name, .type = l->type, .help = l->help};
        err = live_value(db, a, l, &st->value);
        /* A setting only the API holds is a list of names; by default none. */
        json_t *none = json_array();
        if (!err && (!none || mq_arena_defer(a, release_json, none))) {
            json_decref(none);
            err = MQ_ENOMEM;
        }
        st->def = (struct mq_setting_value){.kind = MQ_SETTING_VALUE_JSON, .json = none};
        bool empty = st->value.kind == MQ_SETTING_VALUE_JSON && json_is_array(st->value.json) &&
                     !json_array_size(st->value.json);
        st->source = empty ? MQ_SRC_DEFAULT : MQ_SRC_SETTINGS;
    }
    return mq_store_finish(db, err);
}

mq_err mq_settings_public(struct mq_ctx *ctx, struct mq_arena *a, struct mq_setting_state **out,
                          size_t *n)
{
    const struct mq_config *cfg = ctx->cfg;
    size_t keys = mq_config_key_count();
    *n = 0;
    *out = mq_arena_calloc(a, keys + 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < keys; i++) {
        struct mq_config_key_info info;
        mq_config_key_info(i, &info);
        if (info.flags & MQ_CONFIG_PUBLIC) state_of(cfg, cfg, i, a, &(*out)[(*n)++]);
    }
    return MQ_OK;
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

/* A proposed value of a setting that is no configuration key. */
struct live_change {
    const struct mq_live_setting *setting;
    json_t *value;
};

static const struct mq_live_setting *live_named(const char *name)
{
    for (size_t i = 0; i < mq_config_live_count(); i++)
        if (!strcmp(mq_config_live(i)->name, name)) return mq_config_live(i);
    return NULL;
}

/* Reads the proposed changes: configuration keys as entries, the others
 * apart. */
static mq_err read_changes(struct mq_arena *a, const struct mq_config *base, json_t *changes,
                           struct entry **out, size_t *n, struct live_change **lives, size_t *nlive,
                           struct mq_refusal *refusal)
{
    const char *key;
    json_t *v;
    *n = *nlive = 0;
    *out = mq_arena_calloc(a, json_object_size(changes) + 1, sizeof(**out));
    *lives = mq_arena_calloc(a, json_object_size(changes) + 1, sizeof(**lives));
    if (!*out || !*lives) return MQ_ENOMEM;
    json_object_foreach(changes, key, v)
    {
        struct mq_config_key_info info;
        const char *why = NULL;
        const struct mq_live_setting *l = live_named(key);
        if (l) {
            (*lives)[(*nlive)++] = (struct live_change){l, v};
            continue;
        }
        int i = mq_config_key_index(key);
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

static bool same(const struct mq_setting_value *a, const struct mq_setting_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case MQ_SETTING_VALUE_BOOL:
    case MQ_SETTING_VALUE_NUMBER: return a->number == b->number;
    case MQ_SETTING_VALUE_TEXT: return !strcmp(a->text, b->text);
    case MQ_SETTING_VALUE_JSON: return json_equal(a->json, b->json);
    default: return true;
    }
}

/* Each change that changed something: its name, before and after. */
static mq_err differences(struct mq_arena *a, const struct mq_config *before,
                          const struct mq_config *after, const struct entry *changes, size_t n,
                          struct mq_setting_change *out, size_t *nout)
{
    for (size_t c = 0; c < n; c++) {
        size_t i = (size_t)mq_config_key_index(changes[c].key);
        struct mq_setting_change d = {.name = changes[c].key};
        value_of(before, i, a, &d.before);
        value_of(after, i, a, &d.after);
        if (same(&d.before, &d.after) && before->sources[i] == after->sources[i]) continue;
        out[(*nout)++] = d;
    }
    return MQ_OK;
}

/* The settings that are no configuration key: written through their
 * modules, their before and after kept for the audit log. */
static mq_err change_lives(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                           const struct live_change *lives, size_t n, struct mq_refusal *refusal,
                           struct mq_setting_change *out, size_t *nout)
{
    for (size_t c = 0; c < n; c++) {
        const struct mq_live_setting *l = lives[c].setting;
        struct mq_setting_change d = {.name = l->name};
        struct mq_refusal inner = {0};
        mq_err err = live_value(db, a, l, &d.before);
        if (!err) err = l->write(db, a, lives[c].value, mq_clock_now_ms(ctx->clock), &inner);
        if (err == MQ_EINVAL)
            return mq_refuse(refusal, err, "invalid_setting", l->name, "%s: %s", l->name,
                             inner.code ? inner.detail : "cannot take that value");
        if (!err) err = live_value(db, a, l, &d.after);
        if (err) return err;
        if (!same(&d.before, &d.after)) out[(*nout)++] = d;
    }
    return MQ_OK;
}

mq_err mq_settings_update(struct mq_ctx *ctx, struct mq_arena *a, json_t *changes, const char *by,
                          struct mq_refusal *refusal, struct mq_setting_change **changed,
                          size_t *nchanged)
{
    const struct mq_config *base = base_of(ctx);
    struct entry *proposed = NULL, *stored = NULL;
    struct live_change *lives = NULL;
    size_t nproposed = 0, nstored = 0, nlives = 0;
    struct mq_config before, after;
    bool have_before = false, have_after = false;
    struct mq_db *db = NULL;
    int64_t version = 0, unused;
    *nchanged = 0;

    mq_err err = read_changes(a, base, changes, &proposed, &nproposed, &lives, &nlives, refusal);
    if (err) return err;
    *changed = mq_arena_calloc(a, nproposed + nlives + 1, sizeof(**changed));
    if (!*changed) return MQ_ENOMEM;
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
    if (!err) err = differences(a, &before, &after, proposed, nproposed, *changed, nchanged);
    if (!err) err = change_lives(ctx, db, a, lives, nlives, refusal, *changed, nchanged);
    if (!err && *nchanged) {
        char version_text[24];
        snprintf(version_text, sizeof(version_text), "%lld", (long long)version);
        struct mq_event e = {.kind = "settings.changed", .subject = version_text};
        err = mq_db_publish(db, ctx->events, &e);
    }
    err = mq_store_finish(db, err);
    if (have_before) mq_config_cleanup(&before);
    if (!err && ctx->settings) {
        err = install(ctx->settings, &after, version);
        have_after = false;
    }
    if (have_after) mq_config_cleanup(&after);
    return err;
}
