/* connwatch.h - how long and how many: deadlines for slow clients, and caps
 * on the connections one client address may hold.
 *
 * libmicrohttpd's connection timeout counts silence, so a client sending one
 * byte every few seconds would hold a connection for ever, and enough such
 * clients would hold them all. The watch gives each request a budget counted
 * from the moment its connection is ready for it (accepted, or the previous
 * response completed):
 *   - the head must be complete within `header_timeout`;
 *   - head and body together within `request_timeout` (`upload_timeout` on
 *     routes that take uploads);
 *   - after `body_grace`, a body still arriving must have come at
 *     `min_body_rate` bytes a second on average.
 * Past any of them it shuts the socket down (shutdown(2), never close(2): the
 * fd stays owned by libmicrohttpd, which then closes the connection itself).
 * Once the body is in, the request is the server's: no deadline while it is
 * handled and answered.
 *
 * Connections are counted by client address (IPv6 by its /ipv6_prefix
 * network): an address may hold `per_address` at most, and once fewer than
 * `reserve` of `max_connections` are free, only addresses holding none get
 * one. The peer is what is counted, so connections from a trusted proxy are
 * exempt (the forwarded address is not known when a connection is accepted);
 * the proxy must bound its own clients. */
#ifndef MQ_CONNWATCH_H
#define MQ_CONNWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/netlist.h"

struct mq_connwatch_limits {
    int header_timeout_s;
    int request_timeout_s;
    int upload_timeout_s;
    int body_grace_s;
    long min_body_rate; /* bytes a second; 0 = no minimum */
    int max_connections;
    int per_address; /* 0 = no cap */
    int reserve;
    int ipv6_prefix;                  /* bits of an IPv6 address that name a client */
    const struct mq_netlist *trusted; /* exempt peers */
};

struct mq_connwatch_stats {
    uint64_t header_timeouts;  /* head not complete in time */
    uint64_t request_timeouts; /* head and body not complete in time */
    uint64_t too_slow;         /* body below the minimum rate */
    uint64_t refused_address;  /* the address held its share */
    uint64_t refused_reserve;  /* the last free slots were kept for others */
};

struct mq_connwatch;
struct mq_connwatch_entry;

MQ_MUST_CHECK mq_err mq_connwatch_start(const struct mq_connwatch_limits *limits,
                                        struct mq_connwatch **out);
/* Stops the thread and frees the watch; entries must all be removed first. */
void mq_connwatch_stop(struct mq_connwatch *cw);

/* Whether a connection from `peer` may be accepted now. */
bool mq_connwatch_admit(struct mq_connwatch *cw, const struct sockaddr *peer);

/* A connection opened: counts it and starts the head's deadline. NULL when
 * out of memory (the connection is then neither watched nor counted). */
struct mq_connwatch_entry *mq_connwatch_add(struct mq_connwatch *cw, int fd,
                                            const struct sockaddr *peer);
/* The head arrived: the body's deadline and rate apply. */
void mq_connwatch_body(struct mq_connwatch *cw, struct mq_connwatch_entry *e, bool upload);
/* n more bytes of the body arrived. */
void mq_connwatch_received(struct mq_connwatch_entry *e, size_t n);
/* The body is complete: no deadline while the request is handled. */
void mq_connwatch_handling(struct mq_connwatch *cw, struct mq_connwatch_entry *e);
/* The response completed: the next request's budget starts. */
void mq_connwatch_ready(struct mq_connwatch *cw, struct mq_connwatch_entry *e);
/* The connection closed: uncounts it and frees the entry. Accepts NULL. */
void mq_connwatch_remove(struct mq_connwatch *cw, struct mq_connwatch_entry *e);

void mq_connwatch_stats(struct mq_connwatch *cw, struct mq_connwatch_stats *out);

#endif
