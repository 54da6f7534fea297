/* body.h - reading the JSON object bodies of the API's commands, and the
 * small values answers share (instants, nullable strings).
 *
 * Each reading helper answers the request itself (400 invalid_body naming
 * the field, or mq_req_json's problems) when the body is wrong and returns
 * non-zero, so a handler just returns what it got. */
#ifndef MQ_API_BODY_H
#define MQ_API_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

#define MQ_API_STRING_MAX 1024 /* bytes, for any string field without a rule of its own */

/* The body, which must be a JSON object; kept alive by the request arena. */
MQ_MUST_CHECK mq_err mq_api_body_object(struct mq_req *req, json_t **doc);

/* A string member without NUL bytes, of at most MQ_API_STRING_MAX bytes.
 * *out is NULL when it is absent and not required. */
MQ_MUST_CHECK mq_err mq_api_string_field(struct mq_req *req, json_t *doc, const char *name,
                                         bool required, const char **out);

/* An optional boolean member; *out is left alone when it is absent. */
MQ_MUST_CHECK mq_err mq_api_bool_field(struct mq_req *req, json_t *doc, const char *name,
                                       bool *out);

/* An instant (Unix ms) as RFC 3339 text, or null for 0: a new reference. */
json_t *mq_api_time(int64_t ms);

/* A string, or null: a new reference. */
json_t *mq_api_nullable(const char *s);

/* Query filters: text of 1 to 128 printable bytes, or an RFC 3339 instant
 * (Unix ms); left alone when absent; 400 invalid_filter otherwise. */
MQ_MUST_CHECK mq_err mq_api_query_text(struct mq_req *req, const char *name, const char **out);
MQ_MUST_CHECK mq_err mq_api_query_time(struct mq_req *req, const char *name, int64_t *out);
/* List filters: a whole number from lo to hi, or true/false (1/0); *out
 * is left alone when the parameter is absent. 400 invalid_filter naming
 * the field otherwise. */
MQ_MUST_CHECK mq_err mq_api_query_int(struct mq_req *req, const char *name, int lo, int hi,
                                      int *out);
MQ_MUST_CHECK mq_err mq_api_query_bool(struct mq_req *req, const char *name, int *out);
/* 400 invalid_filter: "`name` `rule`", with the field named. */
mq_err mq_api_bad_filter(struct mq_req *req, const char *name, const char *rule);

#endif
