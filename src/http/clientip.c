#include "http/clientip.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Straight from the socket address's bytes: it is read for every accepted
 * connection (twice, by the connection watch) and every request. */
bool mq_peer_ip(const struct sockaddr *peer, struct mq_ip *ip)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(ip, 0, sizeof(*ip));
    if (!peer) return false;
    if (peer->sa_family == AF_INET) {
        ip->family = AF_INET;
        memcpy(ip->addr, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, 4);
        return true;
    }
    if (peer->sa_family != AF_INET6) return false;
    const unsigned char *a = ((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr.s6_addr;
    if (!memcmp(a, mapped, 12)) { /* IPv4-mapped: an IPv4 client */
        ip->family = AF_INET;
        memcpy(ip->addr, a + 12, 4);
    } else {
        ip->family = AF_INET6;
        memcpy(ip->addr, a, 16);
    }
    return true;
}

void mq_client_ip(const struct mq_netlist *trusted, const struct sockaddr *peer, const char *xff,
                  char out[MQ_IP_TEXT])
{
    struct mq_ip ip, hop;
    if (!mq_peer_ip(peer, &ip)) {
        snprintf(out, MQ_IP_TEXT, "-");
        return;
    }
    mq_ip_text(&ip, out);
    if (!xff || !trusted->n || !mq_netlist_contains(trusted, &ip)) return;

    /* Walk the header from its right end; settle only when it all reads. */
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',') start--;
        const char *a = start, *b = end;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (!mq_ip_parse(a, (size_t)(b - a), &hop)) return; /* out is still the peer */
        ip = hop;
        if (!mq_netlist_contains(trusted, &hop)) break;
        end = start > xff ? start - 1 : xff;
    }
    mq_ip_text(&ip, out);
}

void mq_client_net(const struct mq_ip *ip, int ipv6_prefix, struct mq_ip *out)
{
    *out = *ip;
    if (ip->family != AF_INET6 || ipv6_prefix >= 128) return;
    int bits = ipv6_prefix < 0 ? 0 : ipv6_prefix;
    for (int i = 0; i < 16; i++) {
        int keep = bits >= 8 ? 8 : bits;
        out->addr[i] &= (unsigned char)(0xff00u >> keep);
        bits -= keep;
    }
}

void mq_client_key(const char *ip_text, int ipv6_prefix, char out[MQ_CLIENT_KEY])
{
    struct mq_ip ip, net;
    char text[MQ_IP_TEXT];
    if (!mq_ip_parse(ip_text, strlen(ip_text), &ip)) {
        snprintf(out, MQ_CLIENT_KEY, "%s", ip_text);
        return;
    }
    if (ip.family != AF_INET6 || ipv6_prefix < 0 || ipv6_prefix >= 128) {
        mq_ip_text(&ip, out);
        return;
    }
    mq_client_net(&ip, ipv6_prefix, &net);
    mq_ip_text(&net, text);
    snprintf(out, MQ_CLIENT_KEY, "%s/%u", text, (unsigned)ipv6_prefix & 127u);
}
