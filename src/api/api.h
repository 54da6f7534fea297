/* api.h - the HTTP API: one file per resource, each a thin adapter that
 * parses the request, calls a service and renders JSON. */
#ifndef MQ_API_H
#define MQ_API_H

#include <stdbool.h>

#include "core/config.h"
#include "http/router.h"

/* A route as the API declares it. */
struct mq_api_route {
    enum mq_method method;
    const char *pattern;
    const char *permission; /* auth/rbac.h: a permission, "public" or "signed-in" */
    unsigned flags;         /* MQ_ROUTE_* (http/router.h) */
};

/* The i-th route, or NULL past the last (for tests and documentation). */
const struct mq_api_route *mq_api_route(size_t i);

/* The flags a route is registered with: its own, and MQ_ROUTE_ADMIN for
 * every route under /api/v1/admin/. */
unsigned mq_api_route_flags(const struct mq_api_route *route);

/* Registers every route of the API (cfg sets the upload limits). Each must be described in
 * docs/openapi.yaml (a unit test checks both directions). */
MQ_MUST_CHECK mq_err mq_api_register(struct mq_router *r, const struct mq_config *cfg);

/* The OpenAPI document as JSON (generated from docs/openapi.yaml). */
extern const char mq_openapi_json[];
extern const unsigned long mq_openapi_json_len;

#endif
