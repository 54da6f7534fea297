/* outbound.h - requests to the URLs members and admins give their
 * notification channels, and what guards them.
 *
 * A channel's URL is someone's input, so a request to it must not become
 * a way into the server's own network (server-side request forgery):
 * every connection libcurl opens is checked after the name is resolved,
 * so a name that resolves to 127.0.0.1 is refused like the literal, on
 * every attempt (a DNS answer that changes later is caught too). Loopback,
 * private, shared, link-local and multicast addresses are refused unless
 * notify_allowed_networks holds them. Redirects are not followed, there
 * is no proxy from the environment, and only http and https are spoken.
 * Requests run on job workers, never on a connection thread. */
#ifndef MQ_NOTIFY_OUTBOUND_H
#define MQ_NOTIFY_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"

struct mq_outbound_request {
    const char *url;
    const char *content_type; /* "application/json" */
    const char *body;         /* len bytes */
    size_t len;
    const char *const *headers; /* "Name: value" lines, NULL-terminated; NULL = none */
};

struct mq_outbound_response {
    long status;      /* as the receiver answered */
    const char *body; /* the first bytes of the answer (arena), for the log */
    size_t len;
};

/* POSTs the request. MQ_OK once the receiver answered, whatever its
 * status; MQ_EPERM when the address is refused; MQ_EUNAVAILABLE when no
 * answer came (network, timeout). `why` says what. */
MQ_MUST_CHECK mq_err mq_outbound_post(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_outbound_request *r,
                                      struct mq_outbound_response *out, char *why, size_t whylen);

/* Whether url may be a channel's: http or https, a host, no fragment, at
 * most 2048 bytes, and not an internal address or localhost written out
 * (names are checked again when connecting). False with *why. */
bool mq_outbound_url_valid(const struct mq_ctx *ctx, const char *url, const char **why);

/* The host of a valid URL (arena): what a channel shows of its URL. */
const char *mq_outbound_url_host(struct mq_arena *a, const char *url);

#endif
