#include "media/libraries.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/authz.h"
#include "auth/principal.h"
#include "auth/rbac.h"
#include "core/events.h"
#include "core/text.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "media/paths.h"
#include "store/roles.h"
#include "store/users.h"

static const char *const KINDS[] = {"movies", "tv", "books", "audiobooks", NULL};

/* Folders a library may not be in: the kernel's, and the whole disk. */
static const char *const FORBIDDEN[] = {"/proc", "/sys", "/dev", "/run", NULL};

bool mq_library_kind_valid(const char *kind)
{
    for (int i = 0; kind && KINDS[i]; i++)
        if (!strcmp(kind, KINDS[i])) return true;
    return false;
}

mq_err mq_libraries_visible_to(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                               struct mq_visible *out)
{
    struct mq_principal *p = mq_arena_calloc(a, 1, sizeof(*p));
    struct mq_db *db = NULL;
    if (!p) return MQ_ENOMEM;
    p->user_id = user_id;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_authz_load(db, a, user_id, &p->authz);
    mq_store_rollback(db);
    return err ? err : mq_libraries_visible(ctx, a, p, out);
}

bool mq_visible_has(const struct mq_visible *v, const char *library_id)
{
    if (!v || v->all) return true;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->ids[i], library_id)) return true;
    return false;
}

static const char *ids_json(struct mq_arena *a, const char *const *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, json_string(ids[i]));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    const char *out = text ? mq_arena_strdup(a, text) : NULL;
    free(text);
    return out;
}

mq_err mq_libraries_visible(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_principal *who,
                            struct mq_visible *out)
{
    memset(out, 0, sizeof(*out));
    struct mq_db *db = NULL;
    struct mq_library_row *libs = NULL;
    const char **granted = NULL;
    size_t nlibs = 0, ngranted = 0;
    bool manage = who && mq_principal_allows(who, "libraries:manage");
    bool read = who && mq_principal_allows(who, "libraries:read");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_libraries_all(db, a, &libs, &nlibs);
    if (!err && read && !manage) {
        const char *roles = ids_json(a, who->authz.roles, who->authz.nroles);
        err = roles ? mq_store_library_granted_to(db, a, who->user_id, roles, &granted, &ngranted)
                    : MQ_ENOMEM;
    }
    mq_store_rollback(db);
    if (err) return err;
    out->all = manage;
    out->ids = mq_arena_alloc(a, (nlibs + 1) * sizeof(*out->ids));
    if (!out->ids) return MQ_ENOMEM;
    for (size_t i = 0; i < nlibs; i++) {
        bool seen = manage || (read && !libs[i].restricted);
        for (size_t k = 0; !seen && k < ngranted; k++) seen = !strcmp(granted[k], libs[i].id);
        if (seen) out->ids[out->n++] = libs[i].id;
    }
    out->every = out->n == nlibs;
    out->json = ids_json(a, out->ids, out->n);
    if (!out->json) return MQ_ENOMEM;
    return mq_parental_restriction(ctx, a, who, &out->limits);
}

static void name_key(const char *name, char *out, size_t cap)
{
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = 0;
}

/* A folder as it will be kept: its real path, after the checks. */
/* Whether path is in one of the kernel's folders. */
static bool system_folder(const char *path)
{
    for (int i = 0; FORBIDDEN[i]; i++)
        if (mq_path_within(FORBIDDEN[i], path)) return true;
    return false;
}

/* A folder someone typed, normalised and resolved: its real path in
 * `resolved`, or a refusal naming `field`. */
static mq_err resolve_folder(struct mq_arena *a, const char *given, const char *field,
                             char resolved[PATH_MAX], const char **norm_out, struct mq_refusal *why)
{
    const char *rule = NULL;
    if (!given || !mq_utf8_valid(given, strlen(given)) || strlen(given) >= PATH_MAX)
        return mq_refuse(why, MQ_EINVAL, "invalid_path", field,
                         "a folder is an absolute path of valid UTF-8");
    char *norm = mq_path_normalize(a, given, &rule);
    if (!norm)
        return rule ? mq_refuse(why, MQ_EINVAL, "invalid_path", field, "%s", rule) : MQ_ENOMEM;
    *norm_out = norm;
    if (realpath(norm, resolved)) return MQ_OK;
    return errno == EACCES
               ? mq_refuse(why, MQ_EINVAL, "path_unreadable", field, "the server may not read %s",
                           norm)
               : mq_refuse(why, MQ_EINVAL, "path_not_found", field, "%s does not exist", norm);
}

