#include "notify/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/uuid.h"
#include "core/zone.h"
#include "mail/template.h"
#include "notify/channels.h"
#include "notify/conf.h"
#include "notify/events.h"
#include "store/users.h"
#include "system/conf.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* ---- preferences ---------------------------------------------------------- */

mq_err mq_notify_prefs_load(struct mq_db *db, struct mq_arena *a, const char *user_id,
                            struct mq_notify_prefs *out)
{
    const char *text = NULL;
    struct mq_user_row u;
    json_t *doc = NULL;
    mq_err err = mq_store_notify_settings_get(db, a, user_id, &text);
    if (err && err != MQ_ENOTFOUND) return err;
    if (!err) doc = json_loads(text, 0, NULL);
    /* What was stored was checked then; a channel since deleted is only
     * never asked about. */
    err = mq_notify_prefs_read(a, doc, NULL, 0, out, NULL);
    json_decref(doc);
    if (err) err = mq_notify_prefs_read(a, NULL, NULL, 0, out, NULL);
    if (!err && !mq_store_user_by_id(db, a, user_id, &u) && u.preferences) {
        json_t *p = json_loads(u.preferences, 0, NULL);
        const char *zone = json_string_value(json_object_get(p, "time_zone"));
        out->zone = zone ? mq_arena_strdup(a, zone) : NULL;
        json_decref(p);
    }
    return err;
}

static mq_err channel_ids(struct mq_db *db, struct mq_arena *a, const char *user_id,
                          const char ***ids, size_t *n)
{
    struct mq_notify_channel_row *rows = NULL;
    mq_err err = mq_store_notify_channels(db, a, user_id, &rows, n);
    if (err) return err;
    *ids = mq_arena_calloc(a, *n + 1, sizeof(**ids));
    if (!*ids) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++) (*ids)[i] = rows[i].id;
    return MQ_OK;
}

static json_t *prefs_view(const struct mq_notify_prefs *p, const char **ids, size_t n)
{
    json_t *doc = mq_notify_prefs_json(p, ids, n);
    json_object_set_new(doc, "time_zone", p->zone ? json_string(p->zone) : json_null());
    return doc;
}

mq_err mq_notify_prefs_get(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                           json_t **out)
{
    struct mq_db *db = NULL;
    struct mq_notify_prefs p;
    const char **ids = NULL;
    size_t n = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_notify_prefs_load(db, a, user_id, &p);
    if (!err) err = channel_ids(db, a, user_id, &ids, &n);
    mq_store_rollback(db);
    if (!err && !(*out = prefs_view(&p, ids, n))) err = MQ_ENOMEM;
    return err;
}

mq_err mq_notify_prefs_put(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                           const json_t *doc, json_t **out, struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_notify_prefs p;
    const char **ids = NULL;
    size_t n = 0;
    char *text = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = channel_ids(db, a, user_id, &ids, &n);
    if (!err) err = mq_notify_prefs_read(a, doc, ids, n, &p, why);
    if (!err) {
        /* Stored as read back, so what is kept is only what is understood. */
        json_t *kept = mq_notify_prefs_json(&p, ids, n);
        text = kept ? json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(kept);
        if (!text) err = MQ_ENOMEM;
    }
    if (!err) err = mq_store_notify_settings_put(db, user_id, text, mq_clock_now_ms(ctx->clock));
    if (!err) err = mq_notify_prefs_load(db, a, user_id, &p);
    free(text);
    err = mq_store_finish(db, err);
    if (!err && !(*out = prefs_view(&p, ids, n))) err = MQ_ENOMEM;
    return err;
}

/* ---- telling -------------------------------------------------------------- */

static json_t *vars_of(struct mq_ctx *ctx, const struct mq_notice *n)
{
    const char *base = mq_system_conf(ctx->cfg)->public_url;
    json_t *vars = n->vars ? json_deep_copy(n->vars) : json_object();
    if (!base) base = "";
    if (!vars) return NULL;
    json_object_set_new(vars, "public_url", json_string(base));
    json_object_set_new(vars, "url",
                        json_sprintf("%s%s", base, n->link ? n->link : "/notifications"));
    return vars;
}

/* When a digest next goes: the digest time of the member's day, or of
 * their next Monday for a weekly one. */
static int64_t digest_due(struct mq_ctx *ctx, const char *zone, int64_t now, bool weekly)
{
    const char *t = mq_notify_conf(ctx->cfg)->digest_time;
    int at = t ? ((t[0] - '0') * 10 + t[1] - '0') * 60 + (t[3] - '0') * 10 + t[4] - '0' : 480;
    struct mq_local l;
    (void)mq_zone_local(zone, now, &l);
    int64_t minutes = at - l.minute;
    if (weekly) minutes += (int64_t)((7 - l.weekday) % 7) * 1440;
    if (minutes <= 0) minutes += weekly ? 7 * 1440 : 1440;
    return now - now % 60000 + minutes * 60000;
}

