#include "users/avatar.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "store/users.h"
#include "users/libvips.h"
#include "system/conf.h"
#include "users/conf.h"

static const char *const accepted[] = {"image/png", "image/jpeg", "image/webp", "image/gif"};

/* libvips, like libcurl, initialises once per process and never shuts
 * down: it is loaded on the first upload and kept (users/libvips.h). */
static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static struct mq_libvips vips;
static char vips_why[256];
static bool vips_ready;

static void start_vips(void)
{
    vips_ready = mq_libvips_load(&vips, vips_why, sizeof(vips_why)) == MQ_OK;
}

/* libmagic handles are not shared between threads: one per call, which
 * costs little next to decoding an image. */
static bool sniff(const void *data, size_t len, char *mime, size_t mimelen)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
    const char *type = NULL;
    if (m && magic_load(m, NULL) == 0) type = magic_buffer(m, data, len);
    snprintf(mime, mimelen, "%s", type ? type : "");
    magic_close(m);
    return type != NULL;
}

static mq_err avatar_dir(const struct mq_ctx *ctx, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/avatars", mq_system_conf(ctx->cfg)->data_dir);
    if (mkdir(out, 0750) && errno != EEXIST) return MQ_EIO;
    return MQ_OK;
}

static mq_err write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) return MQ_EIO;
    return mq_file_replace(path, data, len, 0640);
}

static mq_err undecodable(struct mq_refusal *why)
{
    vips.error_clear();
    return mq_refuse(why, MQ_EINVAL, "invalid_image", NULL, "the image cannot be decoded");
}

static size_t sample_bytes(VipsBandFormat f)
{
    switch (f) {
    case VIPS_FORMAT_UCHAR:
    case VIPS_FORMAT_CHAR: return 1;
    case VIPS_FORMAT_USHORT:
    case VIPS_FORMAT_SHORT: return 2;
    case VIPS_FORMAT_DOUBLE:
    case VIPS_FORMAT_COMPLEX: return 8;
    case VIPS_FORMAT_DPCOMPLEX: return 16;
    default: return 4;
    }
}

/* Measures from the header, then decodes (sequentially, shrinking on load
 * where the format allows), crops and re-encodes; the caller frees *out
 * with vips.free. */
static mq_err reencode(const void *data, size_t len, int max_megapixels, void **out, size_t *outlen,
                       struct mq_refusal *why)
{
    VipsImage *probe =
        vips.image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!probe) return undecodable(why);
    int w = vips.image_get_width(probe), h = vips.image_get_height(probe);
    int bands = vips.image_get_bands(probe);
    size_t sample = sample_bytes(vips.image_get_format(probe));
    vips.object_unref(probe);
    if (w <= 0 || h <= 0 || w > MQ_AVATAR_MAX_SIDE || h > MQ_AVATAR_MAX_SIDE)
        return mq_refuse(why, MQ_ETOOBIG, "avatar_too_large", NULL,
                         "the image may be at most 10000 pixels a side");
    /* What decoding costs grows with the decoded bytes, not the pixels
     * alone: a 16-bit RGBA pixel is two 8-bit RGBA ones. */
    double weighted = (double)w * h * (bands > 0 ? bands : 4) * (double)sample / 4.0;
    if (weighted > (double)max_megapixels * 1e6)
        return mq_refuse(why, MQ_ETOOBIG, "avatar_too_large", NULL,
                         "the image decodes to %.0f megapixels (8-bit RGBA); the limit is %d",
                         weighted / 1e6, max_megapixels);
    VipsImage *thumb = NULL;
    if (vips.thumbnail_buffer((void *)data, len, &thumb, MQ_AVATAR_SIZE, "height", MQ_AVATAR_SIZE,
                              "crop", VIPS_INTERESTING_CENTRE, NULL))
        return undecodable(why);
    int rc = vips.image_write_to_buffer(thumb, ".webp", out, outlen, "Q", 85, "strip", TRUE, NULL);
    vips.object_unref(thumb);
    return rc ? undecodable(why) : MQ_OK;
}

