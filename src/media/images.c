#include "media/images.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/catalog.h"
#include "media/paths.h"
#include "media/probe.h"
#include "store/metadata.h"
#include "system/conf.h"

static const char *const KINDS[] = {"poster", "backdrop", "banner",   "logo",
                                    "thumb",  "disc",     "clearart", NULL};
static const int WIDTHS[] = {160, 320, 480, 780, 1280, 1920};

bool mq_image_kind_valid(const char *kind)
{
    for (int i = 0; kind && KINDS[i]; i++)
        if (!strcmp(kind, KINDS[i])) return true;
    return false;
}

bool mq_image_width_valid(int width)
{
    for (size_t i = 0; i < sizeof(WIDTHS) / sizeof(WIDTHS[0]); i++)
        if (WIDTHS[i] == width) return true;
    return false;
}

/* Where a picture comes from: an image file, the cover inside a main
 * file, or a provider's picture fetched into data_dir/pictures. */
struct source {
    const struct mq_file_row *file;
    bool embedded;
    const char *remote; /* the fetched copy's path */
};

/* A cover inside: a video or audio file's attached picture, or the one
 * an EPUB's manifest names (a comic's first page). */
static bool has_cover(const struct mq_file_row *f)
{
    if (f->streams && strstr(f->streams, "\"cover\":true")) return true;
    return f->container && (!strcmp(f->container, "epub") || !strcmp(f->container, "cbz")) &&
           f->tags && strstr(f->tags, "\"cover\":");
}

static void pick(const struct mq_file_row *files, size_t n, const char *kind, struct source *s)
{
    for (size_t i = 0; i < n && !s->file; i++)
        if (!strcmp(files[i].role, "image") && files[i].detail && !strcmp(files[i].detail, kind) &&
            strcmp(files[i].state, "missing"))
            s->file = &files[i];
    if (s->file || strcmp(kind, "poster")) return;
    for (size_t i = 0; i < n && !s->file; i++)
        if (!strcmp(files[i].role, "main") && !strcmp(files[i].state, "ok") &&
            has_cover(&files[i])) {
            s->file = &files[i];
            s->embedded = true;
        }
}

static void version_of(const struct source *s, const char *kind, char out[17])
{
    char text[600];
    unsigned char h[8];
    if (s->remote)
        snprintf(text, sizeof(text), "remote|%s|%s", s->remote, kind);
    else
        snprintf(text, sizeof(text), "%s|%lld|%lld|%s|%d", s->file->id, (long long)s->file->size,
                 (long long)s->file->mtime, kind, s->embedded);
    crypto_generichash(h, sizeof(h), (const unsigned char *)text, strlen(text), NULL, 0);
    sodium_bin2hex(out, 17, h, sizeof(h));
}

/* A provider's picture of the owner (an item or a person), fetched. */
static mq_err remote_rows(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                          struct mq_remote_image_row **rows, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_remote_images_of(db, a, owner, rows, n);
    mq_store_rollback(db);
    return err;
}

static bool pick_remote(const struct mq_remote_image_row *rows, size_t n, const char *kind,
                        struct source *s)
{
    for (size_t i = 0; i < n && !s->remote; i++)
        if (!strcmp(rows[i].kind, kind)) s->remote = rows[i].file;
    return s->remote != NULL;
}

static mq_err remote_source(struct mq_ctx *ctx, struct mq_arena *a, const char *owner,
                            const char *kind, struct source *s)
{
    struct mq_remote_image_row *rows = NULL;
    size_t n = 0;
    mq_err err = remote_rows(ctx, a, owner, &rows, &n);
    return err ? err : pick_remote(rows, n, kind, s) ? MQ_OK : MQ_ENOTFOUND;
}

/* What an item's pictures can come from, read once for all its kinds:
 * its files, a provider's pictures, and for a season (read when a kind
 * needs it) its series' files. */
struct origins {
    const struct mq_visible *vis;
    const char *item_id;
    struct mq_file_row *files, *parent_files;
    size_t nfiles, nparent;
    struct mq_remote_image_row *remote;
    size_t nremote;
    bool parent_read;
    int64_t season; /* the item's number when it is a season of a series; -1 otherwise */
};

static mq_err origins_read(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                           const char *item_id, struct origins *o)
{
    memset(o, 0, sizeof(*o));
    o->vis = vis;
    o->item_id = item_id;
    o->season = -1;
    mq_err err = mq_catalog_files(ctx, a, vis, item_id, &o->files, &o->nfiles);
    if (!err) err = remote_rows(ctx, a, item_id, &o->remote, &o->nremote);
    return err;
}

/* Local pictures come first: a poster.jpg someone put beside the film is
 * the one they want; then what a provider gave; then, for a season, its
 * series' "poster,season=N". */
static mq_err choose(struct mq_ctx *ctx, struct mq_arena *a, struct origins *o, const char *kind,
                     struct source *s)
{
    memset(s, 0, sizeof(*s));
    pick(o->files, o->nfiles, kind, s);
    if (s->file || pick_remote(o->remote, o->nremote, kind, s)) return MQ_OK;
    if (!o->parent_read) {
        struct mq_item_row item;
        o->parent_read = true;
        mq_err err = mq_catalog_get(ctx, a, o->vis, o->item_id, &item, NULL, NULL);
        if (err) return err;
        if (!strcmp(item.kind, "season") && item.parent_id) {
            o->season = item.position;
            err = mq_catalog_files(ctx, a, o->vis, item.parent_id, &o->parent_files, &o->nparent);
            if (err) return err;
        }
    }
    if (o->season < 0) return MQ_ENOTFOUND;
    char *want = mq_arena_printf(a, "%s,season=%lld", kind, (long long)o->season);
    for (size_t i = 0; want && i < o->nparent && !s->file; i++)
        if (!strcmp(o->parent_files[i].role, "image") && o->parent_files[i].detail &&
            !strcmp(o->parent_files[i].detail, want))
            s->file = &o->parent_files[i];
    return s->file ? MQ_OK : MQ_ENOTFOUND;
}

