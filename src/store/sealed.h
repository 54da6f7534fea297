/* sealed.h - every database column that holds a sealed secret
 * (src/crypto/secrets.h), so that rotating the master key can re-seal them
 * all. A new sealed column is one more entry here. */
#ifndef MQ_STORE_SEALED_H
#define MQ_STORE_SEALED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

enum mq_sealed_column {
    MQ_SEALED_TOTP,    /* mfa_totp.secret, context "totp:<user id>" */
    MQ_SEALED_SETTING, /* server_settings.value where secret = 1, context "setting:<key>" */
    MQ_SEALED_CHANNEL, /* notification_channels.config, context "channel:<id>" */
    MQ_SEALED_COLUMNS
};

struct mq_sealed_value {
    const char *key;   /* the row's key (arena) */
    const char *value; /* the sealed text (arena) */
};

/* The context a column's values are sealed in is this prefix and the key. */
const char *mq_store_sealed_context(enum mq_sealed_column col);

/* Values not starting with `prefix` (not sealed with the current key),
 * whose key is above `after` (""), by key; at most `limit`. */
MQ_MUST_CHECK mq_err mq_store_sealed_stale(struct mq_db *db, struct mq_arena *a,
                                           enum mq_sealed_column col, const char *prefix,
                                           const char *after, int limit,
                                           struct mq_sealed_value *out, size_t *n);

/* Replaces a value if it is still `old`; *replaced says whether. */
MQ_MUST_CHECK mq_err mq_store_sealed_replace(struct mq_db *db, enum mq_sealed_column col,
                                             const char *key, const char *old, const char *value,
                                             bool *replaced);

/* Values that start with `prefix` (sealed with one key). */
MQ_MUST_CHECK mq_err mq_store_sealed_count(struct mq_db *db, enum mq_sealed_column col,
                                           const char *prefix, int64_t *n);

#endif
