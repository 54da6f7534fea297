/* gate.h - who may call a route, decided before its handler runs.
 *
 * The dispatcher (http/server.c) calls mq_gate_admit for every matched
 * request, and a WebSocket upgrade is a request like any other, so a route
 * that forgets to check its caller cannot exist: the check is the route
 * table's, not the handler's. What a route needs is declared in
 * src/api/routes.c (struct mq_route_opts): a permission (auth/rbac.h),
 * MQ_PERM_SIGNED_IN or MQ_PERM_PUBLIC, and flags (http/router.h).
 *
 * Users prove themselves with an access token (Authorization: Bearer, a JWT
 * from sign-in) or an API key (X-Api-Key, or Bearer mq_...; as ?api_key=
 * only on MQ_ROUTE_QUERY_KEY routes). MQ_ROUTE_ADMIN routes also take the
 * bootstrap token from admin_token (MARQUEE_ADMIN_TOKEN), for operators and
 * for the time before the first account. */
#ifndef MQ_HTTP_GATE_H
#define MQ_HTTP_GATE_H

#include "core/err.h"

struct mq_req;

/* MQ_OK when the handler may run, with req->principal set for a caller
 * who proved who they are (NULL on a public route called anonymously) and
 * req->actor_* for logs and audit. Otherwise the request has its answer
 * and the result is an error:
 * - 401 unauthorized (with WWW-Authenticate) without a valid credential;
 * - 403 forbidden, naming the permission, when the caller's roles (and an
 *   API key's scopes) do not allow the route's;
 * - 403 own_session_required on MQ_ROUTE_OWN_SESSION routes for an API key
 *   or an impersonation;
 * - 403 mfa_enrollment_required for an enrol-only session (auth/mfa.h)
 *   outside /api/v1/mfa/, /api/v1/auth/ and GET /api/v1/users/me, and on
 *   every admin route;
 * - 403 admin_api_closed on an admin route called without credentials
 *   while no admin_token is set;
 * - 429 from the per-user and per-key rate limits.
 * Refusals on admin routes, and permission refusals, are audited.
 *
 * On an MQ_ROUTE_CALLER_OPTIONAL route (public, but one that acts for the
 * caller when it is signed in and the body offers no other proof) a
 * credential that does not verify leaves req->principal NULL without an
 * answer; the handler answers with mq_gate_unauthorized when it needs a
 * caller after all. */
MQ_MUST_CHECK mq_err mq_gate_admit(struct mq_req *req);

/* Answers 401 unauthorized, saying why the request's credential was refused
 * (or that it carries none), and returns MQ_EPERM. */
mq_err mq_gate_unauthorized(struct mq_req *req);

#endif