mq_err mq_images_available(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                           const char *item_id, json_t **out)
{
    struct origins o;
    *out = NULL;
    mq_err err = origins_read(ctx, a, vis, item_id, &o);
    *out = json_object();
    if (err == MQ_ENOTFOUND) return MQ_OK; /* none to show */
    if (err) {
        json_decref(*out);
        *out = NULL;
        return err;
    }
    for (int i = 0; KINDS[i]; i++) {
        struct source s;
        err = choose(ctx, a, &o, KINDS[i], &s);
        if (err == MQ_ENOTFOUND) continue;
        if (err) {
            json_decref(*out);
            *out = NULL;
            return err;
        }
        char v[17];
        version_of(&s, KINDS[i], v);
        json_object_set_new(*out, KINDS[i], json_string(v));
    }
    return MQ_OK;
}

static mq_err make_width(struct mq_ctx *ctx, struct mq_arena *a, const struct source *sp,
                         const char *kind, int width, struct mq_image *out, char *why,
                         size_t whylen);

mq_err mq_images_get(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_visible *vis,
                     const char *item_id, const char *kind, int width, struct mq_image *out,
                     char *why, size_t whylen)
{
    struct source s;
    struct origins o;
    why[0] = 0;
    mq_err err = origins_read(ctx, a, vis, item_id, &o);
    if (!err) err = choose(ctx, a, &o, kind, &s);
    if (err) return err;
    return make_width(ctx, a, &s, kind, width, out, why, whylen);
}

mq_err mq_images_person(struct mq_ctx *ctx, struct mq_arena *a, const char *person_id, int width,
                        struct mq_image *out, char *why, size_t whylen)
{
    struct source s = {0};
    why[0] = 0;
    mq_err err = remote_source(ctx, a, person_id, "photo", &s);
    if (err) return err;
    return make_width(ctx, a, &s, "photo", width, out, why, whylen);
}

mq_err mq_images_from_file(struct mq_ctx *ctx, struct mq_arena *a, const char *path,
                           const char *kind, int width, struct mq_image *out, char *why,
                           size_t whylen)
{
    struct source s = {.remote = path};
    why[0] = 0;
    return make_width(ctx, a, &s, kind, width, out, why, whylen);
}

mq_err mq_images_person_version(struct mq_ctx *ctx, struct mq_arena *a, const char *person_id,
                                char version[17])
{
    struct source s = {0};
    mq_err err = remote_source(ctx, a, person_id, "photo", &s);
    if (!err) version_of(&s, "photo", version);
    return err;
}

static mq_err make_width(struct mq_ctx *ctx, struct mq_arena *a, const struct source *sp,
                         const char *kind, int width, struct mq_image *out, char *why,
                         size_t whylen)
{
    struct source s = *sp;
    mq_err err = MQ_OK;
    version_of(&s, kind, out->version);
    out->width = width;
    const char *data_dir = mq_system_conf(ctx->cfg)->data_dir;
    char *dir = mq_arena_printf(a, "%s/images/%.2s", data_dir, out->version);
    char *path = dir ? mq_arena_printf(a, "%s/%s-%d.jpg", dir, out->version, width) : NULL;
    if (!path) return MQ_ENOMEM;
    out->path = path;
    if (!access(path, R_OK)) return MQ_OK;
    if (!ctx->prober) return MQ_EUNAVAILABLE;
    char *top = mq_arena_printf(a, "%s/images", data_dir);
    if (!top || (mkdir(top, 0700) && errno != EEXIST) || (mkdir(dir, 0700) && errno != EEXIST))
        return MQ_EIO;
    int src = s.remote ? open(s.remote, O_RDONLY | O_CLOEXEC)
                       : mq_path_open_same(a, s.file->path, s.file->dev, s.file->ino);
    if (src < 0) return MQ_ENOTFOUND; /* not on disk now */
    if (s.embedded) {
        int cover = memfd_create("marquee-cover", MFD_CLOEXEC);
        err = cover < 0 ? MQ_EIO
                        : mq_prober_extract(ctx->prober, MQ_EXTRACT_COVER, src, s.file->path, 0,
                                            cover, why, whylen);
        close(src);
        src = cover;
        if (err) {
            if (cover >= 0) close(cover);
            return err;
        }
    }
    /* Made under a name of its own, then renamed: readers see the whole
     * picture or none, and two requests at once cannot mix. */
    unsigned char rnd[6];
    mq_rng_fill(ctx->rng, rnd, sizeof(rnd));
    char *tmp = mq_arena_printf(a, "%s.%02x%02x%02x%02x%02x%02x.tmp", path, rnd[0], rnd[1], rnd[2],
                                rnd[3], rnd[4], rnd[5]);
    int dst = tmp ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    err = dst < 0 ? MQ_EIO
                  : mq_prober_extract(ctx->prober, MQ_EXTRACT_RESIZED, src, "image", width, dst,
                                      why, whylen);
    close(src);
    if (dst >= 0) close(dst);
    if (!err && rename(tmp, path)) err = MQ_EIO;
    if (err && tmp) unlink(tmp);
    return err;
}
