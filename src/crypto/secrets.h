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
 * with it, and keys no value uses any more leave the file (the walk over
 * the database is auth/masterkey.h; this module only keeps the file). Instances that share a
 * database must share the file (point master_key_file at the same secret); one that meets a key id
 * it does not know reads the file again. */
#ifndef MQ_CRYPTO_SECRETS_H
#define MQ_CRYPTO_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "core/rand.h"

#define MQ_SECRETS_KID_LEN 12 /* hex */

struct mq_secrets;

/* Reads the key file at `path` (auth/masterkey.h says which), or makes it
 * with one new key. */
MQ_MUST_CHECK mq_err mq_secrets_open(const char *path, const struct mq_log *log,
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

#define MQ_SECRETS_PREFIX_LEN (5 + MQ_SECRETS_KID_LEN + 1) /* "mqs1.KID." */

/* Makes a new key current, keeping the others to open what they sealed;
 * its id goes to kid. */
MQ_MUST_CHECK mq_err mq_secrets_make_current(struct mq_secrets *s,
                                             char kid[MQ_SECRETS_KID_LEN + 1]);

/* The text every value sealed with key `kid` starts with. */
void mq_secrets_prefix(const char *kid, char out[MQ_SECRETS_PREFIX_LEN + 1]);

/* Says whether anything is still sealed with key `kid`. */
typedef mq_err (*mq_secrets_in_use_fn)(void *arg, const char *kid, bool *used);

/* Drops from the file every key but the current one that in_use says
 * nothing needs; *retired counts them. The file stays locked meanwhile,
 * so no instance of this process seals with a key being dropped. */
MQ_MUST_CHECK mq_err mq_secrets_retire(struct mq_secrets *s, mq_secrets_in_use_fn in_use, void *arg,
                                       int *retired);

#endif
