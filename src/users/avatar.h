/* avatar.h - members' pictures.
 *
 * An upload is checked by its content, not its name or declared type
 * (libmagic: PNG, JPEG, WebP or GIF only), measured before it is decoded
 * (at most 10,000 pixels a side), and re-encoded by libvips into a 256x256
 * WebP, centre-cropped, without metadata: whatever else the file carried
 * (EXIF location, a polyglot payload) is gone. Files live in
 * data_dir/avatars under a fresh name per upload, so caches never show an
 * old picture; the old file is removed once the database points elsewhere. */
#ifndef MQ_USERS_AVATAR_H
#define MQ_USERS_AVATAR_H

#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"

#define MQ_AVATAR_SIZE     256
#define MQ_AVATAR_MAX_SIDE 10000
#define MQ_AVATAR_MIME     "image/webp"

/* Slow (decoding): on the CPU pool. MQ_EINVAL with *code and *why
 * (avatar_too_large, unsupported_image, invalid_image) when refused. */
MQ_MUST_CHECK mq_err mq_avatar_set(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                   const void *data, size_t len, struct mq_refusal *why);

/* Removes the member's picture; MQ_OK when there was none. */
MQ_MUST_CHECK mq_err mq_avatar_remove(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id);

/* The picture of a member who is not deleted, read into the arena;
 * MQ_ENOTFOUND when there is none. */
MQ_MUST_CHECK mq_err mq_avatar_read(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                    void **data, size_t *len);

/* Deletes a stored file by its name (the purge of deleted accounts). */
void mq_avatar_unlink(const struct mq_ctx *ctx, const char *name);

#endif