static mq_err check_path(struct mq_arena *a, const char *given, const char **real,
                         struct mq_refusal *why)
{
    char resolved[PATH_MAX];
    const char *norm = NULL;
    struct stat sb;
    mq_err err = resolve_folder(a, given, "paths", resolved, &norm, why);
    if (err) return err;
    if (stat(resolved, &sb))
        return mq_refuse(why, MQ_EINVAL, "path_not_found", "paths", "%s does not exist", norm);
    if (!S_ISDIR(sb.st_mode))
        return mq_refuse(why, MQ_EINVAL, "path_not_directory", "paths", "%s is not a folder", norm);
    if (access(resolved, R_OK | X_OK))
        return mq_refuse(why, MQ_EINVAL, "path_unreadable", "paths",
                         "the server may not read the folder %s", norm);
    if (!strcmp(resolved, "/"))
        return mq_refuse(why, MQ_EINVAL, "path_forbidden", "paths",
                         "a library cannot be the whole file system");
    if (system_folder(resolved))
        return mq_refuse(why, MQ_EINVAL, "path_forbidden", "paths",
                         "%s is a system folder, not media", resolved);
    *real = mq_arena_strdup(a, resolved);
    return *real ? MQ_OK : MQ_ENOMEM;
}

/* A folder may be no other library's folder, nor inside one, nor around
 * one (the same file in two libraries would be two items). */
static mq_err check_overlap(struct mq_db *db, struct mq_arena *a, const char *path,
                            const char *const *also, size_t nalso, struct mq_refusal *why)
{
    struct mq_library_path_row *rows = NULL;
    size_t n = 0;
    mq_err err = mq_store_library_paths(db, a, NULL, &rows, &n);
    if (err) return err;
    for (size_t i = 0; i < n; i++)
        if (mq_path_within(rows[i].path, path) || mq_path_within(path, rows[i].path)) {
            struct mq_library_row lib = {0};
            err = mq_store_library_get(db, a, rows[i].library_id, &lib);
            if (err && err != MQ_ENOTFOUND) return err;
            return mq_refuse(why, MQ_ECONFLICT, "path_overlaps", "paths",
                             "%s overlaps %s, a folder of the library \"%s\"", path, rows[i].path,
                             lib.name ? lib.name : "?");
        }
    for (size_t i = 0; i < nalso; i++)
        if (mq_path_within(also[i], path) || mq_path_within(path, also[i]))
            return mq_refuse(why, MQ_ECONFLICT, "path_overlaps", "paths", "%s overlaps %s", path,
                             also[i]);
    return MQ_OK;
}

static mq_err publish(struct mq_ctx *ctx, struct mq_db *db, const char *id)
{
    struct mq_event e = {.kind = "library.changed", .subject = id};
    return mq_db_publish(db, ctx->events, &e);
}

static mq_err load(struct mq_db *db, struct mq_arena *a, const char *id, struct mq_library *out)
{
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_library_get(db, a, id, &out->row);
    if (!err) err = mq_store_library_paths(db, a, id, &out->paths, &out->npaths);
    return err;
}

