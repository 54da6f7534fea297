#include "auth/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "store/keys.h"
#include "auth/conf.h"
#include "system/conf.h"

#define B64           sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAX_PUBLISHED 64
#define KEY_FILE      "signing-key.ed25519"
#define RELOAD_MS     100  /* a key another instance published is seen this fast */
#define SEED_CHECK_MS 1000 /* a key file rotated by `marquee keys rotate-signing` */
#define MAX_SIGNERS   16
#define LEEWAY_MS     60000 /* beyond the token lifetime, before an old key retires */

struct published {
    char kid[MQ_KID_LEN + 1];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    int64_t retired_at; /* 0 = current; else verifies tokens until then */
};

struct mq_keyring {
    struct mq_ctx *ctx;
    pthread_mutex_t lock;
    /* Append-only while running, so pointers handed out stay valid. */
    struct mq_signing_key signers[MAX_SIGNERS];
    atomic_int signer; /* index of the one that signs */
    struct published keys[MAX_PUBLISHED];
    int nkeys;
    int64_t last_reload_ms, last_seed_check_ms;
    struct stat seed_stat; /* of the key file when last read */
};

static void seed_path(const struct mq_ctx *ctx, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", mq_system_conf(ctx->cfg)->data_dir, KEY_FILE);
}

/* Reads the seed, or makes one: 32 bytes, base64url, in a 0600 file. */
static mq_err load_seed(struct mq_ctx *ctx, unsigned char seed[crypto_sign_SEEDBYTES])
{
    char path[4096], text[64];
    size_t len = 0;
    seed_path(ctx, path, sizeof(path));
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

static void remember(void *arg, const char *kid, const char *public_key, int64_t retired_at)
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
        if (!strcmp(kr->keys[i].kid, kid)) {
            kr->keys[i].retired_at = retired_at;
            return;
        }
    if (kr->nkeys == MAX_PUBLISHED) return;
    memcpy(kr->keys[kr->nkeys].kid, kid, MQ_KID_LEN + 1);
    memcpy(kr->keys[kr->nkeys].pk, pk, sizeof(pk));
    kr->keys[kr->nkeys].retired_at = retired_at;
    kr->nkeys++;
}

