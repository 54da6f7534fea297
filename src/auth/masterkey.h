/* masterkey.h - rotating the master key that seals secrets at rest
 * (crypto/secrets.h): a new key becomes current, every sealed value in the
 * database is re-sealed with it, then the keys no value uses any more
 * leave the key file. The sealed columns are listed in store/sealed.h. */
#ifndef MQ_AUTH_MASTERKEY_H
#define MQ_AUTH_MASTERKEY_H

#include "core/ctx.h"
#include "crypto/secrets.h"

/* The master key file: master_key_file, or data_dir/master.key. */
void mq_masterkey_path(const struct mq_config *cfg, char *out, size_t len);

/* What a rotation did. */
struct mq_masterkey_rotation {
    char kid[MQ_SECRETS_KID_LEN + 1]; /* the new current key */
    long resealed;                    /* values re-sealed with it */
    int retired;                      /* old keys no value used, removed from the file */
    long unreadable;                  /* values no key opens (left as they are) */
};

/* Rotates ctx->secrets. Safe to run again after a failure half way. */
MQ_MUST_CHECK mq_err mq_masterkey_rotate(struct mq_ctx *ctx, struct mq_masterkey_rotation *out);

#endif
