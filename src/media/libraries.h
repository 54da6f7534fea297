/* libraries.h - libraries: folders of one kind of media, and who may see
 * them.
 *
 * An unrestricted library is visible to everyone holding libraries:read; a
 * restricted one only to libraries:manage holders and to the users and
 * roles granted it. mq_libraries_visible is the one place that decides:
 * every route that shows or streams something of a library filters through
 * what it returns, and answers a library one cannot see as if it did not
 * exist. */
#ifndef MQ_MEDIA_LIBRARIES_H
#define MQ_MEDIA_LIBRARIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "core/ctx.h"
#include "core/err.h"
#include "media/parental.h"
#include "store/libraries.h"

#define MQ_LIBRARY_PATHS_MAX 32

struct mq_library {
    struct mq_library_row row;
    struct mq_library_path_row *paths;
    size_t npaths;
};

struct mq_library_new {
    const char *name, *kind; /* kind: movies, tv, books, audiobooks */
    const char *const *paths;
    size_t npaths;
    bool restricted;
    int64_t scan_interval; /* ms; -1 = the server's scan_interval, 0 = never */
};

/* What a PATCH changes: NULL / -1 / MQ_LIBRARY_KEEP leave a field alone. */
#define MQ_LIBRARY_KEEP INT64_MIN
struct mq_library_patch {
    const char *name;
    int restricted;        /* -1 = unchanged */
    int64_t scan_interval; /* MQ_LIBRARY_KEEP = unchanged, -1 = the server's */
    /* The providers asked, a JSON array the caller checked
     * (metadata/provider.h); "" = the kind's default; NULL = unchanged. */
    const char *metadata_order;
};

/* What a principal may see: libraries, and within them what their
 * parental controls (media/parental.h) allow now. */
struct mq_visible {
    bool all;         /* every library (libraries:manage) */
    bool every;       /* every library there is, by right or by grants */
    const char **ids; /* otherwise these */
    size_t n;
    const char *json; /* the same ids as a JSON array, for the store's queries */
    struct mq_restriction limits;
};

bool mq_library_kind_valid(const char *kind);

/* The libraries `who` may see (none without libraries:read); in the arena. */
MQ_MUST_CHECK mq_err mq_libraries_visible(struct mq_ctx *ctx, struct mq_arena *a,
                                          const struct mq_principal *who, struct mq_visible *out);
bool mq_visible_has(const struct mq_visible *v, const char *library_id);
/* The same for a member acting with no request (a job for them, a webhook
 * on their token): their roles as stored, no session (so no PIN unlock). */
MQ_MUST_CHECK mq_err mq_libraries_visible_to(struct mq_ctx *ctx, struct mq_arena *a,
                                             const char *user_id, struct mq_visible *out);

/* On MQ_EINVAL or MQ_ECONFLICT *why names the field and the problem:
 * invalid_name, invalid_kind, library_name_taken, and for each folder
 * invalid_path, path_not_found, path_not_directory, path_unreadable,
 * path_forbidden, path_overlaps. Folders are kept as their real paths
 * (symbolic links resolved). */
MQ_MUST_CHECK mq_err mq_libraries_create(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_library_new *in, struct mq_library *out,
                                         struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_libraries_update(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                         const struct mq_library_patch *p, struct mq_library *out,
                                         struct mq_refusal *why);
/* Removes the library and its catalogue. MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_libraries_delete(struct mq_ctx *ctx, const char *id);

MQ_MUST_CHECK mq_err mq_libraries_add_path(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                           const char *path, struct mq_library_path_row *out,
                                           struct mq_refusal *why);
/* MQ_ENOTFOUND when the library has no such folder; MQ_ECONFLICT (why)
 * for its last folder. */
MQ_MUST_CHECK mq_err mq_libraries_remove_path(struct mq_ctx *ctx, const char *id,
                                              const char *path_id, struct mq_refusal *why);

/* One library with its folders; MQ_ENOTFOUND, also when `vis` (NULL = no
 * filter) does not include it. */
MQ_MUST_CHECK mq_err mq_libraries_get(struct mq_ctx *ctx, struct mq_arena *a,
                                      const struct mq_visible *vis, const char *id,
                                      struct mq_library *out);
/* The libraries of `vis` (NULL = all), by name. */
MQ_MUST_CHECK mq_err mq_libraries_list(struct mq_ctx *ctx, struct mq_arena *a,
                                       const struct mq_visible *vis, struct mq_library **out,
                                       size_t *n);

/* One folder of the server's file system as the folder picker shows it:
 * its real path, its parent (NULL at /) and the folders in it, by name,
 * hidden ones and the kernel's (/proc, /sys, /dev, /run) left out; files
 * are never listed. At most MQ_BROWSE_MAX entries (`truncated` says if
 * more). MQ_EINVAL with *why for a path that is not an absolute, existing,
 * readable folder. */
#define MQ_BROWSE_MAX 2000
struct mq_folder_listing {
    const char *path, *parent;
    const char **names; /* arena */
    size_t n;
    bool truncated;
};
MQ_MUST_CHECK mq_err mq_libraries_browse(struct mq_arena *a, const char *path,
                                         struct mq_folder_listing *out, struct mq_refusal *why);

/* Grants a restricted library to a user (role NULL) or a role (user_id
 * NULL). MQ_ENOTFOUND (why) for no such library, user or role;
 * MQ_ECONFLICT when granted already. */
MQ_MUST_CHECK mq_err mq_libraries_grant(struct mq_ctx *ctx, const char *id, const char *user_id,
                                        const char *role, const char *by, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_libraries_revoke(struct mq_ctx *ctx, const char *id, const char *user_id,
                                         const char *role);
MQ_MUST_CHECK mq_err mq_libraries_grants(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                                         struct mq_library_grant_row **out, size_t *n);

#endif
