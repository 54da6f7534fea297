/* notify.c - the notification centre, preferences, channels and the
 * delivery log under /api/v1/users/me/, the server's channels under
 * /api/v1/admin/, and the one-click unsubscribe of mailed notifications
 * (src/notify/notify.h). */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "core/uuid.h"
#include "http/form.h"
#include "http/page.h"
#include "notify/channels.h"
#include "notify/notify.h"

/* ---- the centre ------------------------------------------------------------- */

static json_t *notification_item(const void *row, void *arg)
{
    const struct mq_notification_row *r = row;
    (void)arg;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", r->id, "event", r->event, "title",
                          r->title, "body", r->body, "read", r->read_at != 0);
    json_object_set_new(o, "link", mq_api_nullable(r->link));
    json_object_set_new(o, "external_url", mq_api_nullable(r->external_url));
    json_object_set_new(o, "image_url", mq_api_nullable(r->image_url));
    json_object_set_new(o, "media_id", mq_api_nullable(r->media_id));
    json_object_set_new(o, "created_at", mq_api_time(r->created_at));
    json_object_set_new(o, "read_at", mq_api_time(r->read_at));
    return o;
}

static const char *id_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return *(const char *const *)row; /* every row here starts with its id */
}

/* GET /api/v1/users/me/notifications?unread=true */
mq_err mq_api_notifications(struct mq_req *req)
{
    struct mq_page page;
    struct mq_notification_row *rows = NULL;
    size_t n = 0;
    int unread = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (!err) err = mq_api_query_bool(req, "unread", &unread);
    if (!err)
        err = mq_notifications_list(req->ctx, req->arena, req->principal->user_id, unread,
                                    page.after, page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), notification_item, id_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* GET /api/v1/users/me/notifications/unread-count */
mq_err mq_api_notifications_unread(struct mq_req *req)
{
    int64_t n = 0;
    mq_err err = mq_notifications_unread(req->ctx, req->principal->user_id, &n);
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:I}", "unread", (json_int_t)n));
}

static mq_err not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "notification_not_found", NULL,
                      "you have no notification with that id");
}

/* POST /api/v1/users/me/notifications/{id}/read */
mq_err mq_api_notification_read(struct mq_req *req)
{
    mq_err err =
        mq_notification_mark_read(req->ctx, req->principal->user_id, mq_req_param(req, "id"));
    if (err == MQ_ENOTFOUND) return not_found(req);
    return err ? err : mq_reply_empty(req, 204);
}

/* POST /api/v1/users/me/notifications/read-all */
mq_err mq_api_notifications_read_all(struct mq_req *req)
{
    int64_t n = 0;
    mq_err err = mq_notifications_mark_all_read(req->ctx, req->principal->user_id, &n);
    if (err) return err;
    return mq_reply_json(req, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}

/* DELETE /api/v1/users/me/notifications/{id} */
mq_err mq_api_notification_delete(struct mq_req *req)
{
    mq_err err = mq_notification_delete(req->ctx, req->principal->user_id, mq_req_param(req, "id"));
    if (err == MQ_ENOTFOUND) return not_found(req);
    return err ? err : mq_reply_empty(req, 204);
}

/* ---- preferences ---------------------------------------------------------- */

/* GET /api/v1/users/me/notification-preferences */
mq_err mq_api_notify_prefs_get(struct mq_req *req)
{
    json_t *doc = NULL;
    mq_err err = mq_notify_prefs_get(req->ctx, req->arena, req->principal->user_id, &doc);
    return err ? err : mq_reply_json(req, 200, doc);
}

/* PUT /api/v1/users/me/notification-preferences */
mq_err mq_api_notify_prefs_put(struct mq_req *req)
{
    json_t *doc = NULL, *out = NULL;
    struct mq_refusal why = {0};
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    err = mq_notify_prefs_put(req->ctx, req->arena, req->principal->user_id, doc, &out, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "notification_preferences.updated", req->actor_kind, "user",
                 req->principal->user_id, NULL);
    return mq_reply_json(req, 200, out);
}

/* ---- channels ------------------------------------------------------------- */

static json_t *channel_json(const struct mq_notify_channel_row *c)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:i}", "id", c->id, "kind", c->kind, "name",
                          c->name, "target", c->target, "enabled", c->enabled, "paused",
                          c->paused_at != 0, "failures", c->failures);
    json_t *opts = json_loads(c->options, 0, NULL);
    json_t *priority = json_object_get(opts, "priority"), *events = json_object_get(opts, "events");
    json_object_set(o, "priority", priority ? priority : json_null());
    if (!c->user_id) json_object_set(o, "events", events ? events : json_null());
    json_decref(opts);
    json_object_set_new(o, "pause_reason", mq_api_nullable(c->pause_reason));
    json_object_set_new(o, "paused_at", mq_api_time(c->paused_at));
    json_object_set_new(o, "last_success_at", mq_api_time(c->last_success_at));
    json_object_set_new(o, "last_failure_at", mq_api_time(c->last_failure_at));
    json_object_set_new(o, "created_at", mq_api_time(c->created_at));
    json_object_set_new(o, "updated_at", mq_api_time(c->updated_at));
    return o;
}

