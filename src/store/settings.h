/* settings.h - instance-wide key/value settings (table `settings`). */
#ifndef MQ_STORE_SETTINGS_H
#define MQ_STORE_SETTINGS_H

#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

/* Copies the value into the arena. MQ_ENOTFOUND when the key is absent. */
MQ_MUST_CHECK mq_err mq_store_setting_get(struct mq_db *db, const char *key, struct mq_arena *a,
                                          char **value);

/* Stores the value unless the key already has one; *inserted says which. */
MQ_MUST_CHECK mq_err mq_store_setting_add(struct mq_db *db, const char *key, const char *value,
                                          int64_t now_ms, bool *inserted);

#endif
