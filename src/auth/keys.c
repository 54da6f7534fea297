#include "auth/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/keys.h"

#define B64           sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAX_PUBLISHED 64
#define KEY_FILE      "signing-key.ed25519"
#define RELOAD_MS     100 /* a key another instance published is seen this fast */

struct published {
    char kid[MQ_KID_LEN + 1];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

struct mq_keyring {
    struct mq_ctx *ctx;
    struct mq_signing_key signer;
    pthread_mutex_t lock;
    /* Append-only while running, so pointers handed out stay valid. */
    struct published keys[MAX_PUBLISHED];
    int nkeys;
    int64_t last_reload_ms;
};

/* Reads the seed, or makes one: 32 bytes, base64url, in a 0600 file. */
static mq_err load_seed(struct mq_ctx *ctx, unsigned char seed[crypto_sign_SEEDBYTES])
{
    char path[4096], text[64];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/%s", ctx->cfg->data_dir, KEY_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        ssize_t n = read(fd, text, sizeof(text) - 1);
        if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
            mq_log_warn(ctx->log, "keys", "%s was readable by others; now 0600", path);
            fchmod(fd, 0600);
        }
        close(fd);
        if (n <= 0) return MQ_EIO;
        text[n] = '\0';
        text[strcspn(text, "\r\n")] = '\0';
        if (sodium_base642bin(seed, crypto_sign_SEEDBYTES, text, strlen(text), NULL, &len, NULL,
                              B64) ||
            len != crypto_sign_SEEDBYTES) {
            mq_log_error(ctx->log, "keys", "%s is not a signing key", path);
            return MQ_EINVAL;
        }
        sodium_memzero(text, sizeof(text));
        return MQ_OK;
    }
    if (errno != ENOENT) return MQ_EIO;
    mq_rng_fill(ctx->rng, seed, crypto_sign_SEEDBYTES);
    sodium_bin2base64(text, sizeof(text), seed, crypto_sign_SEEDBYTES, B64);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        mq_log_error(ctx->log, "keys", "cannot create %s: %s", path, strerror(errno));
        return MQ_EIO;
    }
    size_t n = strlen(text);
    text[n++] = '\n';
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    sodium_memzero(text, sizeof(text));
    if (!ok) {
        unlink(path);
        return MQ_EIO;
    }
    mq_log_info(ctx->log, "keys", "made a new token-signing key in %s", path);
    return MQ_OK;
}

static void remember(void *arg, const char *kid, const char *public_key)
{
    struct mq_keyring *kr = arg;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    size_t len = 0;
    if (strlen(kid) != MQ_KID_LEN ||
        sodium_base642bin(pk, sizeof(pk), public_key, strlen(public_key), NULL, &len, NULL, B64) ||
        len != sizeof(pk))
        return;
    char thumb[MQ_KID_LEN + 1];
    mq_jwk_thumbprint(pk, thumb);
    if (strcmp(thumb, kid)) return; /* a kid must name its own key */
    for (int i = 0; i < kr->nkeys; i++)
        if (!strcmp(kr->keys[i].kid, kid)) return;
    if (kr->nkeys == MAX_PUBLISHED) return;
    memcpy(kr->keys[kr->nkeys].kid, kid, MQ_KID_LEN + 1);
    memcpy(kr->keys[kr->nkeys].pk, pk, sizeof(pk));
    kr->nkeys++;
}

/* With kr->lock held. */
static mq_err reload(struct mq_keyring *kr)
{
    struct mq_db *db = NULL;
    kr->last_reload_ms = mq_clock_now_ms(kr->ctx->clock);
    mq_err err = mq_store_begin(kr->ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, mq_store_key_list(db, remember, kr));
}

mq_err mq_keyring_open(struct mq_ctx *ctx, struct mq_keyring **out)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    char x[64];
    struct mq_db *db = NULL;
    struct mq_keyring *kr = calloc(1, sizeof(*kr));
    if (!kr) return MQ_ENOMEM;
    kr->ctx = ctx;
    pthread_mutex_init(&kr->lock, NULL);
    mq_err err = load_seed(ctx, seed);
    if (!err) {
        mq_signing_key_from_seed(seed, &kr->signer);
        sodium_memzero(seed, sizeof(seed));
        sodium_bin2base64(x, sizeof(x), kr->signer.pk, sizeof(kr->signer.pk), B64);
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err)
            err = mq_store_finish(
                db, mq_store_key_publish(db, kr->signer.kid, x, mq_clock_now_ms(ctx->clock)));
    }
    if (!err) err = reload(kr);
    if (err) {
        mq_keyring_free(kr);
        return err;
    }
    *out = kr;
    return MQ_OK;
}

void mq_keyring_free(struct mq_keyring *kr)
{
    if (!kr) return;
    sodium_memzero(&kr->signer, sizeof(kr->signer));
    pthread_mutex_destroy(&kr->lock);
    free(kr);
}

const struct mq_signing_key *mq_keyring_signer(const struct mq_keyring *kr)
{
    return &kr->signer;
}

const unsigned char *mq_keyring_public(void *arg, const char *kid)
{
    struct mq_keyring *kr = arg;
    const unsigned char *pk = NULL;
    pthread_mutex_lock(&kr->lock);
    for (int pass = 0; pass < 2 && !pk; pass++) {
        for (int i = 0; i < kr->nkeys && !pk; i++)
            if (!strcmp(kr->keys[i].kid, kid)) pk = kr->keys[i].pk;
        if (pk || pass) break;
        /* Only kids shaped like thumbprints, and at most ten reloads a
         * second: garbage tokens must not become database load. */
        if (strlen(kid) != MQ_KID_LEN) break;
        if (mq_clock_now_ms(kr->ctx->clock) - kr->last_reload_ms < RELOAD_MS) break;
        if (reload(kr)) break;
    }
    pthread_mutex_unlock(&kr->lock);
    return pk;
}

mq_err mq_keyring_jwks(struct mq_keyring *kr, json_t **out)
{
    json_t *keys = json_array();
    char x[64];
    pthread_mutex_lock(&kr->lock);
    if (mq_clock_now_ms(kr->ctx->clock) - kr->last_reload_ms >= RELOAD_MS) (void)reload(kr);
    for (int i = 0; keys && i < kr->nkeys; i++) {
        sodium_bin2base64(x, sizeof(x), kr->keys[i].pk, sizeof(kr->keys[i].pk), B64);
        json_array_append_new(keys, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "OKP", "crv",
                                              "Ed25519", "x", x, "kid", kr->keys[i].kid, "use",
                                              "sig", "alg", "EdDSA"));
    }
    pthread_mutex_unlock(&kr->lock);
    *out = keys ? json_pack("{s:o}", "keys", keys) : NULL;
    return *out ? MQ_OK : MQ_ENOMEM;
}