static bool takes_event(const struct mq_notify_channel_row *c, const char *event)
{
    json_t *o = json_loads(c->options, 0, NULL), *events = json_object_get(o, "events"), *v;
    bool takes = !json_is_array(events);
    size_t i;
    json_array_foreach(events, i, v) if (!strcmp(json_string_value(v) ? json_string_value(v) : "",
                                                 event)) takes = true;
    json_decref(o);
    return takes;
}

/* Who a notice is for, read once however many notices they get: their
 * preferences (the defaults for the server) and, when first needed, their
 * channels. */
struct audience {
    const char *user_id; /* NULL = the server */
    struct mq_notify_prefs p;
    struct mq_notify_channel_row *channels;
    size_t nchannels;
    bool have_channels;
};

static mq_err audience_load(struct mq_db *db, struct mq_arena *a, const char *user_id,
                            struct audience *au)
{
    *au = (struct audience){.user_id = user_id};
    return user_id ? mq_notify_prefs_load(db, a, user_id, &au->p)
                   : mq_notify_prefs_read(a, NULL, NULL, 0, &au->p, NULL);
}

static mq_err audience_channels(struct mq_db *db, struct mq_arena *a, struct audience *au)
{
    if (au->have_channels) return MQ_OK;
    mq_err err = mq_store_notify_channels(db, a, au->user_id ? au->user_id : "", &au->channels,
                                          &au->nchannels);
    au->have_channels = !err;
    return err;
}

static mq_err fan_out(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                      const struct mq_notify_event *e, const struct mq_notification_row *row,
                      struct audience *au)
{
    const struct mq_notify_prefs *p = &au->p;
    int64_t now = row->created_at;
    mq_err err = audience_channels(db, a, au);
    size_t n = au->nchannels;
    const struct mq_notify_channel_row *channels = au->channels;
    for (size_t i = 0; !err && i < n; i++) {
        const struct mq_notify_channel_row *c = &channels[i];
        enum mq_notify_mode mode = MQ_MODE_INSTANT;
        int64_t run_at = 0;
        char job[37];
        if (!c->enabled || c->paused_at) continue;
        if (!row->user_id) {
            if (!takes_event(c, e->name)) continue;
        } else {
            /* The account mails security events itself, whatever the
             * preferences: a second mail would only be noise. */
            if (e->security && !strcmp(c->kind, "email")) continue;
            mode = mq_notify_prefs_mode(p, e, c->id);
        }
        if (mode == MQ_MODE_OFF) continue;
        if (mode == MQ_MODE_DAILY || mode == MQ_MODE_WEEKLY) {
            err =
                mq_store_notify_pending_add(db, c->id, row->id, mq_notify_mode_name(mode),
                                            digest_due(ctx, p->zone, now, mode == MQ_MODE_WEEKLY));
            continue;
        }
        struct mq_local l;
        int until = 0;
        if (row->user_id && !e->security && mq_zone_local(p->zone, now, &l) &&
            mq_notify_prefs_quiet(p, l.minute, &until))
            run_at = now - now % 60000 + (int64_t)until * 60000;
        const char *ids[] = {row->id};
        err = mq_channel_enqueue(ctx, db, c, ids, 1, NULL, false, run_at, job);
    }
    return err;
}

/* Whether the member hears of e anywhere: in the app, or on a channel
 * that is on and not paused. */
static mq_err wanted(struct mq_db *db, struct mq_arena *a, const struct mq_notify_event *e,
                     struct audience *au, bool *out)
{
    *out = mq_notify_prefs_mode(&au->p, e, "in_app") != MQ_MODE_OFF;
    if (*out) return MQ_OK;
    mq_err err = audience_channels(db, a, au);
    for (size_t i = 0; !err && !*out && i < au->nchannels; i++) {
        const struct mq_notify_channel_row *c = &au->channels[i];
        *out = c->enabled && !c->paused_at && !(e->security && !strcmp(c->kind, "email")) &&
               mq_notify_prefs_mode(&au->p, e, c->id) != MQ_MODE_OFF;
    }
    return err;
}

static mq_err render(struct mq_arena *a, const struct mq_notify_event *e, json_t *vars,
                     const char **title, const char **body)
{
    const struct mq_mail_template *t = mq_mail_template_find(e->template);
    const char *missing = NULL;
    char *s = NULL, *b = NULL;
    if (!t) return MQ_EINVAL;
    mq_err err = mq_mail_render(a, t->subject, vars, MQ_ESCAPE_SUBJECT, &s, &missing);
    if (!err) err = mq_mail_render(a, t->text, vars, MQ_ESCAPE_NONE, &b, &missing);
    *title = s;
    *body = b;
    return err;
}

