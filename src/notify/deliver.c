/* deliver.c - the jobs that deliver notifications: "notify.deliver" (one
 * notification, a digest or a test, to one channel), "notify.digest"
 * (queues the digests that are due) and "notify.purge" (retention). Each
 * channel's kind has its sender here, shaped like the receiving API's
 * documentation asks. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/uuid.h"
#include "jobs/queue.h"
#include "mail/conf.h"
#include "mail/smtp.h"
#include "mail/template.h"
#include "notify/channels.h"
#include "notify/conf.h"
#include "notify/events.h"
#include "notify/notify.h"
#include "notify/outbound.h"
#include "store/jobs.h"
#include "store/users.h"
#include "system/conf.h"

#define DIGEST_MAX       50 /* notifications in one digest */
#define DISCORD_EMBEDS   10 /* Discord's limit per message */
#define DISCORD_TITLE    256
#define DISCORD_TEXT     4096
#define TELEGRAM_TEXT    4096
#define DUE_CHANNELS_MAX 200

/* What is being delivered, read once. */
struct parcel {
    struct mq_ctx *ctx;
    struct mq_arena *a;
    const struct mq_job *job;
    const struct mq_notify_channel_row *channel;
    json_t *config;
    struct mq_notification_row *items;
    size_t n;
    bool digest, test;
    const char *event; /* the single notification's, or "notify.digest" */
    const char *title; /* the single notification's, or the digest's */
};

/* How an attempt went. */
struct outcome {
    const char *outcome; /* sent, failed, refused, skipped */
    int status;
    char error[512];
    bool permanent; /* retrying cannot help */
};

/* ---- rendering ---------------------------------------------------------------- */

static json_t *vars_of(const struct mq_notification_row *r)
{
    json_t *v = json_loads(r->vars, 0, NULL);
    return v ? v : json_object();
}

/* A notification's text rendered again from its template, for a channel
 * with its own escaping. */
static const char *rerender(struct parcel *p, const struct mq_notification_row *r, bool html_part,
                            enum mq_escape escape)
{
    const struct mq_notify_event *e = mq_notify_event_find(r->event);
    const struct mq_mail_template *t = e ? mq_mail_template_find(e->template) : NULL;
    const char *missing = NULL;
    char *out = NULL;
    json_t *vars = vars_of(r);
    if (!t || mq_mail_render(p->a, html_part ? t->html : t->text, vars, escape, &out, &missing))
        out = NULL;
    json_decref(vars);
    return out ? out : escape == MQ_ESCAPE_NONE ? r->body : "";
}

static const char *escaped(struct mq_arena *a, const char *s, enum mq_escape escape)
{
    struct mq_buf b;
    mq_buf_init(&b, 64 * 1024);
    const char *out = NULL;
    if (!mq_escape_add(&b, s ? s : "", escape))
        out = mq_arena_strndup(a, b.data ? b.data : "", b.len);
    mq_buf_cleanup(&b);
    return out ? out : "";
}

static const char *url_of(struct parcel *p, const struct mq_notification_row *r)
{
    json_t *vars = vars_of(r);
    const char *u = json_string_value(json_object_get(vars, "url"));
    const char *out = mq_arena_strdup(p->a, u ? u : "");
    json_decref(vars);
    return out;
}

static const char *centre_url(struct parcel *p)
{
    const char *base = mq_system_conf(p->ctx->cfg)->public_url;
    return mq_arena_printf(p->a, "%s/notifications", base ? base : "");
}

/* Cuts s to at most max bytes, between characters, with an ellipsis. */
static const char *cut(struct mq_arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return s;
    n = max - 3;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    return mq_arena_printf(a, "%.*s...", (int)n, s);
}

static char *dump(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

static json_t *iso_time(int64_t ms)
{
    char t[40];
    mq_time_format_rfc3339(ms, t, sizeof(t));
    return json_string(t);
}

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A notification as the webhook's JSON carries it. */
static json_t *item_json(struct parcel *p, const struct mq_notification_row *r)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", r->id, "event", r->event, "title",
                          r->title, "body", r->body, "url", url_of(p, r));
    json_object_set_new(o, "link", nullable(r->link));
    json_object_set_new(o, "external_url", nullable(r->external_url));
    json_object_set_new(o, "image_url", nullable(r->image_url));
    json_object_set_new(o, "media_id", nullable(r->media_id));
    json_object_set_new(o, "created_at", iso_time(r->created_at));
    json_object_set_new(o, "vars", vars_of(r));
    return o;
}

