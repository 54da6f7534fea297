/* xff_fuzz - X-Forwarded-For from a peer (http/clientip.h). The input is
 * the trusted list, a newline, then the header. Whatever comes back is "-"
 * or an address; from a peer that is not trusted, the peer itself. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fuzz.h"
#include "http/clientip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data, size);
    char *xff = strchr(s, '\n');
    if (xff) *xff++ = '\0';
    struct mq_netlist trusted = {0};
    const char *why = NULL;
    if (mq_netlist_parse(s, &trusted, &why) != MQ_OK) trusted.n = 0;
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
    inet_pton(AF_INET, "10.1.2.3", &peer.sin_addr);
    char out[MQ_IP_TEXT];
    mq_client_ip(&trusted, (const struct sockaddr *)&peer, xff, out);
    struct mq_ip ip, self;
    if (strcmp(out, "-") && !mq_ip_parse(out, strlen(out), &ip)) abort();
    mq_ip_parse("10.1.2.3", 8, &self);
    if (!mq_netlist_contains(&trusted, &self) && strcmp(out, "10.1.2.3")) abort();
    mq_arena_free(a);
    return 0;
}
