#include "notify/channels.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/uuid.h"
#include "crypto/secrets.h"
#include "jobs/queue.h"
#include "notify/conf.h"
#include "notify/events.h"
#include "notify/outbound.h"
#include "store/sealed.h"
#include "store/users.h"

#define DELIVER_KIND "notify.deliver"
#define B64          sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define FIELD_MAX    512

static const char *const KINDS[] = {"email",  "webhook",  "discord", "ntfy",
                                    "gotify", "telegram", NULL};

static bool kind_valid(const char *k)
{
    for (int i = 0; k && KINDS[i]; i++)
        if (!strcmp(KINDS[i], k)) return true;
    return false;
}

static const char *context_of(struct mq_arena *a, const char *id)
{
    return mq_arena_printf(a, "%s%s", mq_store_sealed_context(MQ_SEALED_CHANNEL), id);
}

mq_err mq_channel_config(struct mq_ctx *ctx, struct mq_arena *a,
                         const struct mq_notify_channel_row *c, json_t **out)
{
    unsigned char *plain = NULL;
    size_t len = 0;
    const char *context = context_of(a, c->id);
    if (!context) return MQ_ENOMEM;
    mq_err err = mq_secrets_unseal(ctx->secrets, a, context, c->config, &plain, &len);
    if (err) return err;
    *out = json_loadb((const char *)plain, len, 0, NULL);
    sodium_memzero(plain, len);
    return *out ? MQ_OK : MQ_EPERM;
}

bool mq_channel_key(const json_t *config, unsigned char key[MQ_CHANNEL_KEY_LEN])
{
    const char *text = json_string_value(json_object_get(config, "key"));
    size_t len = 0;
    return text &&
           !sodium_base642bin(key, MQ_CHANNEL_KEY_LEN, text, strlen(text), NULL, &len, NULL, B64) &&
           len == MQ_CHANNEL_KEY_LEN;
}

/* A text field of the config: required or not, at most FIELD_MAX bytes,
 * no control characters. *out NULL when absent and not required. */
static mq_err text_field(const json_t *config, const char *name, bool required, const char **out,
                         struct mq_refusal *why)
{
    json_t *v = json_object_get(config, name);
    const char *s = json_string_value(v);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required) return MQ_OK;
        return mq_refuse(why, MQ_EINVAL, "invalid_config", name, "config.%s is required", name);
    }
    bool ok = s && *s && strlen(s) <= FIELD_MAX;
    for (const char *p = s; ok && *p; p++) ok = (unsigned char)*p >= 0x20 && *p != 0x7f;
    if (!ok)
        return mq_refuse(why, MQ_EINVAL, "invalid_config", name,
                         "config.%s is text of 1 to %d bytes without control characters", name,
                         FIELD_MAX);
    *out = s;
    return MQ_OK;
}

static bool token_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(extra, *s)))
            return false;
    return true;
}

