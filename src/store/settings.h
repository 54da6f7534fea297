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

/* Server settings changed from the admin API (table server_settings). */
struct mq_server_setting {
    const char *key, *value; /* value: config syntax, or sealed text when secret */
    bool secret;
    int64_t updated_at;
    const char *updated_by; /* a user id, or NULL */
};

/* Every stored setting, by key, and the version they are at. */
MQ_MUST_CHECK mq_err mq_store_server_settings_list(struct mq_db *db, struct mq_arena *a,
                                                   struct mq_server_setting **out, size_t *n,
                                                   int64_t *version);

MQ_MUST_CHECK mq_err mq_store_server_settings_version(struct mq_db *db, int64_t *version);

/* Raises the version; on PostgreSQL also holds its row until the
 * transaction ends, so that changes to settings queue behind each other. */
MQ_MUST_CHECK mq_err mq_store_server_settings_bump(struct mq_db *db, int64_t *version);

MQ_MUST_CHECK mq_err mq_store_server_setting_put(struct mq_db *db,
                                                 const struct mq_server_setting *s);
MQ_MUST_CHECK mq_err mq_store_server_setting_delete(struct mq_db *db, const char *key);

#endif
