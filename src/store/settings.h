/* settings.h - instance-wide key/value settings (table `settings`). */
#ifndef MQ_STORE_SETTINGS_H
#define MQ_STORE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

/* Copies the value into the arena. MQ_ENOTFOUND when the key is absent. */
MQ_MUST_CHECK mq_err mq_store_setting_get(struct mq_db *db, const char *key, struct mq_arena *a,
                                          char **value);

/* Stores the value unless the key already has one; *inserted says which. */
MQ_MUST_CHECK mq_err mq_store_setting_add(struct mq_db *db, const char *key, const char *value,
                                          int64_t now_ms, bool *inserted);

/* Stores the value, replacing any. */
MQ_MUST_CHECK mq_err mq_store_setting_put(struct mq_db *db, const char *key, const char *value,
                                          int64_t now_ms);

/* Removes the key; *removed (may be NULL) says whether it was there. */
MQ_MUST_CHECK mq_err mq_store_setting_delete(struct mq_db *db, const char *key, bool *removed);

#endif
