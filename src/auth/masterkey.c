#include "auth/masterkey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/conf.h"
#include "store/sealed.h"
#include "system/conf.h"

#define BATCH 100

void mq_masterkey_path(const struct mq_config *cfg, char *out, size_t len)
{
    const char *file = mq_crypto_conf(cfg)->master_key_file;
    if (file && *file)
        snprintf(out, len, "%s", file);
    else
        snprintf(out, len, "%s/master.key", mq_system_conf(cfg)->data_dir);
}

/* Re-seals one column's values that are not under key `kid` (the current). */
static mq_err reseal_column(struct mq_ctx *ctx, enum mq_sealed_column col, const char *kid,
                            struct mq_masterkey_rotation *r)
{
    char prefix[MQ_SECRETS_PREFIX_LEN + 1], after[256] = "", context[256];
    struct mq_sealed_value vals[BATCH];
    mq_secrets_prefix(kid, prefix);
    for (;;) {
        struct mq_arena *a = mq_arena_new(16384);
        struct mq_db *db = NULL;
        size_t n = 0;
        if (!a) return MQ_ENOMEM;
        mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err) err = mq_store_sealed_stale(db, a, col, prefix, after, BATCH, vals, &n);
        for (size_t i = 0; !err && i < n; i++) {
            unsigned char *plain = NULL;
            size_t len = 0;
            char *fresh = NULL;
            bool replaced = false;
            snprintf(context, sizeof(context), "%s%s", mq_store_sealed_context(col), vals[i].key);
            if (mq_secrets_unseal(ctx->secrets, a, context, vals[i].value, &plain, &len)) {
                r->unreadable++;
                continue;
            }
            err = mq_secrets_seal(ctx->secrets, a, context, plain, len, &fresh);
            sodium_memzero(plain, len);
            if (!err)
                err =
                    mq_store_sealed_replace(db, col, vals[i].key, vals[i].value, fresh, &replaced);
            if (!err && replaced) r->resealed++;
        }
        if (n) snprintf(after, sizeof(after), "%s", vals[n - 1].key);
        err = mq_store_finish(db, err);
        mq_arena_free(a);
        if (err) return err;
        if (n < BATCH) return MQ_OK;
    }
}

/* Whether any sealed column still holds a value under key `kid`. */
static mq_err key_in_use(void *arg, const char *kid, bool *used)
{
    struct mq_db *db = arg;
    char prefix[MQ_SECRETS_PREFIX_LEN + 1];
    mq_err err = MQ_OK;
    *used = false;
    mq_secrets_prefix(kid, prefix);
    for (int c = 0; !err && !*used && c < MQ_SEALED_COLUMNS; c++) {
        int64_t count = 0;
        err = mq_store_sealed_count(db, (enum mq_sealed_column)c, prefix, &count);
        *used = count > 0;
    }
    return err;
}

mq_err mq_masterkey_rotate(struct mq_ctx *ctx, struct mq_masterkey_rotation *out)
{
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));

    /* 1. A new current key, the old ones kept to open what they sealed. */
    mq_err err = mq_secrets_make_current(ctx->secrets, out->kid);
    if (err) return err;
    mq_log_info(ctx->log, "secrets", "master key %s is now current", out->kid);

    /* 2. Everything re-sealed with it. */
    for (int c = 0; !err && c < MQ_SEALED_COLUMNS; c++)
        err = reseal_column(ctx, (enum mq_sealed_column)c, out->kid, out);
    if (err) return err;

    /* 3. Old keys that no value uses any more leave the file. A value
     * sealed since by an instance that had not read the new file yet keeps
     * its key alive until the next rotation. */
    err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_secrets_retire(ctx->secrets, key_in_use, db, &out->retired);
    return mq_store_finish(db, err);
}
