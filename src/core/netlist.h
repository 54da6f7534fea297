/* netlist.h - IP addresses and CIDR networks, for allow-lists such as the
 * trusted proxies. IPv4-mapped IPv6 addresses count as IPv4. */
#ifndef MQ_NETLIST_H
#define MQ_NETLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define MQ_NETLIST_MAX 32
#define MQ_IP_TEXT     46 /* INET6_ADDRSTRLEN */

struct mq_ip {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
};

struct mq_net {
    struct mq_ip ip;
    int prefix;
};

struct mq_netlist {
    struct mq_net nets[MQ_NETLIST_MAX];
    size_t n;
};

/* Reads one address of n bytes (no prefix). */
bool mq_ip_parse(const char *s, size_t n, struct mq_ip *out);
void mq_ip_text(const struct mq_ip *ip, char out[MQ_IP_TEXT]);

/* Parses "10.0.0.0/8, 192.168.1.10, ::1, fd00::/8"; a bare address is a
 * full-length prefix. MQ_EINVAL (with *why) on anything else. */
MQ_MUST_CHECK mq_err mq_netlist_parse(const char *s, struct mq_netlist *out, const char **why);

bool mq_netlist_contains(const struct mq_netlist *list, const struct mq_ip *ip);

/* Loopback, private, shared, link-local, multicast and unspecified
 * networks: what a request to a URL someone gave (a metadata provider's
 * redirect, a member's webhook) must not reach unless an admin allows it. */
void mq_netlist_internal(struct mq_netlist *out);

struct sockaddr;
/* The address of an AF_INET or AF_INET6 socket address (IPv4-mapped
 * addresses as IPv4); false for any other family. */
bool mq_ip_of_sockaddr(const struct sockaddr *sa, struct mq_ip *out);

#endif