/* ---- sending over HTTP ---------------------------------------------------------- */

static void answered(struct outcome *o, mq_err err, const struct mq_outbound_response *res,
                     const char *why)
{
    o->status = (int)res->status;
    if (err == MQ_EPERM) {
        o->outcome = "refused";
        o->permanent = true;
        snprintf(o->error, sizeof(o->error), "%s", why);
    } else if (err) {
        o->outcome = "failed";
        snprintf(o->error, sizeof(o->error), "%s", why);
    } else if (res->status >= 200 && res->status < 300) {
        o->outcome = "sent";
    } else {
        o->outcome = "failed";
        /* A receiver that refuses the request itself will refuse it again;
         * one that is overloaded or down may not. */
        o->permanent =
            res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429;
        snprintf(o->error, sizeof(o->error), "HTTP %ld: %.200s", res->status,
                 res->body ? res->body : "");
    }
}

static void post(struct parcel *p, const char *url, const char *body, const char *const *headers,
                 struct outcome *o)
{
    struct mq_outbound_request r = {.url = url,
                                    .content_type = "application/json",
                                    .body = body,
                                    .len = strlen(body),
                                    .headers = headers};
    struct mq_outbound_response res;
    char why[512];
    mq_err err = mq_outbound_post(p->ctx, p->a, &r, &res, why, sizeof(why));
    answered(o, err, &res, why);
}

/* Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>" with the channel's key,
 * which the member was shown as whsec_<base64 key>. The id is the
 * delivery's, the same on every attempt, so a receiver can drop repeats. */
static void send_webhook(struct parcel *p, struct outcome *o)
{
    unsigned char key[MQ_CHANNEL_KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];
    char sig[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    json_t *data = json_object();
    if (p->digest) {
        json_t *list = json_array();
        for (size_t i = 0; i < p->n; i++) json_array_append_new(list, item_json(p, &p->items[i]));
        json_object_set_new(data, "notifications", list);
    } else {
        json_object_set_new(data, "notification", item_json(p, &p->items[0]));
    }
    json_object_set_new(data, "test", json_boolean(p->test));
    int64_t now = mq_clock_now_ms(p->ctx->clock);
    char *body = dump(
        json_pack("{s:s,s:o,s:o}", "type", p->event, "timestamp", iso_time(now), "data", data));
    if (!body || !mq_channel_key(p->config, key)) {
        free(body);
        o->outcome = "failed";
        snprintf(o->error, sizeof(o->error), "the channel's key or body could not be made");
        return;
    }
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", (long long)(now / 1000));
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)p->job->id, strlen(p->job->id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof(key));
    sodium_bin2base64(sig, sizeof(sig), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
    const char *headers[] = {mq_arena_printf(p->a, "webhook-id: %s", p->job->id),
                             mq_arena_printf(p->a, "webhook-timestamp: %s", ts),
                             mq_arena_printf(p->a, "webhook-signature: v1,%s", sig), NULL};
    post(p, json_string_value(json_object_get(p->config, "url")), body, headers, o);
    free(body);
}

/* Discord's Execute Webhook: embeds (title, description, url, image), no
 * mentions parsed, so a title such as "@everyone" pings nobody. */
static void send_discord(struct parcel *p, struct outcome *o)
{
    json_t *embeds = json_array();
    for (size_t i = 0; i < p->n && i < DISCORD_EMBEDS; i++) {
        const struct mq_notification_row *r = &p->items[i];
        const char *text = rerender(p, r, false, MQ_ESCAPE_MARKDOWN);
        json_t *e = json_pack("{s:s,s:s,s:s,s:o}", "title", cut(p->a, r->title, DISCORD_TITLE),
                              "description", cut(p->a, text, DISCORD_TEXT), "url", url_of(p, r),
                              "timestamp", iso_time(r->created_at));
        if (r->image_url)
            json_object_set_new(e, "thumbnail", json_pack("{s:s}", "url", r->image_url));
        json_array_append_new(embeds, e);
    }
    json_t *msg = json_pack("{s:s,s:o,s:{s:[]}}", "username", "Marquee", "embeds", embeds,
                            "allowed_mentions", "parse");
    if (p->digest)
        json_object_set_new(msg, "content",
                            json_string(escaped(p->a, p->title, MQ_ESCAPE_MARKDOWN)));
    char *body = dump(msg);
    if (body) post(p, json_string_value(json_object_get(p->config, "url")), body, NULL, o);
    free(body);
}

/* The plain text of what is delivered: one notification's body, or a
 * digest's list. */
static const char *plain_text(struct parcel *p, enum mq_escape escape)
{
    if (!p->digest) return rerender(p, &p->items[0], false, escape);
    struct mq_buf b;
    mq_buf_init(&b, 256 * 1024);
    for (size_t i = 0; i < p->n; i++) {
        if (mq_buf_adds(&b, "- ") || mq_escape_add(&b, p->items[i].title, escape) ||
            mq_buf_adds(&b, "\n"))
            break;
    }
    const char *out = mq_arena_strndup(p->a, b.data ? b.data : "", b.len);
    mq_buf_cleanup(&b);
    return out ? out : "";
}

/* ntfy's JSON publishing: to the server's root, the topic in the body. */
static void send_ntfy(struct parcel *p, struct outcome *o)
{
    const char *url = json_string_value(json_object_get(p->config, "url"));
    const char *token = json_string_value(json_object_get(p->config, "token"));
    const char *topic = strrchr(url, '/') + 1; /* checked when the channel was made */
    const char *root = mq_arena_strndup(p->a, url, (size_t)(topic - url));
    json_t *opts = json_loads(p->channel->options, 0, NULL);
    json_t *msg = json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "topic", topic, "title", p->title, "message",
                            plain_text(p, MQ_ESCAPE_NONE), "click",
                            p->digest ? centre_url(p) : url_of(p, &p->items[0]), "tags", "clapper");
    json_t *prio = json_object_get(opts, "priority");
    if (json_is_integer(prio)) json_object_set(msg, "priority", prio);
    if (!p->digest && p->items[0].image_url)
        json_object_set_new(msg, "icon", json_string(p->items[0].image_url));
    json_decref(opts);
    char *body = dump(msg);
    const char *headers[] = {
        token ? mq_arena_printf(p->a, "Authorization: Bearer %s", token) : NULL, NULL};
    if (body) post(p, root, body, headers, o);
    free(body);
}