/* Checks a kind's config, and fills what is kept (sealed) and shown. */
static mq_err check_config(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                           const char *owner, const char *kind, const json_t *config, json_t *keep,
                           const char **target, struct mq_refusal *why)
{
    const char *url = NULL, *token = NULL, *chat = NULL, *to = NULL, *bad = NULL;
    mq_err err = MQ_OK;
    if (config && !json_is_object(config))
        return mq_refuse(why, MQ_EINVAL, "invalid_config", "config", "config is an object");
    if (!strcmp(kind, "email")) {
        if (*owner) {
            /* A member's mail goes to their own verified address only: a
             * channel is never a way to mail someone else. */
            struct mq_user_row u;
            err = mq_store_user_by_id(db, a, owner, &u);
            if (err) return err;
            if (!u.email_verified_at)
                return mq_refuse(why, MQ_EINVAL, "email_unverified", "kind",
                                 "verify your e-mail address first: mail goes only there");
            *target = u.email;
            return MQ_OK;
        }
        if ((err = text_field(config, "to", true, &to, why))) return err;
        if (!mq_mail_address_valid(to))
            return mq_refuse(why, MQ_EINVAL, "invalid_config", "to", "config.to is an address");
        json_object_set_new(keep, "to", json_string(to));
        *target = to;
        return MQ_OK;
    }
    if (!strcmp(kind, "telegram")) {
        if ((err = text_field(config, "bot_token", true, &token, why)) ||
            (err = text_field(config, "chat_id", true, &chat, why)))
            return err;
        const char *colon = strchr(token, ':');
        if (!colon || colon == token || strlen(colon + 1) < 20 || !token_chars(colon + 1, "_-"))
            return mq_refuse(why, MQ_EINVAL, "invalid_config", "bot_token",
                             "config.bot_token is a bot token as BotFather gives it (123:ABC...)");
        for (const char *p = token; p < colon; p++)
            if (*p < '0' || *p > '9')
                return mq_refuse(why, MQ_EINVAL, "invalid_config", "bot_token",
                                 "config.bot_token is a bot token as BotFather gives it");
        bool chat_ok = chat[0] == '@'
                           ? strlen(chat) > 5 && token_chars(chat + 1, "_")
                           : token_chars(chat + (chat[0] == '-'), "") && chat[chat[0] == '-'];
        if (!chat_ok || strlen(chat) > 64)
            return mq_refuse(why, MQ_EINVAL, "invalid_config", "chat_id",
                             "config.chat_id is a chat's number or a channel's @name");
        json_object_set_new(keep, "bot_token", json_string(token));
        json_object_set_new(keep, "chat_id", json_string(chat));
        *target = mq_arena_printf(a, "chat %s", chat);
        return *target ? MQ_OK : MQ_ENOMEM;
    }
    if ((err = text_field(config, "url", true, &url, why))) return err;
    if (!mq_outbound_url_valid(ctx, url, &bad))
        return mq_refuse(why, MQ_EINVAL, strstr(bad, "address") ? "url_not_allowed" : "invalid_url",
                         "url", "config.url: %s", bad);
    if (!strcmp(kind, "ntfy")) {
        /* The topic is the path's last segment: published to as JSON at
         * what comes before it (the server's root, behind any prefix). */
        const char *host = strstr(url, "://") + 3, *topic = strrchr(url, '/');
        if (topic < host || !topic[1] || strlen(topic + 1) > 64 || strchr(topic, '?') ||
            !token_chars(topic + 1, "_-"))
            return mq_refuse(why, MQ_EINVAL, "invalid_config", "url",
                             "config.url is a topic's URL: https://ntfy.example/topic");
    }
    if (!strcmp(kind, "ntfy") || !strcmp(kind, "gotify")) {
        if ((err = text_field(config, "token", !strcmp(kind, "gotify"), &token, why))) return err;
        if (token && !token_chars(token, "_-."))
            return mq_refuse(why, MQ_EINVAL, "invalid_config", "token",
                             "config.token is an access token (letters, digits, _ - .)");
        if (token) json_object_set_new(keep, "token", json_string(token));
    }
    json_object_set_new(keep, "url", json_string(url));
    *target = mq_outbound_url_host(a, url);
    return *target ? MQ_OK : MQ_ENOMEM;
}

static mq_err check_events(const json_t *events, struct mq_refusal *why)
{
    size_t i;
    json_t *v;
    if (!json_is_array(events) || json_array_size(events) > 64)
        return mq_refuse(why, MQ_EINVAL, "invalid_events", "events",
                         "events is a list of server events");
    json_array_foreach(events, i, v)
    {
        const struct mq_notify_event *e = mq_notify_event_find(json_string_value(v));
        if (!e || e->audience != MQ_NOTIFY_SERVER)
            return mq_refuse(why, MQ_EINVAL, "unknown_event", "events",
                             "%.64s is not an event a server channel takes",
                             json_string_value(v) ? json_string_value(v) : "that");
    }
    return MQ_OK;
}