mq_err mq_libraries_create(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_library_new *in,
                           struct mq_library *out, struct mq_refusal *why)
{
    const char *rule = NULL;
    if (!in->name || !mq_display_name_valid(in->name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", "name", "%s",
                         rule ? rule : "a library needs a name");
    if (!mq_library_kind_valid(in->kind))
        return mq_refuse(why, MQ_EINVAL, "invalid_kind", "type",
                         "type is one of movies, tv, books, audiobooks");
    if (!in->npaths || in->npaths > MQ_LIBRARY_PATHS_MAX)
        return mq_refuse(why, MQ_EINVAL, "invalid_path", "paths", "a library has 1 to %d folders",
                         MQ_LIBRARY_PATHS_MAX);
    const char **real = mq_arena_alloc(a, in->npaths * sizeof(*real));
    if (!real) return MQ_ENOMEM;
    for (size_t i = 0; i < in->npaths; i++) {
        mq_err err = check_path(a, in->paths[i], &real[i], why);
        if (err) return err;
    }
    char key[MQ_NAME_MAX + 1];
    name_key(in->name, key, sizeof(key));
    int64_t now = mq_clock_now_ms(ctx->clock);
    char id[37];
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    struct mq_library_row row = {.id = id,
                                 .name = in->name,
                                 .name_key = key,
                                 .kind = in->kind,
                                 .restricted = in->restricted,
                                 .scan_interval = in->scan_interval,
                                 .watch_state = "off",
                                 .created_at = now,
                                 .updated_at = now};
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    for (size_t i = 0; !err && i < in->npaths; i++)
        err = check_overlap(db, a, real[i], real, i, why);
    if (!err) {
        err = mq_store_library_insert(db, &row);
        if (err == MQ_ECONFLICT)
            err = mq_refuse(why, MQ_ECONFLICT, "library_name_taken", "name",
                            "another library is called \"%s\"", in->name);
    }
    for (size_t i = 0; !err && i < in->npaths; i++) {
        char pid[37];
        mq_uuid7_new(ctx->clock, ctx->rng, pid);
        struct mq_library_path_row p = {pid, id, real[i], now};
        err = mq_store_library_path_insert(db, &p);
    }
    if (!err) err = publish(ctx, db, id);
    if (!err) err = load(db, a, id, out);
    return mq_store_finish(db, err);
}

mq_err mq_libraries_update(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                           const struct mq_library_patch *p, struct mq_library *out,
                           struct mq_refusal *why)
{
    const char *rule = NULL;
    if (p->name && !mq_display_name_valid(p->name, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", "name", "%s", rule);
    struct mq_db *db = NULL;
    struct mq_library_row row;
    char key[MQ_NAME_MAX + 1];
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, id, &row);
    if (!err) {
        if (p->name) {
            name_key(p->name, key, sizeof(key));
            row.name = p->name;
            row.name_key = key;
        }
        if (p->restricted >= 0) row.restricted = p->restricted;
        if (p->scan_interval != MQ_LIBRARY_KEEP) row.scan_interval = p->scan_interval;
        if (p->metadata_order) row.metadata_order = *p->metadata_order ? p->metadata_order : NULL;
        row.updated_at = mq_clock_now_ms(ctx->clock);
        err = mq_store_library_update(db, &row);
        if (err == MQ_ECONFLICT)
            err = mq_refuse(why, MQ_ECONFLICT, "library_name_taken", "name",
                            "another library is called \"%s\"", p->name);
    }
    if (!err) err = publish(ctx, db, id);
    if (!err) err = load(db, a, id, out);
    return mq_store_finish(db, err);
}

mq_err mq_libraries_delete(struct mq_ctx *ctx, const char *id)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_delete(db, id);
    if (!err) err = publish(ctx, db, id);
    if (!err) {
        struct mq_event e = {
            .kind = "media.changed", .subject = id, .detail = "{\"library_deleted\":true}"};
        err = mq_db_publish(db, ctx->events, &e);
    }
    return mq_store_finish(db, err);
}

mq_err mq_libraries_add_path(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                             const char *path, struct mq_library_path_row *out,
                             struct mq_refusal *why)
{
    const char *real = NULL;
    mq_err err = check_path(a, path, &real, why);
    if (err) return err;
    struct mq_db *db = NULL;
    struct mq_library_row row;
    struct mq_library_path_row *paths = NULL;
    size_t n = 0;
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, id, &row);
    if (!err) err = mq_store_library_paths(db, a, id, &paths, &n);
    if (!err && n >= MQ_LIBRARY_PATHS_MAX)
        err = mq_refuse(why, MQ_ECONFLICT, "too_many_paths", "path",
                        "a library has at most %d folders", MQ_LIBRARY_PATHS_MAX);
    if (!err) err = check_overlap(db, a, real, NULL, 0, why);
    if (!err) {
        char pid[37];
        mq_uuid7_new(ctx->clock, ctx->rng, pid);
        *out = (struct mq_library_path_row){mq_arena_strdup(a, pid), id, real,
                                            mq_clock_now_ms(ctx->clock)};
        err = out->id ? mq_store_library_path_insert(db, out) : MQ_ENOMEM;
    }
    if (!err) err = publish(ctx, db, id);
    return mq_store_finish(db, err);
}