/* Gotify's POST /message, as Markdown, with a click-through link. */
static void send_gotify(struct parcel *p, struct outcome *o)
{
    const char *url = json_string_value(json_object_get(p->config, "url"));
    const char *token = json_string_value(json_object_get(p->config, "token"));
    size_t n = strlen(url);
    while (n && url[n - 1] == '/') n--;
    json_t *opts = json_loads(p->channel->options, 0, NULL),
           *prio = json_object_get(opts, "priority");
    json_t *msg =
        json_pack("{s:s,s:s,s:I,s:{s:{s:s},s:{s:{s:s}}}}", "title", p->title, "message",
                  plain_text(p, MQ_ESCAPE_MARKDOWN), "priority",
                  (json_int_t)(json_is_integer(prio) ? json_integer_value(prio) : 5), "extras",
                  "client::display", "contentType", "text/markdown", "client::notification",
                  "click", "url", p->digest ? centre_url(p) : url_of(p, &p->items[0]));
    json_decref(opts);
    char *body = dump(msg);
    const char *headers[] = {mq_arena_printf(p->a, "X-Gotify-Key: %s", token), NULL};
    if (body) post(p, mq_arena_printf(p->a, "%.*s/message", (int)n, url), body, headers, o);
    free(body);
}

/* Telegram's sendMessage, in its HTML mode: everything from outside is
 * escaped, the only markup is ours. */
static void send_telegram(struct parcel *p, struct outcome *o)
{
    const char *token = json_string_value(json_object_get(p->config, "bot_token"));
    const char *chat = json_string_value(json_object_get(p->config, "chat_id"));
    const char *link = p->digest ? centre_url(p) : url_of(p, &p->items[0]);
    const char *text =
        mq_arena_printf(p->a, "<b>%s</b>\n%s\n<a href=\"%s\">Open in Marquee</a>",
                        escaped(p->a, p->title, MQ_ESCAPE_HTML), plain_text(p, MQ_ESCAPE_HTML),
                        escaped(p->a, link, MQ_ESCAPE_HTML));
    char *body = dump(json_pack("{s:s,s:s,s:s,s:b}", "chat_id", chat, "text",
                                cut(p->a, text ? text : "", TELEGRAM_TEXT), "parse_mode", "HTML",
                                "disable_web_page_preview", 1));
    const char *api = mq_notify_conf(p->ctx->cfg)->telegram_api;
    if (body) post(p, mq_arena_printf(p->a, "%s/bot%s/sendMessage", api, token), body, NULL, o);
    free(body);
}

