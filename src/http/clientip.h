/* clientip.h - who the client is: the socket's peer, or, when that peer is a
 * trusted proxy, the address it reports in X-Forwarded-For.
 *
 * The header is read from the right: each hop that is itself a trusted proxy
 * is skipped, and the first one that is not is the client (what nginx calls
 * real_ip_recursive). A header from anyone not trusted changes nothing, and
 * a malformed entry makes the whole header count for nothing. */
#ifndef MQ_CLIENTIP_H
#define MQ_CLIENTIP_H

#include <stdbool.h>
#include <sys/socket.h>

#include "core/netlist.h"

/* Writes the client's address as text into out ("-" if unknown). `peer` is
 * the socket address; `xff` the X-Forwarded-For header or NULL. */
void mq_client_ip(const struct mq_netlist *trusted, const struct sockaddr *peer, const char *xff,
                  char out[MQ_IP_TEXT]);

/* A socket address as an mq_ip (IPv4-mapped IPv6 folded to IPv4). */
bool mq_peer_ip(const struct sockaddr *peer, struct mq_ip *out);

/* The network that stands for one client: an IPv4 address itself, an IPv6
 * address cut to its first `ipv6_prefix` bits (a home or a host is given a
 * whole /64, so its addresses are one client). */
void mq_client_net(const struct mq_ip *ip, int ipv6_prefix, struct mq_ip *out);

#define MQ_CLIENT_KEY (MQ_IP_TEXT + 4)
/* The same as text, for rate-limit keys: "192.0.2.7", "2001:db8:1:2::/64".
 * Text that is not an address ("-") is copied. */
void mq_client_key(const char *ip_text, int ipv6_prefix, char out[MQ_CLIENT_KEY]);

#endif
