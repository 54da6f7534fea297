/* router.h - maps (method, path) to a handler.
 *
 * Patterns are OpenAPI path templates: "/api/v1/jobs/{id}". A literal
 * segment wins over a parameter at the same depth. Each distinct pattern gets
 * a small integer id (0, 1, ...) in registration order, used to label
 * metrics and logs with the pattern instead of the raw path. */
#ifndef MQ_ROUTER_H
#define MQ_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct mq_req;

enum mq_method {
    MQ_GET,
    MQ_HEAD,
    MQ_POST,
    MQ_PUT,
    MQ_PATCH,
    MQ_DELETE,
    MQ_OPTIONS,
    MQ_METHOD_OTHER, /* any other token: never routed */
    MQ_METHOD_COUNT
};

#define MQ_ROUTE_MAX_PARAMS  8
#define MQ_PATH_MAX_SEGMENTS 32

typedef mq_err (*mq_handler)(struct mq_req *req);

/* Route flags: what the dispatcher and its gate (http/gate.h) do around a
 * route's handler. */
#define MQ_ROUTE_UPLOAD    1u /* bodies up to avatar_max_size, not http_max_body */
#define MQ_ROUTE_QUERY_KEY 2u /* an image or stream: an API key may come as ?api_key= */
/* Credentials and account-wide changes: only the user's own signed-in
 * session, not an API key and not an admin impersonating them. */
#define MQ_ROUTE_OWN_SESSION 4u
/* Administration (/api/v1/admin/): also opens to the bootstrap token,
 * never to an enrol-only session, and its refusals are audited. */
#define MQ_ROUTE_ADMIN 8u
/* Public, but acting for the caller when one is signed in and the body
 * names no other proof (sign out, resend verification, re-authenticate
 * with a passkey): the gate recognises a caller without requiring one. */
#define MQ_ROUTE_CALLER_OPTIONAL 16u
/* Bodies up to the route table's own limit for it (an imported export),
 * not http_max_body. */
#define MQ_ROUTE_IMPORT 32u

struct mq_router;

struct mq_match {
    mq_handler handler;
    int route_id;        /* -1 when no pattern matched */
    const char *pattern; /* NULL when no pattern matched */
    unsigned allowed;    /* methods the pattern accepts, as 1u << mq_method */
    size_t nparams;
    const char *param_names[MQ_ROUTE_MAX_PARAMS];
    const char *params[MQ_ROUTE_MAX_PARAMS]; /* borrowed from the segments */
    long max_body;                           /* the route's body limit in bytes; 0 = the server's */
    const char *permission;                  /* what the route needs (auth/rbac.h); may be NULL */
    unsigned flags;                          /* MQ_ROUTE_* */
};

/* What a route carries besides its handler. */
struct mq_route_opts {
    long max_body;          /* bytes; 0 = the server-wide limit (uploads differ) */
    const char *permission; /* the permission it needs, a static string */
    unsigned flags;         /* MQ_ROUTE_*, carried to mq_match.flags */
};

/* As mq_router_add, with options (NULL = none). */
MQ_MUST_CHECK mq_err mq_router_add_route(struct mq_router *r, enum mq_method method,
                                         const char *pattern, mq_handler handler,
                                         const struct mq_route_opts *opts);

enum mq_match_result { MQ_MATCH_OK, MQ_MATCH_NOT_FOUND, MQ_MATCH_METHOD_NOT_ALLOWED };

MQ_MUST_CHECK mq_err mq_router_new(struct mq_router **out);
void mq_router_free(struct mq_router *r);

/* Registers a handler. MQ_ECONFLICT if (method, pattern) is taken or the
 * pattern names a parameter differently from an earlier one at the same place;
 * MQ_EINVAL for a malformed pattern. GET routes also answer HEAD. */
MQ_MUST_CHECK mq_err mq_router_add(struct mq_router *r, enum mq_method method, const char *pattern,
                                   mq_handler handler);

enum mq_match_result mq_router_match(const struct mq_router *r, enum mq_method method,
                                     const char *const *segs, size_t nsegs, struct mq_match *out);

/* Number of distinct patterns, and the pattern for an id. */
size_t mq_router_count(const struct mq_router *r);
const char *mq_router_pattern(const struct mq_router *r, int id);
/* Methods registered for pattern id (bitmask, HEAD implied by GET not included). */
unsigned mq_router_methods(const struct mq_router *r, int id);

enum mq_method mq_method_parse(const char *s);
const char *mq_method_name(enum mq_method m);
/* Writes "GET, HEAD, OPTIONS"-style text for an Allow header into out. */
void mq_method_allow_list(unsigned allowed, char *out, size_t outlen);

/* Splits a raw request path ("/a/b%20c") into decoded segments allocated in
 * the arena. Rejects, with MQ_EINVAL and a reason: a path not starting with
 * '/', bad or NUL percent-escapes, "." and ".." segments (raw or encoded),
 * control characters, invalid UTF-8, too many segments. "/" gives 0 segments;
 * a trailing slash gives a final empty segment (which matches no route). */
MQ_MUST_CHECK mq_err mq_path_split(struct mq_arena *a, const char *raw, const char ***segs,
                                   size_t *nsegs, const char **why);

/* Decodes one application/x-www-form-urlencoded component ('+' is a space).
 * MQ_EINVAL on a bad escape, NUL or invalid UTF-8. */
MQ_MUST_CHECK mq_err mq_url_decode(struct mq_arena *a, const char *s, size_t n, bool plus_is_space,
                                   char **out);

#endif