/* ---- e-mail ------------------------------------------------------------------ */

static const char *footer(struct parcel *p, const char *unsubscribe, bool html)
{
    const struct mq_mail_template *t = mq_mail_template_find("notify-footer");
    const char *base = mq_system_conf(p->ctx->cfg)->public_url, *missing = NULL;
    char *out = NULL;
    json_t *vars = json_pack("{s:s,s:s,s:s}", "event", p->digest ? "this channel" : p->event,
                             "unsubscribe_url", unsubscribe, "settings_url",
                             mq_arena_printf(p->a, "%s/settings/notifications", base ? base : ""));
    if (!t || !vars ||
        mq_mail_render(p->a, html ? t->html : t->text, vars, html ? MQ_ESCAPE_HTML : MQ_ESCAPE_NONE,
                       &out, &missing))
        out = NULL;
    json_decref(vars);
    return out ? out : "";
}

static void digest_parts(struct parcel *p, const char **text, const char **html)
{
    const struct mq_mail_template *t = mq_mail_template_find("notify-digest");
    struct mq_buf tb, hb;
    const char *missing = NULL;
    char *to = NULL, *ho = NULL;
    mq_buf_init(&tb, 256 * 1024);
    mq_buf_init(&hb, 256 * 1024);
    for (size_t i = 0; i < p->n; i++) {
        const char *u = url_of(p, &p->items[i]);
        if (mq_buf_adds(&tb, "- ") || mq_buf_adds(&tb, p->items[i].title) ||
            mq_buf_adds(&tb, "\n  ") || mq_buf_adds(&tb, u) || mq_buf_adds(&tb, "\n") ||
            mq_buf_adds(&hb, "<li><a href=\"") || mq_escape_add(&hb, u, MQ_ESCAPE_HTML) ||
            mq_buf_adds(&hb, "\">") || mq_escape_add(&hb, p->items[i].title, MQ_ESCAPE_HTML) ||
            mq_buf_adds(&hb, "</a></li>\n"))
            break;
    }
    json_t *vars = json_pack("{s:s,s:s#,s:s}", "count", mq_arena_printf(p->a, "%zu", p->n), "items",
                             tb.data ? tb.data : "", tb.len, "url", centre_url(p));
    if (t && vars && !mq_mail_render(p->a, t->text, vars, MQ_ESCAPE_NONE, &to, &missing)) {
        json_object_set_new(vars, "items", json_stringn(hb.data ? hb.data : "", hb.len));
        if (mq_mail_render(p->a, t->html, vars, MQ_ESCAPE_HTML, &ho, &missing)) ho = NULL;
    }
    json_decref(vars);
    mq_buf_cleanup(&tb);
    mq_buf_cleanup(&hb);
    *text = to ? to : "";
    *html = ho ? ho : "";
}

