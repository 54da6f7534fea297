/* settings.c - server settings: the public few a sign-in page needs, and
 * the admin routes that read and change them (src/system/settings.h). The
 * service gives typed values; their JSON is made here. */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "auth/principal.h"
#include "system/settings.h"

static json_t *value_json(const struct mq_setting_value *v)
{
    switch (v->kind) {
    case MQ_SETTING_VALUE_BOOL: return json_boolean(v->number);
    case MQ_SETTING_VALUE_NUMBER: return json_integer(v->number);
    case MQ_SETTING_VALUE_TEXT: return json_string(v->text);
    case MQ_SETTING_VALUE_JSON: return json_incref(v->json);
    default: return json_null();
    }
}

static json_t *setting_json(const struct mq_setting_state *st)
{
    const struct mq_config_key_info *info = &st->info;
    json_t *o = json_pack("{s:s,s:o,s:o,s:s,s:b,s:b,s:b,s:s}", "type", info->type, "value",
                          value_json(&st->value), "default", value_json(&st->def), "source",
                          mq_config_source_name(st->source), "locked", st->locked, "secret",
                          (info->flags & MQ_CONFIG_SECRET) != 0, "public",
                          (info->flags & MQ_CONFIG_PUBLIC) != 0, "description", info->help);
    if (!o || st->live) return o;
    if (!strcmp(info->type, "integer") || !strcmp(info->type, "size") ||
        !strcmp(info->type, "duration")) {
        json_object_set_new(o, "min", json_integer(info->min));
        json_object_set_new(o, "max", json_integer(info->max));
    }
    if (!strcmp(info->type, "size")) json_object_set_new(o, "unit", json_string("bytes"));
    if (!strcmp(info->type, "duration")) json_object_set_new(o, "unit", json_string("ms"));
    if (!strcmp(info->type, "string") && info->max)
        json_object_set_new(o, "max_length", json_integer(info->max));
    if (info->choices) {
        json_t *c = json_array();
        for (size_t k = 0; c && info->choices[k]; k++)
            json_array_append_new(c, json_string(info->choices[k]));
        json_object_set_new(o, "choices", c);
    }
    return o;
}

/* GET /api/v1/settings */
mq_err mq_api_settings_public(struct mq_req *req)
{
    struct mq_setting_state *list = NULL;
    size_t n = 0;
    mq_err err = mq_settings_public(req->ctx, req->arena, &list, &n);
    if (err) return err;
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        json_object_set_new(o, list[i].info.name, value_json(&list[i].value));
    return mq_reply_json(req, 200, o);
}

static mq_err reply_settings(struct mq_req *req)
{
    struct mq_setting_state *list = NULL;
    size_t n = 0;
    int64_t version = 0;
    mq_err err = mq_settings_list(req->ctx, req->arena, &version, &list, &n);
    if (err) return err;
    json_t *settings = json_object();
    for (size_t i = 0; settings && i < n; i++)
        json_object_set_new(settings, list[i].info.name, setting_json(&list[i]));
    return mq_reply_json(
        req, 200, json_pack("{s:I,s:o}", "version", (json_int_t)version, "settings", settings));
}

/* GET /api/v1/admin/settings */
mq_err mq_api_admin_settings_get(struct mq_req *req)
{
    return reply_settings(req);
}

/* PATCH /api/v1/admin/settings */
mq_err mq_api_admin_settings_update(struct mq_req *req)
{
    struct mq_refusal why = {0};
    struct mq_setting_change *changed = NULL;
    size_t n = 0;
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    err =
        mq_settings_update(req->ctx, req->arena, doc, req->principal->user_id, &why, &changed, &n);
    if (err) return mq_api_refused_as(req, err, &why, "setting");
    if (n) {
        json_t *changes = json_object();
        for (size_t i = 0; changes && i < n; i++)
            json_object_set_new(changes, changed[i].name,
                                json_pack("{s:o,s:o}", "before", value_json(&changed[i].before),
                                          "after", value_json(&changed[i].after)));
        mq_req_audit(req, "settings.updated", req->actor_kind, "settings", NULL,
                     json_pack("{s:o}", "changes", changes));
    }
    return reply_settings(req);
}