mq_err mq_avatar_set(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id, const void *data,
                     size_t len, struct mq_refusal *why)
{
    char mime[128], dir[4096], name[96];
    unsigned char rnd[6];
    struct mq_user_row u;
    struct mq_db *db = NULL;
    void *webp = NULL;
    size_t webp_len = 0;
    if (len > (size_t)mq_users_conf(ctx->cfg)->avatar_max_size)
        return mq_refuse(why, MQ_ETOOBIG, "avatar_too_large", NULL,
                         "the image may be at most %ld bytes",
                         mq_users_conf(ctx->cfg)->avatar_max_size);
    bool known = false;
    if (len && sniff(data, len, mime, sizeof(mime)))
        for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
            if (!strcmp(mime, accepted[i])) known = true;
    if (!known)
        return mq_refuse(why, MQ_EUNSUPPORTED, "unsupported_image", NULL,
                         "send a PNG, JPEG, WebP or GIF image");
    pthread_once(&vips_once, start_vips);
    if (!vips_ready) {
        mq_log_error(ctx->log, "users", "avatars are unavailable: %s", vips_why);
        return MQ_EUNAVAILABLE;
    }
    mq_err err =
        reencode(data, len, mq_users_conf(ctx->cfg)->avatar_max_megapixels, &webp, &webp_len, why);
    if (err) return err;

    mq_rng_fill(ctx->rng, rnd, sizeof(rnd));
    snprintf(name, sizeof(name), "%s-%02x%02x%02x%02x%02x%02x.webp", user_id, rnd[0], rnd[1],
             rnd[2], rnd[3], rnd[4], rnd[5]);
    err = avatar_dir(ctx, dir, sizeof(dir));
    if (!err) err = write_file(dir, name, webp, webp_len);
    vips.free(webp);
    if (err) return err;

    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_user_by_id(db, a, user_id, &u);
    if (!err) err = mq_store_user_avatar(db, user_id, name, mq_clock_now_ms(ctx->clock));
    err = mq_store_finish(db, err);
    if (err) {
        mq_avatar_unlink(ctx, name);
        return err;
    }
    if (u.avatar) mq_avatar_unlink(ctx, u.avatar);
    return MQ_OK;
}

mq_err mq_avatar_remove(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_user_by_id(db, a, user_id, &u);
    if (!err && u.avatar)
        err = mq_store_user_avatar(db, user_id, NULL, mq_clock_now_ms(ctx->clock));
    err = mq_store_finish(db, err);
    if (!err && u.avatar) mq_avatar_unlink(ctx, u.avatar);
    return err;
}

/* Names come from the database, which only ever holds names made above;
 * still, nothing with a slash or a leading dot is opened. */
static bool name_safe(const char *name)
{
    return name && *name && name[0] != '.' && !strchr(name, '/');
}

mq_err mq_avatar_read(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id, void **data,
                      size_t *len)
{
    struct mq_user_row u;
    struct mq_db *db = NULL;
    char path[4096];
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (!err) err = mq_store_finish(db, mq_store_user_by_id(db, a, user_id, &u));
    if (err) return err;
    if (u.deleted_at || !name_safe(u.avatar)) return MQ_ENOTFOUND;
    snprintf(path, sizeof(path), "%s/avatars/%s", mq_system_conf(ctx->cfg)->data_dir, u.avatar);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno == ENOENT ? MQ_ENOTFOUND : MQ_EIO;
    struct stat st;
    err = MQ_EIO;
    if (fstat(fd, &st) == 0 && st.st_size >= 0 && st.st_size <= 4 * 1024 * 1024) {
        char *buf = mq_arena_alloc(a, (size_t)st.st_size + 1);
        ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
        if (!buf)
            err = MQ_ENOMEM;
        else if (n == st.st_size) {
            *data = buf;
            *len = (size_t)n;
            err = MQ_OK;
        }
    }
    close(fd);
    return err;
}

void mq_avatar_unlink(const struct mq_ctx *ctx, const char *name)
{
    char path[4096];
    if (!name_safe(name)) return;
    snprintf(path, sizeof(path), "%s/avatars/%s", mq_system_conf(ctx->cfg)->data_dir, name);
    if (unlink(path) && errno != ENOENT)
        mq_log_warn(ctx->log, "users", "cannot remove avatar file %s: %s", name, strerror(errno));
}