static void send_email(struct parcel *p, struct outcome *o)
{
    const struct mq_config *cfg = p->ctx->cfg;
    const char *to = json_string_value(json_object_get(p->config, "to"));
    const char *text, *html, *unsubscribe = NULL, *unsubscribe_page = NULL;
    o->outcome = "failed";
    if (p->channel->user_id) {
        struct mq_db *db = NULL;
        struct mq_user_row u;
        mq_err err = mq_store_begin(p->ctx->store, MQ_DB_READ, &db);
        if (!err) err = mq_store_user_by_id(db, p->a, p->channel->user_id, &u);
        mq_store_rollback(db);
        if (err || !u.email_verified_at) {
            o->permanent = true;
            snprintf(o->error, sizeof(o->error), "the member's address is not verified");
            return;
        }
        to = u.email;
        const char *base = mq_system_conf(cfg)->public_url;
        const char *token = mq_notify_unsubscribe_token(p->a, p->config, p->channel->id,
                                                        p->digest ? "*" : p->event);
        /* Mail programs POST to the API (RFC 8058); a person's click opens
         * the page that asks first, so a link scanner stops nothing. */
        if (token && base) {
            unsubscribe =
                mq_arena_printf(p->a, "%s/api/v1/notifications/unsubscribe?token=%s", base, token);
            unsubscribe_page = mq_arena_printf(p->a, "%s/unsubscribe?token=%s", base, token);
        }
    }
    if (!mq_mail_conf(cfg)->smtp_url || !*mq_mail_conf(cfg)->smtp_url) {
        snprintf(o->error, sizeof(o->error), "smtp_url is not set: mail cannot be sent");
        return;
    }
    if (p->digest) {
        digest_parts(p, &text, &html);
    } else {
        text = rerender(p, &p->items[0], false, MQ_ESCAPE_NONE);
        html = rerender(p, &p->items[0], true, MQ_ESCAPE_HTML);
    }
    if (unsubscribe) {
        text = mq_arena_printf(p->a, "%s\n%s", text, footer(p, unsubscribe_page, false));
        html = mq_arena_printf(p->a, "%s\n%s", html, footer(p, unsubscribe_page, true));
    }
    const char *base = mq_system_conf(cfg)->public_url;
    const char *host = base && strstr(base, "://") ? strstr(base, "://") + 3 : "marquee.invalid";
    struct mq_smtp_message m = {.from = mq_mail_conf(cfg)->mail_from,
                                .from_name = mq_system_conf(cfg)->server_name,
                                .to = to,
                                .subject = p->title,
                                .text = text,
                                .html = html,
                                .message_id = mq_arena_printf(p->a, "<%s@%.*s>", p->job->id,
                                                              (int)strcspn(host, ":/[]"), host),
                                .date_ms = mq_clock_now_ms(p->ctx->clock),
                                .list_unsubscribe = unsubscribe};
    mq_err err = mq_smtp_send(mq_mail_conf(cfg)->smtp_url, mq_mail_conf(cfg)->smtp_timeout, &m,
                              o->error, sizeof(o->error));
    if (!err) {
        o->outcome = "sent";
        o->error[0] = 0;
    }
    o->permanent = err == MQ_EINVAL;
}

/* ---- the delivery job ---------------------------------------------------------- */

