#include "core/netlist.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool mq_ip_parse(const char *s, size_t n, struct mq_ip *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf)) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->addr) != 1) return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(out->addr, mapped, 12)) {
        memmove(out->addr, out->addr + 12, 4);
        memset(out->addr + 4, 0, 12);
        out->family = AF_INET;
    } else {
        out->family = AF_INET6;
    }
    return true;
}

void mq_ip_text(const struct mq_ip *ip, char out[MQ_IP_TEXT])
{
    if (!inet_ntop(ip->family, ip->addr, out, MQ_IP_TEXT)) snprintf(out, MQ_IP_TEXT, "-");
}

mq_err mq_netlist_parse(const char *s, struct mq_netlist *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ') p++;
        const char *end = p, *slash = memchr(start, '/', (size_t)(end - start));
        if (out->n == MQ_NETLIST_MAX) {
            *why = "at most 32 networks";
            return MQ_EINVAL;
        }
        struct mq_net *net = &out->nets[out->n];
        if (!mq_ip_parse(start, (size_t)((slash ? slash : end) - start), &net->ip)) {
            *why = "each entry must be an IP address or a CIDR network such as 10.0.0.0/8";
            return MQ_EINVAL;
        }
        int max = net->ip.family == AF_INET ? 32 : 128;
        net->prefix = max;
        if (slash) {
            char *stop;
            long bits = strtol(slash + 1, &stop, 10);
            if (stop != end || slash + 1 == end || bits < 0 || bits > max) {
                *why = "a network prefix must be /0 to /32 (IPv4) or /128 (IPv6)";
                return MQ_EINVAL;
            }
            net->prefix = (int)bits;
        }
        out->n++;
    }
    return MQ_OK;
}

static bool in_net(const struct mq_net *net, const struct mq_ip *ip)
{
    if (net->ip.family != ip->family) return false;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->ip.addr, ip->addr, (size_t)full)) return false;
    if (!rest) return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (net->ip.addr[full] & mask) == (ip->addr[full] & mask);
}

bool mq_netlist_contains(const struct mq_netlist *list, const struct mq_ip *ip)
{
    for (size_t i = 0; i < list->n; i++)
        if (in_net(&list->nets[i], ip)) return true;
    return false;
}

static const char INTERNAL_NETS[] =
    "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, "
    "192.0.0.0/24, 192.168.0.0/16, 198.18.0.0/15, 224.0.0.0/3, ::/128, ::1/128, fc00::/7, "
    "fe80::/10, ff00::/8";

void mq_netlist_internal(struct mq_netlist *out)
{
    const char *why = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_netlist_parse(INTERNAL_NETS, out, &why);
    (void)err; /* a constant that parses: tests/unit says so */
}

bool mq_ip_of_sockaddr(const struct sockaddr *sa, struct mq_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (sa->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return true;
    }
    if (sa->sa_family != AF_INET6) return false;
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a6)) {
        out->family = AF_INET;
        memcpy(out->addr, a6->s6_addr + 12, 4);
    } else {
        out->family = AF_INET6;
        memcpy(out->addr, a6->s6_addr, 16);
    }
    return true;
}
