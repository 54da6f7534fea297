/* libraries.h - libraries, their folders, their grants and their scans
 * (tables libraries, library_paths, library_grants, library_scans). */
#ifndef MQ_STORE_LIBRARIES_H
#define MQ_STORE_LIBRARIES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

struct mq_library_row {
    const char *id, *name, *name_key, *kind;
    bool restricted;
    int64_t scan_interval; /* ms; -1 = the server's setting, 0 = never */
    const char *watch_state, *watch_error;
    int64_t created_at, updated_at;
    const char *metadata_order; /* JSON array of provider names; NULL = the kind's default */
};

struct mq_library_path_row {
    const char *id, *library_id, *path;
    int64_t created_at;
};

struct mq_library_grant_row {
    const char *library_id, *user_id, *role; /* one of user_id and role */
    const char *created_by;
    int64_t created_at;
};

struct mq_library_scan_row {
    const char *id, *library_id, *job_id, *state, *phase, *error;
    bool full;
    int64_t total, seen, new_files, changed, unchanged, moved, probed, skipped, failed, missing,
        removed;
    int64_t started_at, updated_at, finished_at;
};

/* MQ_ECONFLICT when the name (its key) is taken. */
MQ_MUST_CHECK mq_err mq_store_library_insert(struct mq_db *db, const struct mq_library_row *r);
/* Name, key, restricted, scan_interval and updated_at; MQ_ENOTFOUND, MQ_ECONFLICT. */
MQ_MUST_CHECK mq_err mq_store_library_update(struct mq_db *db, const struct mq_library_row *r);
MQ_MUST_CHECK mq_err mq_store_library_set_watch(struct mq_db *db, const char *id, const char *state,
                                                const char *error, int64_t now);
MQ_MUST_CHECK mq_err mq_store_library_delete(struct mq_db *db, const char *id);
MQ_MUST_CHECK mq_err mq_store_library_get(struct mq_db *db, struct mq_arena *a, const char *id,
                                          struct mq_library_row *out);
/* Every library, by name. */
MQ_MUST_CHECK mq_err mq_store_libraries_all(struct mq_db *db, struct mq_arena *a,
                                            struct mq_library_row **out, size_t *n);

/* MQ_ECONFLICT when the folder is already a library's. */
MQ_MUST_CHECK mq_err mq_store_library_path_insert(struct mq_db *db,
                                                  const struct mq_library_path_row *r);
MQ_MUST_CHECK mq_err mq_store_library_path_delete(struct mq_db *db, const char *library_id,
                                                  const char *path_id);
/* Every library's folders (library_id NULL) or one library's, by path. */
MQ_MUST_CHECK mq_err mq_store_library_paths(struct mq_db *db, struct mq_arena *a,
                                            const char *library_id,
                                            struct mq_library_path_row **out, size_t *n);

/* MQ_ECONFLICT when the same grant exists. */
MQ_MUST_CHECK mq_err mq_store_library_grant_insert(struct mq_db *db,
                                                   const struct mq_library_grant_row *r);
/* By user (role NULL) or by role (user_id NULL); MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_store_library_grant_delete(struct mq_db *db, const char *library_id,
                                                   const char *user_id, const char *role);
MQ_MUST_CHECK mq_err mq_store_library_grants(struct mq_db *db, struct mq_arena *a,
                                             const char *library_id,
                                             struct mq_library_grant_row **out, size_t *n);
/* The libraries granted to the user or to any of `roles_json` (a JSON
 * array of role names), as ids. */
MQ_MUST_CHECK mq_err mq_store_library_granted_to(struct mq_db *db, struct mq_arena *a,
                                                 const char *user_id, const char *roles_json,
                                                 const char ***ids, size_t *n);

MQ_MUST_CHECK mq_err mq_store_scan_insert(struct mq_db *db, const struct mq_library_scan_row *r);
/* Counters, phase, state, error, updated_at and finished_at. */
MQ_MUST_CHECK mq_err mq_store_scan_update(struct mq_db *db, const struct mq_library_scan_row *r);
/* The library's newest scan; MQ_ENOTFOUND when it never was scanned. */
MQ_MUST_CHECK mq_err mq_store_scan_latest(struct mq_db *db, struct mq_arena *a,
                                          const char *library_id, struct mq_library_scan_row *out);
/* Scans left 'running' by a process that died: marked failed. */
MQ_MUST_CHECK mq_err mq_store_scans_abandon(struct mq_db *db, const char *library_id,
                                            const char *except_id, int64_t now);

#endif