/* The options kept in the clear: priority, and a server channel's events. */
static mq_err options_text(struct mq_arena *a, const char *kind, const char *old,
                           const struct mq_channel_input *in, bool server, const char **out,
                           struct mq_refusal *why)
{
    json_t *o = old ? json_loads(old, 0, NULL) : NULL;
    mq_err err = MQ_OK;
    if (!o) o = json_object();
    if (in->priority >= 0) {
        int max = !strcmp(kind, "ntfy") ? 5 : !strcmp(kind, "gotify") ? 10 : -1;
        int min = !strcmp(kind, "ntfy") ? 1 : 0;
        if (max < 0 || in->priority < min || in->priority > max) {
            err = mq_refuse(why, MQ_EINVAL, "invalid_priority", "priority",
                            "a priority is 1-5 for ntfy and 0-10 for Gotify; other kinds have "
                            "none");
            goto done;
        }
        json_object_set_new(o, "priority", json_integer(in->priority));
    }
    if (in->events) {
        if (!server) {
            err = mq_refuse(why, MQ_EINVAL, "invalid_events", "events",
                            "a member chooses events in the notification preferences");
            goto done;
        }
        if ((err = check_events(in->events, why))) goto done;
        json_object_set(o, "events", in->events);
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    *out = text ? mq_arena_strdup(a, text) : NULL;
    free(text);
    if (!*out) err = MQ_ENOMEM;
done:
    json_decref(o);
    return err;
}

static mq_err seal_config(struct mq_ctx *ctx, struct mq_arena *a, const char *id, json_t *keep,
                          const char **sealed)
{
    char *text = json_dumps(keep, JSON_COMPACT);
    const char *context = context_of(a, id);
    char *out = NULL;
    mq_err err = text && context
                     ? mq_secrets_seal(ctx->secrets, a, context, text, strlen(text), &out)
                     : MQ_ENOMEM;
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    *sealed = out;
    return err;
}

static mq_err check_name(const char *name, struct mq_refusal *why)
{
    const char *bad = NULL;
    if (!name || strlen(name) > MQ_CHANNEL_NAME_MAX || !mq_display_name_valid(name, &bad))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", "name",
                         "name is 1 to %d bytes without control characters", MQ_CHANNEL_NAME_MAX);
    return MQ_OK;
}