static mq_err load(struct parcel *p, json_t *payload, struct mq_notify_channel_row *channel)
{
    json_t *ids = json_object_get(payload, "notifications"), *v;
    const char *cid = json_string_value(json_object_get(payload, "channel"));
    size_t i;
    struct mq_db *db = NULL;
    if (!cid || !json_is_array(ids) || json_array_size(ids) > DIGEST_MAX) return MQ_EINVAL;
    p->items = mq_arena_calloc(p->a, json_array_size(ids) + 1, sizeof(*p->items));
    if (!p->items) return MQ_ENOMEM;
    mq_err err = mq_store_begin(p->ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_notify_channel_by_id(db, p->a, cid, channel);
    json_array_foreach(ids, i, v)
    {
        if (err) break;
        const char *id = json_string_value(v);
        mq_err e = id ? mq_store_notification_get(db, p->a, id, &p->items[p->n]) : MQ_ENOTFOUND;
        if (!e)
            p->n++;
        else if (e != MQ_ENOTFOUND)
            err = e;
    }
    mq_store_rollback(db);
    return err;
}

static const char *digest_title(struct parcel *p)
{
    const struct mq_mail_template *t = mq_mail_template_find("notify-digest");
    const char *missing = NULL;
    char *s = NULL;
    json_t *vars = json_pack("{s:s}", "count", mq_arena_printf(p->a, "%zu", p->n));
    if (!t || !vars || mq_mail_render(p->a, t->subject, vars, MQ_ESCAPE_SUBJECT, &s, &missing))
        s = NULL;
    json_decref(vars);
    return s ? s : "Marquee digest";
}

/* Writes the attempt into the log, and the channel's health; a channel
 * this attempt paused is told to its owner. */
static mq_err record(struct parcel *p, const struct outcome *o, int64_t started)
{
    const struct mq_notify_channel_row *c = p->channel;
    struct mq_db *db = NULL;
    char *id = mq_arena_alloc(p->a, 37);
    int64_t now = mq_clock_now_ms(p->ctx->clock);
    bool paused = false;
    if (!id) return MQ_ENOMEM;
    mq_uuid7_new(p->ctx->clock, p->ctx->rng, id);
    struct mq_notify_delivery_row d = {.id = id,
                                       .message_id = p->job->id,
                                       .channel_id = c->id,
                                       .user_id = c->user_id,
                                       .channel_kind = c->kind,
                                       .channel_name = c->name,
                                       .event = p->event,
                                       .summary = p->title,
                                       .outcome = o->outcome,
                                       .error = o->error[0] ? o->error : NULL,
                                       .notifications = (int)p->n,
                                       .attempt = p->job->attempt,
                                       .status = o->status,
                                       .duration_ms = now - started,
                                       .created_at = now,
                                       .test = p->test};
    mq_err err = mq_store_begin(p->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notify_delivery_insert(db, &d);
    if (!err && !strcmp(o->outcome, "sent"))
        err = mq_store_notify_channel_succeeded(db, c->id, now);
    else if (!err && strcmp(o->outcome, "skipped"))
        err =
            mq_store_notify_channel_failed(db, c->id, now, mq_notify_conf(p->ctx->cfg)->pause_after,
                                           cut(p->a, o->error, 200), &paused);
    if (!err && paused && c->user_id) {
        json_t *vars =
            json_pack("{s:s,s:s,s:s}", "channel", c->name, "failures",
                      mq_arena_printf(p->a, "%d", mq_notify_conf(p->ctx->cfg)->pause_after),
                      "reason", cut(p->a, o->error, 200));
        struct mq_notice n = {
            .event = "channel.paused",
            .user_id = c->user_id,
            .dedupe_key = mq_arena_printf(p->a, "channel.paused:%s:%lld", c->id, (long long)now),
            .vars = vars,
            .link = "/settings/notifications"};
        err = vars ? mq_notify(p->ctx, db, p->a, &n, NULL) : MQ_ENOMEM;
        json_decref(vars);
    }
    if (!err && paused)
        mq_log_warn(p->ctx->log, "notify", "channel %s (%s) paused after %d failures: %s", c->id,
                    c->kind, mq_notify_conf(p->ctx->cfg)->pause_after, o->error);
    return mq_store_finish(db, err);
}

static mq_err deliver(struct mq_job_run *run)
{
    struct mq_notify_channel_row channel;
    struct parcel p = {.ctx = run->ctx, .a = run->arena, .job = run->job, .channel = &channel};
    struct outcome o = {.outcome = "failed"};
    int64_t started = mq_clock_now_ms(run->ctx->clock);
    p.digest = json_object_get(run->payload, "digest") != NULL;
    p.test = json_is_true(json_object_get(run->payload, "test"));
    mq_err err = load(&p, run->payload, &channel);
    if (err == MQ_ENOTFOUND) return MQ_OK; /* the channel is gone: nothing to deliver to */
    if (err) return err;
    if (!p.n) return MQ_OK; /* purged meanwhile */
    p.event = p.digest ? "notify.digest" : p.items[0].event;
    p.title = p.digest ? digest_title(&p) : p.items[0].title;
    if (!p.test && (!channel.enabled || channel.paused_at)) {
        o.outcome = "skipped";
        snprintf(o.error, sizeof(o.error), "the channel is %s",
                 channel.enabled ? "paused" : "disabled");
        return record(&p, &o, started);
    }
    err = mq_channel_config(run->ctx, run->arena, &channel, &p.config);
    if (err) {
        snprintf(o.error, sizeof(o.error), "the channel's settings do not open (%s)",
                 mq_err_name(err));
        o.permanent = true;
    } else if (!strcmp(channel.kind, "webhook")) {
        send_webhook(&p, &o);
    } else if (!strcmp(channel.kind, "discord")) {
        send_discord(&p, &o);
    } else if (!strcmp(channel.kind, "ntfy")) {
        send_ntfy(&p, &o);
    } else if (!strcmp(channel.kind, "gotify")) {
        send_gotify(&p, &o);
    } else if (!strcmp(channel.kind, "telegram")) {
        send_telegram(&p, &o);
    } else if (!strcmp(channel.kind, "email")) {
        send_email(&p, &o);
    } else {
        snprintf(o.error, sizeof(o.error), "unknown channel kind %.32s", channel.kind);
        o.permanent = true;
    }
    json_decref(p.config);
    err = record(&p, &o, started);
    if (err) return err;
    if (!strcmp(o.outcome, "sent")) return MQ_OK;
    snprintf(run->error, sizeof(run->error), "%s", o.error);
    return o.permanent ? MQ_EINVAL : MQ_EUNAVAILABLE;
}

/* ---- digests and retention ----------------------------------------------------- */

static mq_err queue_digests(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    const char **channels = NULL;
    size_t n = 0;
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err)
        err = mq_store_notify_pending_due(db, run->arena, now, DUE_CHANNELS_MAX, &channels, &n);
    mq_store_rollback(db);
    for (size_t i = 0; !err && i < n; i++) {
        /* One transaction a channel: the notifications taken are the ones
         * its digest job carries, or none are taken. */
        struct mq_notify_channel_row c;
        const char **ids = NULL;
        size_t k = 0;
        char job[37];
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err) err = mq_store_notify_channel_by_id(db, run->arena, channels[i], &c);
        if (!err)
            err = mq_store_notify_pending_take(db, run->arena, c.id, now, DIGEST_MAX, &ids, &k);
        if (!err && k) err = mq_channel_enqueue(ctx, db, &c, ids, k, "digest", false, 0, job);
        err = mq_store_finish(db, err == MQ_ENOTFOUND ? MQ_OK : err);
    }
    return err;
}

