/* api.h - the HTTP API: one file per resource, each a thin adapter that
 * parses the request, calls a service and renders JSON. */
#ifndef MQ_API_H
#define MQ_API_H

#include <stdbool.h>

#include "core/config.h"
#include "http/router.h"

/* Route flags. */
#define MQ_ROUTE_UPLOAD    1u /* bodies up to avatar_max_size, not http_max_body */
#define MQ_ROUTE_QUERY_KEY 2u /* an image or stream: an API key may come as ?api_key= */
/* Credentials and account-wide changes: only the user's own signed-in
 * session, not an API key and not an admin impersonating them. */
#define MQ_ROUTE_OWN_SESSION 4u

/* A route as the API declares it. */
struct mq_api_route {
    enum mq_method method;
    const char *pattern;
    const char *permission; /* auth/rbac.h: a permission, "public" or "signed-in" */
    unsigned flags;         /* MQ_ROUTE_* */
};

/* The i-th route, or NULL past the last (for tests and documentation). */
const struct mq_api_route *mq_api_route(size_t i);

/* Registers every route of the API (cfg sets the upload limits). Each must be described in
 * docs/openapi.yaml (a unit test checks both directions). */
MQ_MUST_CHECK mq_err mq_api_register(struct mq_router *r, const struct mq_config *cfg);

/* The OpenAPI document as JSON (generated from docs/openapi.yaml). */
extern const char mq_openapi_json[];
extern const unsigned long mq_openapi_json_len;

#endif