static const struct mq_notify_event *event_for(const struct mq_notice *n)
{
    const struct mq_notify_event *e = mq_notify_event_find(n->event);
    if (!e || (e->audience == MQ_NOTIFY_SERVER && n->user_id) ||
        (e->audience == MQ_NOTIFY_MEMBER && !n->user_id))
        return NULL;
    return e;
}

static mq_err notify_one(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                         const struct mq_notify_event *e, const struct mq_notice *n,
                         struct audience *au, const char **created)
{
    const struct mq_notify_prefs *p = &au->p;
    struct mq_notification_row row = {0};
    bool inserted = false;
    char *id = mq_arena_alloc(a, 37), *vars_text = NULL;
    mq_err err = MQ_OK;
    json_t *vars = NULL;
    if (created) *created = NULL;
    /* A noisy event nobody turned on is not kept: a scan of a thousand
     * films would otherwise leave a thousand rows per member unseen. */
    bool keep = true;
    if (e->quiet_by_default && n->user_id && ((err = wanted(db, a, e, au, &keep)) || !keep))
        goto done;
    if (!(vars = vars_of(ctx, n)) || !id) {
        err = MQ_ENOMEM;
        goto done;
    }
    if ((err = render(a, e, vars, &row.title, &row.body))) goto done;
    if (!(vars_text = json_dumps(vars, JSON_COMPACT))) {
        err = MQ_ENOMEM;
        goto done;
    }
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    row.id = id;
    row.user_id = n->user_id;
    row.event = e->name;
    row.dedupe_key = n->dedupe_key;
    row.vars = vars_text;
    row.link = n->link;
    row.external_url = n->external_url;
    row.image_url = n->image_url;
    row.media_id = n->media_id;
    row.created_at = mq_clock_now_ms(ctx->clock);
    row.in_app = n->user_id && strcmp(e->name, "notify.test") &&
                 (e->audience == MQ_NOTIFY_SYSTEM ||
                  mq_notify_prefs_mode(p, e, "in_app") == MQ_MODE_INSTANT);
    err = mq_store_notification_insert(db, &row, &inserted);
    if (err || !inserted) goto done;
    if (created) *created = id;
    /* Marquee's own word (a channel paused) is in-app only: telling it
     * through channels could be how it loops. */
    if (e->audience != MQ_NOTIFY_SYSTEM) err = fan_out(ctx, db, a, e, &row, au);
done:
    free(vars_text);
    json_decref(vars);
    return err;
}

mq_err mq_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                 const struct mq_notice *n, const char **created)
{
    const struct mq_notify_event *e = event_for(n);
    struct audience au;
    if (created) *created = NULL;
    if (!e) return MQ_EINVAL;
    mq_err err = audience_load(db, a, n->user_id, &au);
    return err ? err : notify_one(ctx, db, a, e, n, &au, created);
}

mq_err mq_notify_each(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                      const struct mq_notice *n, size_t count, size_t *made)
{
    struct audience au;
    mq_err err = MQ_OK;
    *made = 0;
    for (size_t i = 0; i < count; i++)
        if (!event_for(&n[i]) || !n[i].user_id != !n[0].user_id ||
            (n[i].user_id && strcmp(n[i].user_id, n[0].user_id)))
            return MQ_EINVAL;
    if (count) err = audience_load(db, a, n[0].user_id, &au);
    for (size_t i = 0; !err && i < count; i++) {
        const char *id = NULL;
        err = notify_one(ctx, db, a, event_for(&n[i]), &n[i], &au, &id);
        *made += id != NULL;
    }
    return err;
}

mq_err mq_notify_now(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_notice *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_notify(ctx, db, a, n, NULL);
    return mq_store_finish(db, err);
}

/* The test button: a notify.test notification and a delivery job to the
 * one channel, which is the path every real notification takes. */
mq_err mq_notify_test(struct mq_ctx *ctx, struct mq_arena *a, const char *owner, const char *id,
                      char job_id[37])
{
    struct mq_db *db = NULL;
    struct mq_notify_channel_row c;
    const char *made = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notify_channel_get(db, a, owner, id, &c);
    if (!err) {
        json_t *vars = json_pack("{s:s}", "channel", c.name);
        struct mq_notice n = {.event = "notify.test",
                              .user_id = *owner ? owner : NULL,
                              .vars = vars,
                              .link = *owner ? "/settings/notifications" : "/admin/notifications"};
        err = vars ? mq_notify(ctx, db, a, &n, &made) : MQ_ENOMEM;
        json_decref(vars);
    }
    const char *ids[] = {made};
    if (!err)
        err = made ? mq_channel_enqueue(ctx, db, &c, ids, 1, NULL, true, 0, job_id) : MQ_EINTERNAL;
    return mq_store_finish(db, err);
}

