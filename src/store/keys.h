/* keys.h - statements of the signing_keys table (public keys only). */
#ifndef MQ_STORE_KEYS_H
#define MQ_STORE_KEYS_H

#include <stdint.h>

#include "store/store.h"

MQ_MUST_CHECK mq_err mq_store_key_publish(struct mq_db *db, const char *kid, const char *public_key,
                                          int64_t now_ms);

/* Calls fn for each key not retired. */
MQ_MUST_CHECK mq_err mq_store_key_list(
    struct mq_db *db, void (*fn)(void *arg, const char *kid, const char *public_key), void *arg);

#endif
