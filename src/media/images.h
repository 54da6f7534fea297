/* images.h - a work's pictures: found beside its files (poster.jpg,
 * fanart.jpg, Name-poster.jpg, season01-poster.jpg), carried inside them
 * (the cover of an MKV, MP4, M4B or MP3), or fetched once from a metadata
 * provider (metadata/identify.h), served at a few fixed widths.
 *
 * Each width is made once, by a probe helper (the decoding never happens
 * in the server), and kept in data_dir/images under a name that changes
 * with the source file, so a versioned URL can be cached forever. */
#ifndef MQ_MEDIA_IMAGES_H
#define MQ_MEDIA_IMAGES_H

#include <stdbool.h>

#include "core/ctx.h"
#include "media/libraries.h"

#define MQ_IMAGE_DEFAULT_WIDTH 780

struct mq_image {
    const char *path; /* the cached JPEG */
    char version[17]; /* changes with the source picture */
    int width;
};

bool mq_image_kind_valid(const char *kind);
/* 160, 320, 480, 780, 1280 or 1920. */
bool mq_image_width_valid(int width);

/* The picture of `kind` for the item at `width`, made if need be (slow:
 * call it off the connection threads). MQ_ENOTFOUND when the item (as vis
 * sees it) or the picture does not exist; MQ_EIO (why) when the picture
 * cannot be decoded. */
MQ_MUST_CHECK mq_err mq_images_get(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_visible *vis, const char *item_id,
                                   const char *kind, int width, struct mq_image *out, char *why,
                                   size_t whylen);

/* A person's photo (fetched from a provider) at `width`. MQ_ENOTFOUND
 * when they have none. */
MQ_MUST_CHECK mq_err mq_images_person(struct mq_ctx *ctx, struct mq_arena *a, const char *person_id,
                                      int width, struct mq_image *out, char *why, size_t whylen);
/* A picture of this server's own (a provider's, fetched into data_dir) at
 * `width`, made the same way. */
MQ_MUST_CHECK mq_err mq_images_from_file(struct mq_ctx *ctx, struct mq_arena *a, const char *path,
                                         const char *kind, int width, struct mq_image *out,
                                         char *why, size_t whylen);
/* Its version, for a URL that can be cached; MQ_ENOTFOUND. */
MQ_MUST_CHECK mq_err mq_images_person_version(struct mq_ctx *ctx, struct mq_arena *a,
                                              const char *person_id, char version[17]);

/* The kinds of picture an item has and each one's version, without
 * touching the disk: {"poster": "3f2a...", "backdrop": "..."} (a new
 * reference). */
struct json_t;
MQ_MUST_CHECK mq_err mq_images_available(struct mq_ctx *ctx, struct mq_arena *a,
                                         const struct mq_visible *vis, const char *item_id,
                                         struct json_t **out);

#endif