mq_err mq_channel_create(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                         const struct mq_channel_input *in, struct mq_notify_channel_row *out,
                         const char **secret, struct mq_refusal *why)
{
    unsigned char key[MQ_CHANNEL_KEY_LEN];
    char key_text[sodium_base64_ENCODED_LEN(MQ_CHANNEL_KEY_LEN, B64)];
    json_t *keep = json_object();
    struct mq_db *db = NULL;
    char *id = mq_arena_alloc(a, 37);
    int64_t now = mq_clock_now_ms(ctx->clock), count = 0;
    mq_err err = MQ_OK;
    *secret = NULL;
    if (!keep || !id) {
        err = MQ_ENOMEM;
        goto done;
    }
    if (!kind_valid(in->kind)) {
        err = mq_refuse(why, MQ_EINVAL, "invalid_kind", "kind",
                        "kind is email, webhook, discord, ntfy, gotify or telegram");
        goto done;
    }
    if ((err = check_name(in->name, why))) goto done;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    mq_rng_fill(ctx->rng, key, sizeof(key));
    sodium_bin2base64(key_text, sizeof(key_text), key, sizeof(key), B64);
    json_object_set_new(keep, "key", json_string(key_text));
    *out = (struct mq_notify_channel_row){.id = id,
                                          .user_id = *owner ? owner : NULL,
                                          .kind = in->kind,
                                          .name = in->name,
                                          .enabled = in->enabled != 0,
                                          .created_at = now,
                                          .updated_at = now};
    err = options_text(a, in->kind, NULL, in, !*owner, &out->options, why);
    if (err) goto done;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notify_channel_count(db, owner, &count);
    if (!err && *owner && count >= mq_notify_conf(ctx->cfg)->channels_max)
        err = mq_refuse(why, MQ_ECONFLICT, "too_many_channels", NULL,
                        "you have %lld notification channels, the most allowed", (long long)count);
    if (!err) err = check_config(ctx, db, a, owner, in->kind, in->config, keep, &out->target, why);
    if (!err) err = seal_config(ctx, a, id, keep, &out->config);
    if (!err) err = mq_store_notify_channel_insert(db, out);
    err = mq_store_finish(db, err);
    if (!err && !strcmp(in->kind, "webhook")) {
        /* Standard Webhooks' form of a signing secret. */
        char b64[sodium_base64_ENCODED_LEN(MQ_CHANNEL_KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof(b64), key, sizeof(key), sodium_base64_VARIANT_ORIGINAL);
        *secret = mq_arena_printf(a, "whsec_%s", b64);
        if (!*secret) err = MQ_ENOMEM;
    }
done:
    sodium_memzero(key, sizeof(key));
    sodium_memzero(key_text, sizeof(key_text));
    json_decref(keep);
    return err;
}

mq_err mq_channel_update(struct mq_ctx *ctx, struct mq_arena *a, const char *owner, const char *id,
                         const struct mq_channel_input *in, struct mq_notify_channel_row *out,
                         struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    json_t *old = NULL, *keep = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    if (in->name && check_name(in->name, why)) return why->err;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notify_channel_get(db, a, owner, id, out);
    if (err) goto done;
    if (in->name) out->name = in->name;
    if (in->enabled >= 0) out->enabled = in->enabled != 0;
    out->updated_at = mq_clock_now_ms(ctx->clock);
    err = options_text(a, out->kind, out->options, in, !*owner, &out->options, why);
    if (!err && in->config) {
        /* New fields, the same key: a webhook's receivers keep verifying. */
        err = mq_channel_config(ctx, a, out, &old);
        keep = json_object();
        if (!err && !keep) err = MQ_ENOMEM;
        if (!err) json_object_set(keep, "key", json_object_get(old, "key"));
        if (!err)
            err = check_config(ctx, db, a, owner, out->kind, in->config, keep, &out->target, why);
        if (!err) err = seal_config(ctx, a, id, keep, &out->config);
    }
    /* Enabling a channel, paused or not, is its owner saying it works. */
    if (!err) err = mq_store_notify_channel_update(db, out, in->enabled == 1);
    if (!err) err = mq_store_notify_channel_get(db, a, owner, id, out);
done:
    json_decref(old);
    json_decref(keep);
    return mq_store_finish(db, err);
}

mq_err mq_channel_delete(struct mq_ctx *ctx, const char *owner, const char *id)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notify_channel_delete(db, owner, id);
    return mq_store_finish(db, err);
}

mq_err mq_channel_get(struct mq_ctx *ctx, struct mq_arena *a, const char *owner, const char *id,
                      struct mq_notify_channel_row *out)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notify_channel_get(db, a, owner, id, out);
    mq_store_rollback(db);
    return err;
}

mq_err mq_channels_list(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                        struct mq_notify_channel_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_notify_channels(db, a, owner, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_channel_enqueue(struct mq_ctx *ctx, struct mq_db *db,
                          const struct mq_notify_channel_row *c, const char *const *ids, size_t n,
                          const char *digest, bool test, int64_t run_at, char job_id[37])
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) json_array_append_new(list, json_string(ids[i]));
    json_t *payload = list ? json_pack("{s:s,s:o}", "channel", c->id, "notifications", list) : NULL;
    if (payload && digest) json_object_set_new(payload, "digest", json_string(digest));
    if (payload && test) json_object_set_new(payload, "test", json_true());
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text) return MQ_ENOMEM;
    struct mq_job_spec spec = {.kind = DELIVER_KIND,
                               .payload = text,
                               .queue = "notify",
                               .max_attempts = mq_notify_conf(ctx->cfg)->max_attempts,
                               .run_at = run_at,
                               .owner_id = c->user_id};
    mq_err err = mq_jobs_enqueue(ctx, db, &spec, job_id, NULL);
    free(text);
    return err;
}