mq_err mq_libraries_remove_path(struct mq_ctx *ctx, const char *id, const char *path_id,
                                struct mq_refusal *why)
{
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_library_path_row *paths = NULL;
    size_t n = 0;
    bool mine = false;
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_library_paths(db, a, id, &paths, &n);
    for (size_t i = 0; !err && i < n; i++) mine |= !strcmp(paths[i].id, path_id);
    if (!err && !mine) err = MQ_ENOTFOUND;
    if (!err && n == 1)
        err = mq_refuse(why, MQ_ECONFLICT, "last_path", "pathId",
                        "a library keeps at least one folder; delete the library instead");
    if (!err) err = mq_store_library_path_delete(db, id, path_id);
    if (!err) err = publish(ctx, db, id);
    if (db) err = mq_store_finish(db, err);
    mq_arena_free(a);
    return err;
}

mq_err mq_libraries_get(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                        const char *id, struct mq_library *out)
{
    if (!mq_visible_has(vis, id)) return MQ_ENOTFOUND;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = load(db, a, id, out);
    mq_store_rollback(db);
    return err;
}

mq_err mq_libraries_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                         struct mq_library **out, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_library_row *rows = NULL;
    struct mq_library_path_row *paths = NULL;
    size_t nrows = 0, npaths = 0;
    *out = NULL;
    *n = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_libraries_all(db, a, &rows, &nrows);
    if (!err) err = mq_store_library_paths(db, a, NULL, &paths, &npaths);
    mq_store_rollback(db);
    if (err) return err;
    *out = mq_arena_alloc(a, (nrows + 1) * sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    /* Paths come ordered by path: each library gets its own array. */
    for (size_t i = 0; i < nrows; i++) {
        if (!mq_visible_has(vis, rows[i].id)) continue;
        struct mq_library *l = &(*out)[(*n)++];
        size_t m = 0;
        l->row = rows[i];
        for (size_t k = 0; k < npaths; k++) m += !strcmp(paths[k].library_id, rows[i].id);
        l->paths = m ? mq_arena_alloc(a, m * sizeof(*l->paths)) : NULL;
        if (m && !l->paths) return MQ_ENOMEM;
        l->npaths = 0;
        for (size_t k = 0; k < npaths; k++)
            if (!strcmp(paths[k].library_id, rows[i].id)) l->paths[l->npaths++] = paths[k];
    }
    return MQ_OK;
}

mq_err mq_libraries_grant(struct mq_ctx *ctx, const char *id, const char *user_id, const char *role,
                          const char *by, struct mq_refusal *why)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    struct mq_library_row lib;
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) {
        err = mq_store_library_get(db, a, id, &lib);
        if (err == MQ_ENOTFOUND)
            err = mq_refuse(why, MQ_ENOTFOUND, "library_not_found", NULL, "no library has that id");
    }
    if (!err && user_id) {
        struct mq_user_row u;
        err = mq_uuid_valid(user_id, strlen(user_id)) ? mq_store_user_by_id(db, a, user_id, &u)
                                                      : MQ_ENOTFOUND;
        if (err == MQ_ENOTFOUND)
            err =
                mq_refuse(why, MQ_ENOTFOUND, "user_not_found", "user_id", "no account has that id");
    } else if (!err && !mq_rbac_builtin(role)) {
        struct mq_role_row r;
        err = mq_store_role_get(db, a, role, &r);
        if (err == MQ_ENOTFOUND)
            err = mq_refuse(why, MQ_ENOTFOUND, "role_not_found", "role", "no role is called that");
    }
    if (!err) {
        struct mq_library_grant_row g = {id, user_id, role, by, mq_clock_now_ms(ctx->clock)};
        err = mq_store_library_grant_insert(db, &g);
        if (err == MQ_ECONFLICT)
            err = mq_refuse(why, MQ_ECONFLICT, "already_granted", user_id ? "user_id" : "role",
                            "the library is granted to them already");
    }
    if (!err) err = publish(ctx, db, id);
    if (db) err = mq_store_finish(db, err);
    mq_arena_free(a);
    return err;
}

