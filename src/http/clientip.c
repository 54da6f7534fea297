#include "http/clientip.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool peer_ip(const struct sockaddr *peer, struct mq_ip *ip)
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
    if (!peer_ip(peer, &ip)) {
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
