/* netlist_fuzz - lists of addresses and CIDR networks (trusted_proxies,
 * core/netlist.h): every network accepted contains its own address, and
 * every address printed reads back the same. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/netlist.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data, size);
    struct mq_netlist list;
    const char *why = NULL;
    if (mq_netlist_parse(s, &list, &why) == MQ_OK) {
        if (list.n > MQ_NETLIST_MAX) abort();
        for (size_t i = 0; i < list.n; i++) {
            char text[MQ_IP_TEXT];
            struct mq_ip back;
            if (!mq_netlist_contains(&list, &list.nets[i].ip)) abort();
            mq_ip_text(&list.nets[i].ip, text);
            if (!mq_ip_parse(text, strlen(text), &back) || back.family != list.nets[i].ip.family)
                abort();
        }
    } else if (!why) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
