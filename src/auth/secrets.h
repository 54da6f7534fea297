/* secrets.h - secrets sealed at rest (TOTP seeds now; integration API keys
 * and OIDC client secrets later).
 *
 * The master keys live outside the database, in a 0600 file
 * (master_key_file, by default data_dir/master.key), one per line as
 * "KID BASE64URL(32 bytes)", the current key first; the file is made with
 * one key on first start. A sealed value is text:
 *
 *     mqs1.KID.BASE64URL(nonce ‖ XChaCha20-Poly1305 ciphertext)
 *
 * with "mqs1.KID|CONTEXT" as associated data. The context names where the
 * value belongs ("totp:<user id>"), so a sealed value copied into another
 * row, or another user's, does not open. The key id lets keys rotate
 * without downtime: a new key becomes current, every value is re-sealed
 * with it (mq_secrets_rotate), and keys no value uses any more leave the
 * file. Instances that share a database must share the file (point
 * master_key_file at the same secret); one that meets a key id it does not
 * know reads the file again. */
#ifndef MQ_AUTH_SECRETS_H
#define MQ_AUTH_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"

#define MQ_SECRETS_KID_LEN 12 /* hex */

struct mq_secrets;

/* Reads the key file, or makes it with one new key. */
MQ_MUST_CHECK mq_err mq_secrets_open(const struct mq_config *cfg, const struct mq_log *log,
                                     const struct mq_rng *rng, struct mq_secrets **out);
void mq_secrets_free(struct mq_secrets *s);

/* Seals len bytes with the current key, bound to context; the text is in
 * the arena. */
MQ_MUST_CHECK mq_err mq_secrets_seal(struct mq_secrets *s, struct mq_arena *a, const char *context,
                                     const void *plain, size_t len, char **sealed);

/* Opens a sealed value into the arena (*plain is NUL-terminated past *len;
 * wipe it when done). MQ_EPERM when it does not open: unknown key, other
 * context, or altered. */
MQ_MUST_CHECK mq_err mq_secrets_unseal(struct mq_secrets *s, struct mq_arena *a,
                                       const char *context, const char *sealed,
                                       unsigned char **plain, size_t *len);

/* What a rotation did. */
struct mq_secrets_rotation {
    char kid[MQ_SECRETS_KID_LEN + 1]; /* the new current key */
    long resealed;                    /* values re-sealed with it */
    int retired;                      /* old keys no value used, removed from the file */
    long unreadable;                  /* values no key opens (left as they are) */
};

/* Makes a new current key, re-seals every sealed value in the database with
 * it, then drops the keys nothing uses any more. Safe to run again after a
 * failure half way. */
MQ_MUST_CHECK mq_err mq_secrets_rotate(struct mq_ctx *ctx, struct mq_secrets_rotation *out);

#endif