/* With kr->lock held. */
static mq_err reload(struct mq_keyring *kr)
{
    struct mq_db *db = NULL;
    kr->last_reload_ms = mq_clock_now_ms(kr->ctx->clock);
    mq_err err = mq_store_begin(kr->ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, mq_store_key_list_live(db, kr->last_reload_ms, remember, kr));
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
    char path[4096];
    seed_path(ctx, path, sizeof(path));
    mq_err err = load_seed(ctx, seed);
    if (!err && stat(path, &kr->seed_stat) != 0) err = MQ_EIO;
    if (!err) {
        const struct mq_signing_key *signer = &kr->signers[0];
        mq_signing_key_from_seed(seed, &kr->signers[0]);
        sodium_memzero(seed, sizeof(seed));
        sodium_bin2base64(x, sizeof(x), signer->pk, sizeof(signer->pk), B64);
        err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
        if (!err)
            err = mq_store_finish(
                db, mq_store_key_publish(db, signer->kid, x, mq_clock_now_ms(ctx->clock)));
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
    sodium_memzero(kr->signers, sizeof(kr->signers));
    pthread_mutex_destroy(&kr->lock);
    free(kr);
}

/* With kr->lock held: the key file was replaced (rotate-signing), so the
 * new key signs from now on. The rotating command published it already. */
static void check_seed(struct mq_keyring *kr)
{
    char path[4096];
    unsigned char seed[crypto_sign_SEEDBYTES];
    struct stat st;
    int64_t now = mq_clock_now_ms(kr->ctx->clock);
    if (now - kr->last_seed_check_ms < SEED_CHECK_MS) return;
    kr->last_seed_check_ms = now;
    seed_path(kr->ctx, path, sizeof(path));
    if (stat(path, &st) != 0 ||
        (st.st_ino == kr->seed_stat.st_ino && st.st_mtim.tv_sec == kr->seed_stat.st_mtim.tv_sec &&
         st.st_mtim.tv_nsec == kr->seed_stat.st_mtim.tv_nsec))
        return;
    int next = atomic_load(&kr->signer) + 1;
    if (next == MAX_SIGNERS || load_seed(kr->ctx, seed)) return;
    mq_signing_key_from_seed(seed, &kr->signers[next]);
    sodium_memzero(seed, sizeof(seed));
    kr->seed_stat = st;
    atomic_store(&kr->signer, next);
    mq_log_info(kr->ctx->log, "keys", "signing tokens with key %s from now on",
                kr->signers[next].kid);
}

const struct mq_signing_key *mq_keyring_signer(struct mq_keyring *kr)
{
    pthread_mutex_lock(&kr->lock);
    check_seed(kr);
    pthread_mutex_unlock(&kr->lock);
    return &kr->signers[atomic_load(&kr->signer)];
}

mq_err mq_keyring_rotate(struct mq_ctx *ctx, char old_kid[MQ_KID_LEN + 1],
                         char new_kid[MQ_KID_LEN + 1])
{
    char path[4096], text[64], x[64];
    unsigned char seed[crypto_sign_SEEDBYTES];
    struct mq_signing_key old, fresh;
    struct mq_db *db = NULL;
    seed_path(ctx, path, sizeof(path));
    mq_err err = load_seed(ctx, seed);
    if (err) return err;
    mq_signing_key_from_seed(seed, &old);
    mq_rng_fill(ctx->rng, seed, sizeof(seed));
    mq_signing_key_from_seed(seed, &fresh);
    sodium_bin2base64(text, sizeof(text), seed, sizeof(seed), B64);
    sodium_memzero(seed, sizeof(seed));
    memcpy(old_kid, old.kid, MQ_KID_LEN + 1);
    memcpy(new_kid, fresh.kid, MQ_KID_LEN + 1);
    sodium_bin2base64(x, sizeof(x), fresh.pk, sizeof(fresh.pk), B64);
    sodium_memzero(&old, sizeof(old));
    sodium_memzero(&fresh, sizeof(fresh));

    /* Published before the file changes: a token the server signs with the
     * new key must verify everywhere at once. */
    int64_t now = mq_clock_now_ms(ctx->clock);
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_key_publish(db, new_kid, x, now);
    /* Tokens signed with the old key stay good until they expire. */
    if (!err)
        err = mq_store_key_retire(db, old_kid,
                                  now + mq_auth_conf(ctx->cfg)->access_token_ttl + LEEWAY_MS);
    if (!err) {
        size_t n = strlen(text);
        text[n++] = '\n';
        err = mq_file_replace(path, text, n, 0600);
        if (err) mq_log_error(ctx->log, "keys", "cannot write %s: %s", path, strerror(errno));
    }
    sodium_memzero(text, sizeof(text));
    /* If the file could not be written, nothing is published either. */
    return mq_store_finish(db, err);
}

const unsigned char *mq_keyring_public(void *arg, const char *kid)
{
    struct mq_keyring *kr = arg;
    const unsigned char *pk = NULL;
    pthread_mutex_lock(&kr->lock);
    for (int pass = 0; pass < 2 && !pk; pass++) {
        int64_t now = mq_clock_now_ms(kr->ctx->clock);
        for (int i = 0; i < kr->nkeys && !pk; i++)
            if (!strcmp(kr->keys[i].kid, kid) &&
                (!kr->keys[i].retired_at || kr->keys[i].retired_at > now))
                pk = kr->keys[i].pk;
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
    int64_t now = mq_clock_now_ms(kr->ctx->clock);
    if (now - kr->last_reload_ms >= RELOAD_MS) (void)reload(kr);
    for (int i = 0; keys && i < kr->nkeys; i++) {
        if (kr->keys[i].retired_at && kr->keys[i].retired_at <= now) continue;
        sodium_bin2base64(x, sizeof(x), kr->keys[i].pk, sizeof(kr->keys[i].pk), B64);
        json_array_append_new(keys, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "OKP", "crv",
                                              "Ed25519", "x", x, "kid", kr->keys[i].kid, "use",
                                              "sig", "alg", "EdDSA"));
    }
    pthread_mutex_unlock(&kr->lock);
    *out = keys ? json_pack("{s:o}", "keys", keys) : NULL;
    return *out ? MQ_OK : MQ_ENOMEM;
}