static mq_err purge(struct mq_job_run *run)
{
    int64_t before = mq_clock_now_ms(run->ctx->clock) - mq_notify_conf(run->ctx->cfg)->retention;
    int64_t a = 0, b = 0;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(run->ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_notifications_purge(db, before, &a);
    if (!err) err = mq_store_notify_deliveries_purge(db, before, &b);
    err = mq_store_finish(db, err);
    if (!err && (a || b))
        mq_log_info(run->ctx->log, "notify", "purged %lld notifications and %lld deliveries",
                    (long long)a, (long long)b);
    return err;
}

/* The job queue sits below notifications, so it cannot tell of a job
 * that failed for good; this looks at the queue every minute instead and
 * tells the admins of each such job once (its id is the key). Failed
 * deliveries are left out: a failing channel would otherwise be told of
 * its own failures, through itself. */
#define FAILED_JOBS_BATCH 50
#define FAILED_JOBS_SINCE (2 * 3600 * 1000LL)

static mq_err tell_failed_jobs(struct mq_job_run *run)
{
    struct mq_ctx *ctx = run->ctx;
    struct mq_job_row *rows = mq_arena_calloc(run->arena, FAILED_JOBS_BATCH, sizeof(*rows));
    struct mq_job_filter f = {.state = "discarded", .limit = FAILED_JOBS_BATCH};
    struct mq_db *db = NULL;
    size_t n = 0;
    int64_t since = mq_clock_now_ms(ctx->clock) - FAILED_JOBS_SINCE;
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_job_list(db, run->arena, &f, rows, &n);
    for (size_t i = 0; !err && i < n; i++) {
        const struct mq_job_row *j = &rows[i];
        if (j->finished_at < since || !strncmp(j->kind, "notify.", 7)) continue;
        json_t *vars =
            json_pack("{s:s,s:s,s:s}", "kind", j->kind, "job", j->id, "error",
                      cut(run->arena, j->last_error ? j->last_error : "no error given", 300));
        struct mq_notice notice = {.event = "job.failed",
                                   .vars = vars,
                                   .dedupe_key =
                                       mq_arena_printf(run->arena, "job.failed:%s", j->id),
                                   .link = mq_arena_printf(run->arena, "/admin/jobs/%s", j->id)};
        err = vars && notice.dedupe_key ? mq_notify(ctx, db, run->arena, &notice, NULL) : MQ_ENOMEM;
        json_decref(vars);
    }
    return mq_store_finish(db, err);
}

mq_err mq_notify_register(struct mq_jobs *jobs)
{
    struct mq_job_spec failed = {.kind = "notify.failed_jobs", .queue = "notify"};
    struct mq_job_spec digest = {.kind = "notify.digest", .queue = "notify"};
    struct mq_job_spec retention = {.kind = "notify.purge", .queue = "maintenance"};
    mq_err err = mq_jobs_register(jobs, "notify.deliver", deliver);
    if (!err) err = mq_jobs_register(jobs, "notify.digest", queue_digests);
    if (!err) err = mq_jobs_register(jobs, "notify.purge", purge);
    if (!err) err = mq_jobs_register(jobs, "notify.failed_jobs", tell_failed_jobs);
    if (!err) err = mq_jobs_schedule(jobs, "notify.failed_jobs", "every 1m", &failed);
    if (!err) err = mq_jobs_schedule(jobs, "notify.digest", "every 5m", &digest);
    if (!err) err = mq_jobs_schedule(jobs, "notify.purge", "daily at 03:30", &retention);
    return err;
}
