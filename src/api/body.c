#include "api/body.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mq_err mq_api_body_object(struct mq_req *req, json_t **doc)
{
    mq_err err = mq_req_json(req, doc);
    if (err) return err;
    if (!json_is_object(*doc))
        return mq_problem(req, 400, "invalid_body", NULL, "expected a JSON object");
    return MQ_OK;
}

mq_err mq_api_string_field(struct mq_req *req, json_t *doc, const char *name, bool required,
                           const char **out)
{
    json_t *v = json_object_get(doc, name);
    *out = NULL;
    if (!v && !required) return MQ_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) > MQ_API_STRING_MAX)
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", name),
                          "%s must be a string of at most %d bytes%s", name, MQ_API_STRING_MAX,
                          required ? " and is required" : "");
    *out = json_string_value(v);
    return MQ_OK;
}

mq_err mq_api_bool_field(struct mq_req *req, json_t *doc, const char *name, bool *out)
{
    json_t *v = json_object_get(doc, name);
    if (!v) return MQ_OK;
    if (!json_is_boolean(v))
        return mq_problem(req, 400, "invalid_body", json_pack("{s:s}", "field", name),
                          "%s must be true or false", name);
    *out = json_is_true(v);
    return MQ_OK;
}

json_t *mq_api_time(int64_t ms)
{
    char text[32];
    if (!ms) return json_null();
    mq_time_format_rfc3339(ms, text, sizeof(text));
    return json_string(text);
}

json_t *mq_api_nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

mq_err mq_api_query_text(struct mq_req *req, const char *name, const char **out)
{
    mq_err err = mq_req_query(req, name, out);
    if (err || !*out) return err;
    size_t n = strlen(*out);
    bool ok = n > 0 && n <= 128;
    for (size_t i = 0; ok && i < n; i++) ok = (unsigned char)(*out)[i] >= 0x20;
    if (!ok)
        return mq_problem(req, 400, "invalid_filter", NULL, "%s must be 1 to 128 printable bytes",
                          name);
    return MQ_OK;
}

mq_err mq_api_query_time(struct mq_req *req, const char *name, int64_t *out)
{
    const char *v = NULL;
    mq_err err = mq_req_query(req, name, &v);
    if (err || !v) return err;
    if (mq_time_parse_rfc3339(v, out))
        return mq_problem(req, 400, "invalid_filter", NULL,
                          "%s must be an RFC 3339 time such as 2026-11-22T00:00:00Z", name);
    return MQ_OK;
}

mq_err mq_api_bad_filter(struct mq_req *req, const char *name, const char *rule)
{
    return mq_problem(req, 400, "invalid_filter", json_pack("{s:s}", "field", name), "%s %s", name,
                      rule);
}

mq_err mq_api_query_int(struct mq_req *req, const char *name, int lo, int hi, int *out)
{
    const char *v = NULL;
    mq_err err = mq_req_query(req, name, &v);
    if (err || !v) return err;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || !*v || n < lo || n > hi) {
        char rule[64];
        snprintf(rule, sizeof(rule), "is a whole number from %d to %d", lo, hi);
        return mq_api_bad_filter(req, name, rule);
    }
    *out = (int)n;
    return MQ_OK;
}

mq_err mq_api_query_bool(struct mq_req *req, const char *name, int *out)
{
    const char *v = NULL;
    mq_err err = mq_req_query(req, name, &v);
    if (err || !v) return err;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return mq_api_bad_filter(req, name, "is true or false");
    return MQ_OK;
}
