#include "http/clientip.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

bool mq_peer_ip(const struct sockaddr *peer, struct mq_ip *ip)
{
    char text[MQ_IP_TEXT];
    if (!peer) return false;
    if (peer->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, text,
                  sizeof(text));
    else if (peer->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, text,
                  sizeof(text));
    else
        return false;
    return mq_ip_parse(text, strlen(text), ip); /* folds IPv4-mapped addresses */
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