/* ---- the centre ------------------------------------------------------------- */

mq_err mq_notifications_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                             bool unread_only, const char *before, int limit,
                             struct mq_notification_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notifications(db, a, user_id, unread_only, before, limit, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_notifications_unread(struct mq_ctx *ctx, const char *user_id, int64_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notifications_unread(db, user_id, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_notification_mark_read(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notification_read(db, user_id, id, mq_clock_now_ms(ctx->clock));
    return mq_store_finish(db, err);
}

mq_err mq_notifications_mark_all_read(struct mq_ctx *ctx, const char *user_id, int64_t *changed)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err)
        err = mq_store_notifications_read_all(db, user_id, mq_clock_now_ms(ctx->clock), changed);
    return mq_store_finish(db, err);
}

mq_err mq_notification_delete(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notification_delete(db, user_id, id);
    return mq_store_finish(db, err);
}

mq_err mq_notify_deliveries(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                            const char *channel_id, const char *before, int limit,
                            struct mq_notify_delivery_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notify_deliveries(db, a, owner, channel_id, before, limit, out, n);
    mq_store_rollback(db);
    return err;
}

/* ---- unsubscribe ------------------------------------------------------------ */

/* "<channel id>.<event or *>.<HMAC-SHA256 by the channel's key>" */
static void unsubscribe_mac(const unsigned char key[MQ_CHANNEL_KEY_LEN], const char *channel,
                            const char *event, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, MQ_CHANNEL_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"unsubscribe", 12);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)channel, strlen(channel) + 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)event, strlen(event));
    crypto_auth_hmacsha256_final(&st, mac);
}

char *mq_notify_unsubscribe_token(struct mq_arena *a, const json_t *config, const char *channel,
                                  const char *event)
{
    unsigned char key[MQ_CHANNEL_KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];
    char text[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, B64)];
    if (!mq_channel_key(config, key)) return NULL;
    unsubscribe_mac(key, channel, event, mac);
    sodium_memzero(key, sizeof(key));
    sodium_bin2base64(text, sizeof(text), mac, sizeof(mac), B64);
    return mq_arena_printf(a, "%s.%s.%s", channel, event, text);
}

mq_err mq_notify_unsubscribe_check(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                   struct mq_unsubscribe *out)
{
    struct mq_db *db = NULL;
    struct mq_notify_channel_row c;
    json_t *config = NULL;
    unsigned char key[MQ_CHANNEL_KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];
    unsigned char given[crypto_auth_hmacsha256_BYTES];
    size_t len = 0;
    if (!token || strlen(token) < 40 || strlen(token) > 200 || token[36] != '.') return MQ_EPERM;
    const char *event = token + 37, *dot = strrchr(token, '.');
    char *channel = mq_arena_strndup(a, token, 36);
    char *ev = dot > event ? mq_arena_strndup(a, event, (size_t)(dot - event)) : NULL;
    if (!channel || !mq_uuid_valid(channel, 36) || !ev) return MQ_EPERM;
    if (strcmp(ev, "*") && !mq_notify_event_find(ev)) return MQ_EPERM;
    if (sodium_base642bin(given, sizeof(given), dot + 1, strlen(dot + 1), NULL, &len, NULL, B64) ||
        len != sizeof(given))
        return MQ_EPERM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notify_channel_by_id(db, a, channel, &c);
    mq_store_rollback(db);
    if (err == MQ_ENOTFOUND || (!err && !c.user_id)) return MQ_EPERM;
    if (!err) err = mq_channel_config(ctx, a, &c, &config);
    if (err) return err;
    bool ok = mq_channel_key(config, key);
    json_decref(config);
    if (!ok) return MQ_EPERM;
    unsubscribe_mac(key, channel, ev, mac);
    sodium_memzero(key, sizeof(key));
    if (sodium_memcmp(mac, given, sizeof(mac))) return MQ_EPERM;
    *out = (struct mq_unsubscribe){
        .user_id = c.user_id, .channel_id = c.id, .channel_name = c.name, .event = ev};
    return MQ_OK;
}

mq_err mq_notify_unsubscribe(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                             struct mq_unsubscribe *out)
{
    json_t *doc = NULL, *view = NULL;
    mq_err err = mq_notify_unsubscribe_check(ctx, a, token, out);
    if (!err) err = mq_notify_prefs_get(ctx, a, out->user_id, &doc);
    if (err) return err;
    json_t *events = json_object_get(doc, "events"), *modes;
    const char *name;
    json_object_foreach(events, name, modes)
    {
        if (!strcmp(out->event, "*") || !strcmp(out->event, name))
            json_object_set_new(modes, out->channel_id, json_string("off"));
    }
    err = mq_notify_prefs_put(ctx, a, out->user_id, doc, &view, NULL);
    json_decref(doc);
    json_decref(view);
    return err;
}
