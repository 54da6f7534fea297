/* headwatch.h - deadline for a client to deliver a complete request head.
 *
 * libmicrohttpd's connection timeout counts silence, so a client that sends
 * one header byte every few seconds would hold a connection for ever. The
 * watch gives each connection `timeout` seconds, from the moment it opens or
 * its previous response completes, to finish the head of its next request;
 * past that it shuts the socket down (shutdown(2), never close(2): the fd
 * stays owned by libmicrohttpd, which then closes the connection itself).
 *
 * Every deadline is "now + timeout", so entries are kept in a FIFO list that
 * is already sorted; the watch thread sleeps until the oldest one is due. */
#ifndef MQ_HEADWATCH_H
#define MQ_HEADWATCH_H

#include <stdint.h>

#include "core/err.h"

struct mq_headwatch;
struct mq_headwatch_entry;

MQ_MUST_CHECK mq_err mq_headwatch_start(int timeout_s, struct mq_headwatch **out);
/* Stops the thread and frees the watch; entries must all be removed first. */
void mq_headwatch_stop(struct mq_headwatch *hw);

/* A connection opened: starts its deadline. NULL when out of memory (the
 * connection is then simply not watched). */
struct mq_headwatch_entry *mq_headwatch_add(struct mq_headwatch *hw, int fd);
/* The head arrived: no deadline while the request is processed. */
void mq_headwatch_disarm(struct mq_headwatch *hw, struct mq_headwatch_entry *e);
/* The response completed: the next head is due within the timeout. */
void mq_headwatch_arm(struct mq_headwatch *hw, struct mq_headwatch_entry *e);
/* The connection closed: forget it and free the entry. Accepts NULL. */
void mq_headwatch_remove(struct mq_headwatch *hw, struct mq_headwatch_entry *e);

/* Connections cut for being too slow, since start. */
uint64_t mq_headwatch_expired(struct mq_headwatch *hw);

#endif
