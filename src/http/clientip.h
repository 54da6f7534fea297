/* clientip.h - who the client is: the socket's peer, or, when that peer is a
 * trusted proxy, the address it reports in X-Forwarded-For.
 *
 * The header is read from the right: each hop that is itself a trusted proxy
 * is skipped, and the first one that is not is the client (what nginx calls
 * real_ip_recursive). A header from anyone not trusted changes nothing, and
 * a malformed entry makes the whole header count for nothing. */
#ifndef MQ_CLIENTIP_H
#define MQ_CLIENTIP_H

#include <sys/socket.h>

#include "core/netlist.h"

/* Writes the client's address as text into out ("-" if unknown). `peer` is
 * the socket address; `xff` the X-Forwarded-For header or NULL. */
void mq_client_ip(const struct mq_netlist *trusted, const struct sockaddr *peer, const char *xff,
                  char out[MQ_IP_TEXT]);

#endif
