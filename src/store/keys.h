/* keys.h - statements of the signing_keys table (public keys only). */
#ifndef MQ_STORE_KEYS_H
#define MQ_STORE_KEYS_H

#include <stdint.h>

#include "store/store.h"

MQ_MUST_CHECK mq_err mq_store_key_publish(struct mq_db *db, const char *kid, const char *public_key,
                                          int64_t now_ms);

/* Calls fn for each key ever published, retired or not (the audit log's
 * checkpoints name keys that signed long ago). */
MQ_MUST_CHECK mq_err mq_store_key_list(
    struct mq_db *db, void (*fn)(void *arg, const char *kid, const char *public_key), void *arg);

/* Calls fn for each key that still verifies tokens at now (not retired, or
 * retired later than now), with when it retires (0 = not). */
MQ_MUST_CHECK mq_err mq_store_key_list_live(struct mq_db *db, int64_t now,
                                            void (*fn)(void *arg, const char *kid,
                                                       const char *public_key, int64_t retired_at),
                                            void *arg);

/* The key stops verifying tokens at `at` (if not retired already). */
MQ_MUST_CHECK mq_err mq_store_key_retire(struct mq_db *db, const char *kid, int64_t at);

#endif