mq_err mq_libraries_revoke(struct mq_ctx *ctx, const char *id, const char *user_id,
                           const char *role)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_library_grant_delete(db, id, user_id, role);
    if (!err) err = publish(ctx, db, id);
    return mq_store_finish(db, err);
}

mq_err mq_libraries_grants(struct mq_ctx *ctx, struct mq_arena *a, const char *id,
                           struct mq_library_grant_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    struct mq_library_row lib;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_library_get(db, a, id, &lib);
    if (!err) err = mq_store_library_grants(db, a, id, out, n);
    mq_store_rollback(db);
    return err;
}

/* ---- the folder picker ---------------------------------------------------- */

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

mq_err mq_libraries_browse(struct mq_arena *a, const char *path, struct mq_folder_listing *out,
                           struct mq_refusal *why)
{
    char resolved[PATH_MAX];
    const char *norm = NULL;
    *out = (struct mq_folder_listing){0};
    mq_err err = resolve_folder(a, path && *path ? path : "/", "path", resolved, &norm, why);
    if (err) return err;
    if (system_folder(resolved))
        return mq_refuse(why, MQ_EINVAL, "path_forbidden", "path",
                         "%s is a system folder, not media", resolved);
    int fd = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOTDIR ? mq_refuse(why, MQ_EINVAL, "path_not_directory", "path",
                                            "%s is not a folder", resolved)
                                : mq_refuse(why, MQ_EINVAL, "path_unreadable", "path",
                                            "the server may not read the folder %s", resolved);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return MQ_EIO;
    }
    size_t cap = 64;
    const char **names = mq_arena_alloc(a, cap * sizeof(*names));
    err = names ? MQ_OK : MQ_ENOMEM;
    struct dirent *e;
    size_t base = strlen(resolved);
    while (!err && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ".", ".." and hidden folders */
        size_t len = strlen(e->d_name);
        if (!mq_utf8_valid(e->d_name, len)) continue; /* a name no one can type back */
        struct stat sb;
        if (fstatat(fd, e->d_name, &sb, 0) || !S_ISDIR(sb.st_mode)) continue;
        char *child = mq_arena_printf(a, "%s/%s", base > 1 ? resolved : "", e->d_name);
        if (!child) {
            err = MQ_ENOMEM;
            break;
        }
        if (system_folder(child)) continue;
        if (out->n == MQ_BROWSE_MAX) {
            out->truncated = true;
            break;
        }
        if (out->n == cap) {
            const char **bigger = mq_arena_alloc(a, 2 * cap * sizeof(*names));
            if (!bigger) {
                err = MQ_ENOMEM;
                break;
            }
            memcpy(bigger, names, cap * sizeof(*names));
            names = bigger;
            cap *= 2;
        }
        names[out->n++] = mq_arena_strdup(a, e->d_name);
        if (!names[out->n - 1]) err = MQ_ENOMEM;
    }
    closedir(d);
    if (err) return err;
    qsort(names, out->n, sizeof(*names), by_name);
    out->names = names;
    out->path = mq_arena_strdup(a, resolved);
    if (base > 1) {
        char *parent = mq_arena_strdup(a, resolved);
        if (!parent) return MQ_ENOMEM;
        char *slash = strrchr(parent, '/');
        if (slash == parent)
            slash[1] = 0;
        else
            *slash = 0;
        out->parent = parent;
    }
    return out->path ? MQ_OK : MQ_ENOMEM;
}
