/* server.h - the HTTP server: libmicrohttpd with a thread pool over epoll.
 *
 * Request lifecycle (see docs/internals/http.md): request id -> security
 * headers -> header and body limits -> routing (404/405) -> CORS -> handler ->
 * response -> access log line and metrics when the response has been sent,
 * then the request arena is dropped. */
#ifndef MQ_HTTP_SERVER_H
#define MQ_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/ctx.h"
#include "http/router.h"
#include "http/conf.h"

struct mq_http_server;
struct mq_req;

/* Starts listening on mq_http_conf(ctx->cfg)->listen.text and serving `router` (borrowed; must
 * outlive the server). */
MQ_MUST_CHECK mq_err mq_http_start(struct mq_ctx *ctx, const struct mq_router *router,
                                   struct mq_http_server **out);

/* The port actually bound (useful with listen port 0). */
uint16_t mq_http_port(const struct mq_http_server *srv);

/* Stops accepting new connections; open ones go on. */
void mq_http_quiesce(struct mq_http_server *srv);

/* Waits until no request is in flight or timeout_s passes. Returns the number
 * still in flight (0 = drained). */
int mq_http_drain(struct mq_http_server *srv, int timeout_s);

/* Closes every connection and frees the server. Accepts NULL. */
void mq_http_stop(struct mq_http_server *srv);

/* Appends the server's Prometheus metrics (requests, latency, connections). */
MQ_MUST_CHECK mq_err mq_http_render_metrics(const struct mq_req *req, struct mq_buf *out);

#endif