static json_t *channel_item(const void *row, void *arg)
{
    (void)arg;
    return channel_json(row);
}

static const char *owner_of(struct mq_req *req, bool server)
{
    return server ? "" : req->principal->user_id;
}

static mq_err channel_not_found(struct mq_req *req)
{
    return mq_problem(req, 404, "channel_not_found", NULL, "there is no channel with that id");
}

/* Reads the fields a create or update may give. */
static mq_err channel_input(struct mq_req *req, json_t *doc, bool create,
                            struct mq_channel_input *in)
{
    json_t *v;
    bool enabled = true;
    mq_err err = MQ_OK;
    *in = (struct mq_channel_input){.enabled = create ? 1 : -1, .priority = -1};
    if (create) err = mq_api_string_field(req, doc, "kind", true, &in->kind);
    if (!err) err = mq_api_string_field(req, doc, "name", create, &in->name);
    if (!err && json_object_get(doc, "enabled")) {
        err = mq_api_bool_field(req, doc, "enabled", &enabled);
        in->enabled = enabled;
    }
    if (err) return err;
    if ((v = json_object_get(doc, "config"))) {
        if (!json_is_object(v))
            return mq_problem(req, 422, "invalid_config", json_pack("{s:s}", "field", "config"),
                              "config is an object of the kind's fields");
        in->config = v;
    } else if (create) {
        in->config = mq_req_keep(req, json_object());
    }
    if ((v = json_object_get(doc, "priority")) && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10)
            return mq_problem(req, 422, "invalid_priority", json_pack("{s:s}", "field", "priority"),
                              "priority is a whole number: 1-5 for ntfy, 0-10 for Gotify");
        in->priority = (int)json_integer_value(v);
    }
    if ((v = json_object_get(doc, "events"))) in->events = v;
    return MQ_OK;
}

static mq_err channels_list(struct mq_req *req, bool server)
{
    struct mq_notify_channel_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_channels_list(req->ctx, req->arena, owner_of(req, server), &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), channel_item, NULL, NULL};
    return mq_page_answer_all(req, &r);
}

static mq_err channel_create(struct mq_req *req, bool server)
{
    json_t *doc = NULL;
    struct mq_channel_input in;
    struct mq_notify_channel_row row;
    struct mq_refusal why = {0};
    const char *secret = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = channel_input(req, doc, true, &in);
    if (err) return err;
    err = mq_channel_create(req->ctx, req->arena, owner_of(req, server), &in, &row, &secret, &why);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, server ? "server_channel.created" : "notification_channel.created",
                 req->actor_kind, "notification_channel", row.id,
                 json_pack("{s:s,s:s}", "kind", row.kind, "target", row.target));
    json_t *o = channel_json(&row);
    if (secret) json_object_set_new(o, "secret", json_string(secret));
    return mq_reply_json(req, 201, o);
}

static mq_err channel_update(struct mq_req *req, bool server)
{
    json_t *doc = NULL;
    struct mq_channel_input in;
    struct mq_notify_channel_row row;
    struct mq_refusal why = {0};
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_api_body_object(req, &doc);
    if (!err) err = channel_input(req, doc, false, &in);
    if (err) return err;
    err = mq_channel_update(req->ctx, req->arena, owner_of(req, server), id, &in, &row, &why);
    if (err == MQ_ENOTFOUND) return channel_not_found(req);
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, server ? "server_channel.updated" : "notification_channel.updated",
                 req->actor_kind, "notification_channel", row.id, NULL);
    return mq_reply_json(req, 200, channel_json(&row));
}

static mq_err channel_delete(struct mq_req *req, bool server)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_channel_delete(req->ctx, owner_of(req, server), id);
    if (err == MQ_ENOTFOUND) return channel_not_found(req);
    if (err) return err;
    mq_req_audit(req, server ? "server_channel.deleted" : "notification_channel.deleted",
                 req->actor_kind, "notification_channel", id, NULL);
    return mq_reply_empty(req, 204);
}

static mq_err channel_test(struct mq_req *req, bool server)
{
    char job[37];
    mq_err err =
        mq_notify_test(req->ctx, req->arena, owner_of(req, server), mq_req_param(req, "id"), job);
    if (err == MQ_ENOTFOUND) return channel_not_found(req);
    if (err) return err;
    return mq_reply_json(req, 202, json_pack("{s:s}", "delivery_id", job));
}

mq_err mq_api_notify_channels(struct mq_req *req)
{
    return channels_list(req, false);
}
mq_err mq_api_notify_channel_create(struct mq_req *req)
{
    return channel_create(req, false);
}
mq_err mq_api_notify_channel_update(struct mq_req *req)
{
    return channel_update(req, false);
}
mq_err mq_api_notify_channel_delete(struct mq_req *req)
{
    return channel_delete(req, false);
}
mq_err mq_api_notify_channel_test(struct mq_req *req)
{
    return channel_test(req, false);
}
mq_err mq_api_server_channels(struct mq_req *req)
{
    return channels_list(req, true);
}
mq_err mq_api_server_channel_create(struct mq_req *req)
{
    return channel_create(req, true);
}
mq_err mq_api_server_channel_update(struct mq_req *req)
{
    return channel_update(req, true);
}
mq_err mq_api_server_channel_delete(struct mq_req *req)
{
    return channel_delete(req, true);
}
mq_err mq_api_server_channel_test(struct mq_req *req)
{
    return channel_test(req, true);
}

/* ---- the delivery log ------------------------------------------------------- */

static json_t *delivery_item(const void *row, void *arg)
{
    const struct mq_notify_delivery_row *d = row;
    (void)arg;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:I,s:b}", "id", d->id,
                          "delivery_id", d->message_id, "channel_kind", d->channel_kind,
                          "channel_name", d->channel_name, "event", d->event, "summary", d->summary,
                          "outcome", d->outcome, "notifications", d->notifications, "attempt",
                          d->attempt, "duration_ms", (json_int_t)d->duration_ms, "test", d->test);
    json_object_set_new(o, "channel_id", mq_api_nullable(d->channel_id));
    json_object_set_new(o, "status", d->status ? json_integer(d->status) : json_null());
    json_object_set_new(o, "error", mq_api_nullable(d->error));
    json_object_set_new(o, "created_at", mq_api_time(d->created_at));
    return o;
}

static mq_err deliveries(struct mq_req *req, bool server)
{
    struct mq_page page;
    struct mq_notify_delivery_row *rows = NULL;
    const char *channel = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (!err) err = mq_api_query_text(req, "channel", &channel);
    if (err) return err;
    if (channel && !mq_uuid_valid(channel, strlen(channel)))
        return mq_api_bad_filter(req, "channel", "is a channel's id");
    err = mq_notify_deliveries(req->ctx, req->arena, owner_of(req, server), channel, page.after,
                               page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {rows, n, sizeof(*rows), delivery_item, id_position, NULL};
    return mq_page_answer(req, &page, &r);
}

mq_err mq_api_notify_deliveries(struct mq_req *req)
{
    return deliveries(req, false);
}
mq_err mq_api_server_deliveries(struct mq_req *req)
{
    return deliveries(req, true);
}

/* ---- unsubscribe ------------------------------------------------------------ */

static mq_err bad_link(struct mq_req *req)
{
    return mq_problem(req, 400, "invalid_token", NULL,
                      "this unsubscribe link is not, or no longer, valid");
}

static json_t *unsubscribe_json(const struct mq_unsubscribe *u, bool done)
{
    return json_pack("{s:s,s:s,s:b}", "channel", u->channel_name, "event", u->event, "unsubscribed",
                     done);
}

/* GET /api/v1/notifications/unsubscribe?token=: what the link would stop
 * (a link scanner following it changes nothing). */
mq_err mq_api_unsubscribe_check(struct mq_req *req)
{
    const char *token = NULL;
    struct mq_unsubscribe u;
    mq_err err = mq_req_query(req, "token", &token);
    if (!err) err = mq_notify_unsubscribe_check(req->ctx, req->arena, token, &u);
    if (err == MQ_EPERM) return bad_link(req);
    return err ? err : mq_reply_json(req, 200, unsubscribe_json(&u, false));
}

/* POST /api/v1/notifications/unsubscribe?token=: RFC 8058's one click
 * (the body is List-Unsubscribe=One-Click; the token is what counts). */
mq_err mq_api_unsubscribe(struct mq_req *req)
{
    const char *token = NULL;
    struct mq_unsubscribe u;
    mq_err err = mq_req_query(req, "token", &token);
    if (!err) err = mq_notify_unsubscribe(req->ctx, req->arena, token, &u);
    if (err == MQ_EPERM) return bad_link(req);
    if (err) return err;
    mq_req_audit(req, "notification.unsubscribed", "user", "user", u.user_id,
                 json_pack("{s:s,s:s}", "channel", u.channel_id, "event", u.event));
    return mq_reply_json(req, 200, unsubscribe_json(&u, true));
}
