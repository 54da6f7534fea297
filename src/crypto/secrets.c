#include "crypto/secrets.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

#define B64       sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAGIC     "mqs1."
#define MAX_KEYS  16
#define KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE     crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG       crypto_aead_xchacha20poly1305_ietf_ABYTES
#define MAX_PLAIN 4096
#define LINE_MAX_ (MQ_SECRETS_KID_LEN + 1 + 64)

struct key {
    char kid[MQ_SECRETS_KID_LEN + 1];
    unsigned char bytes[KEY_BYTES];
};

struct mq_secrets {
    const struct mq_log *log;
    const struct mq_rng *rng;
    char path[4096];
    pthread_mutex_t lock;
    struct key keys[MAX_KEYS]; /* keys[0] is current */
    int nkeys;
    struct timespec mtime; /* of the file as last read */
    ino_t ino;
};

static bool kid_valid(const char *kid)
{
    if (strlen(kid) != MQ_SECRETS_KID_LEN) return false;
    for (const char *p = kid; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

/* Reads the file into s->keys. Caller holds the lock (or owns s). */
static mq_err read_keys(struct mq_secrets *s)
{
    char line[LINE_MAX_ + 8];
    struct key keys[MAX_KEYS];
    int n = 0;
    mq_err err = MQ_OK;
    struct stat st;
    FILE *f = fopen(s->path, "re");
    if (!f) return errno == ENOENT ? MQ_ENOTFOUND : MQ_EIO;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
        mq_log_warn(s->log, "secrets", "%s was readable by others; now 0600", s->path);
        (void)fchmod(fileno(f), 0600);
    }
    while (!err && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        char *sp = strchr(line, ' ');
        size_t len = 0;
        if (n == MAX_KEYS || !sp) {
            err = MQ_EINVAL;
            break;
        }
        *sp = '\0';
        if (!kid_valid(line) ||
            sodium_base642bin(keys[n].bytes, KEY_BYTES, sp + 1, strlen(sp + 1), NULL, &len, NULL,
                              B64) ||
            len != KEY_BYTES) {
            err = MQ_EINVAL;
            break;
        }
        memcpy(keys[n].kid, line, MQ_SECRETS_KID_LEN + 1);
        n++;
    }
    fclose(f);
    sodium_memzero(line, sizeof(line));
    if (!err && n == 0) err = MQ_EINVAL;
    if (err) {
        mq_log_error(s->log, "secrets", "%s is not a master key file (\"KID KEY\" lines)", s->path);
    } else {
        memcpy(s->keys, keys, sizeof(keys));
        s->nkeys = n;
        s->mtime = st.st_mtim;
        s->ino = st.st_ino;
    }
    sodium_memzero(keys, sizeof(keys));
    return err;
}

/* Writes keys[0..n) to the file, atomically (a temporary file renamed). */
static mq_err write_keys(struct mq_secrets *s, const struct key *keys, int n)
{
    char text[MAX_KEYS * (LINE_MAX_ + 2)], b64[64];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        sodium_bin2base64(b64, sizeof(b64), keys[i].bytes, KEY_BYTES, B64);
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %s\n", keys[i].kid, b64);
    }
    mq_err err = mq_file_replace(s->path, text, len, 0600);
    if (err) mq_log_error(s->log, "secrets", "cannot write %s: %s", s->path, strerror(errno));
    sodium_memzero(text, sizeof(text));
    sodium_memzero(b64, sizeof(b64));
    return err ? err : read_keys(s);
}

static void new_key(struct mq_secrets *s, struct key *k)
{
    unsigned char id[MQ_SECRETS_KID_LEN / 2];
    mq_rng_fill(s->rng, id, sizeof(id));
    sodium_bin2hex(k->kid, sizeof(k->kid), id, sizeof(id));
    mq_rng_fill(s->rng, k->bytes, KEY_BYTES);
}

mq_err mq_secrets_open(const char *path, const struct mq_log *log, const struct mq_rng *rng,
                       struct mq_secrets **out)
{
    struct mq_secrets *s = calloc(1, sizeof(*s));
    if (!s) return MQ_ENOMEM;
    s->log = log;
    s->rng = rng;
    if ((size_t)snprintf(s->path, sizeof(s->path), "%s", path) >= sizeof(s->path)) {
        free(s);
        return MQ_EINVAL;
    }
    pthread_mutex_init(&s->lock, NULL);
    (void)sodium_mlock(s->keys, sizeof(s->keys));
    mq_err err = read_keys(s);
    if (err == MQ_ENOTFOUND) {
        struct key k;
        new_key(s, &k);
        err = write_keys(s, &k, 1);
        sodium_memzero(&k, sizeof(k));
        if (!err) mq_log_info(log, "secrets", "made a new master key in %s", s->path);
    }
    if (err) {
        mq_secrets_free(s);
        return err;
    }
    *out = s;
    return MQ_OK;
}

void mq_secrets_free(struct mq_secrets *s)
{
    if (!s) return;
    sodium_munlock(s->keys, sizeof(s->keys)); /* also wipes them */
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Reads the file again if it changed since (another instance rotated). */
static void refresh_locked(struct mq_secrets *s)
{
    struct stat st;
    if (stat(s->path, &st) != 0) return;
    if (st.st_ino == s->ino && st.st_mtim.tv_sec == s->mtime.tv_sec &&
        st.st_mtim.tv_nsec == s->mtime.tv_nsec)
        return;
    if (read_keys(s) == MQ_OK) mq_log_info(s->log, "secrets", "read %s again", s->path);
}

static void aad(char *out, size_t len, const char *kid, const char *context)
{
    snprintf(out, len, MAGIC "%s|%s", kid, context);
}

static mq_err seal_with(const struct key *k, const struct mq_rng *rng, struct mq_arena *a,
                        const char *context, const void *plain, size_t len, char **sealed)
{
    unsigned char buf[NONCE + MAX_PLAIN + TAG];
    char ad[256];
    unsigned long long clen = 0;
    if (len > MAX_PLAIN) return MQ_ETOOBIG;
    aad(ad, sizeof(ad), k->kid, context);
    mq_rng_fill(rng, buf, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        buf + NONCE, &clen, plain, len, (const unsigned char *)ad, strlen(ad), NULL, buf, k->bytes);
    size_t blen = sodium_base64_ENCODED_LEN(NONCE + clen, B64);
    size_t head = strlen(MAGIC) + MQ_SECRETS_KID_LEN + 1;
    char *text = mq_arena_alloc(a, head + blen);
    if (!text) return MQ_ENOMEM;
    snprintf(text, head + 1, MAGIC "%s.", k->kid);
    sodium_bin2base64(text + head, blen, buf, NONCE + clen, B64);
    *sealed = text;
    return MQ_OK;
}

mq_err mq_secrets_seal(struct mq_secrets *s, struct mq_arena *a, const char *context,
                       const void *plain, size_t len, char **sealed)
{
    struct key k;
    pthread_mutex_lock(&s->lock);
    refresh_locked(s);
    k = s->keys[0];
    pthread_mutex_unlock(&s->lock);
    mq_err err = seal_with(&k, s->rng, a, context, plain, len, sealed);
    sodium_memzero(&k, sizeof(k));
    return err;
}

/* Finds the key a sealed text names; reads the file again once when the
 * kid is new to this instance. */
static bool find_key(struct mq_secrets *s, const char *kid, struct key *out)
{
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (int pass = 0; pass < 2 && !found; pass++) {
        if (pass) refresh_locked(s);
        for (int i = 0; i < s->nkeys && !found; i++)
            if (!strcmp(s->keys[i].kid, kid)) {
                *out = s->keys[i];
                found = true;
            }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

mq_err mq_secrets_unseal(struct mq_secrets *s, struct mq_arena *a, const char *context,
                         const char *sealed, unsigned char **plain, size_t *len)
{
    char kid[MQ_SECRETS_KID_LEN + 1], ad[256];
    unsigned char buf[NONCE + MAX_PLAIN + TAG];
    size_t blen = 0, head = strlen(MAGIC) + MQ_SECRETS_KID_LEN + 1;
    unsigned long long plen = 0;
    struct key k;
    if (!sealed || strncmp(sealed, MAGIC, strlen(MAGIC)) || strlen(sealed) <= head ||
        sealed[head - 1] != '.')
        return MQ_EPERM;
    memcpy(kid, sealed + strlen(MAGIC), MQ_SECRETS_KID_LEN);
    kid[MQ_SECRETS_KID_LEN] = '\0';
    if (!kid_valid(kid)) return MQ_EPERM;
    if (sodium_base642bin(buf, sizeof(buf), sealed + head, strlen(sealed + head), NULL, &blen, NULL,
                          B64) ||
        blen < NONCE + TAG)
        return MQ_EPERM;
    if (!find_key(s, kid, &k)) {
        mq_log_error(s->log, "secrets", "a secret is sealed with key %s, which %s lacks", kid,
                     s->path);
        return MQ_EPERM;
    }
    unsigned char *out = mq_arena_alloc(a, blen - NONCE - TAG + 1);
    if (!out) {
        sodium_memzero(&k, sizeof(k));
        return MQ_ENOMEM;
    }
    aad(ad, sizeof(ad), kid, context);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL, buf + NONCE, blen - NONCE,
                                                        (const unsigned char *)ad, strlen(ad), buf,
                                                        k.bytes);
    sodium_memzero(&k, sizeof(k));
    sodium_memzero(buf, sizeof(buf));
    if (rc != 0) return MQ_EPERM;
    out[plen] = '\0';
    *plain = out;
    *len = (size_t)plen;
    return MQ_OK;
}

mq_err mq_secrets_make_current(struct mq_secrets *s, char kid[MQ_SECRETS_KID_LEN + 1])
{
    struct key keys[MAX_KEYS];
    pthread_mutex_lock(&s->lock);
    refresh_locked(s);
    int n = s->nkeys < MAX_KEYS ? s->nkeys : MAX_KEYS - 1;
    new_key(s, &keys[0]);
    memcpy(&keys[1], s->keys, (size_t)n * sizeof(struct key));
    mq_err err = write_keys(s, keys, n + 1);
    if (!err) memcpy(kid, s->keys[0].kid, MQ_SECRETS_KID_LEN + 1);
    pthread_mutex_unlock(&s->lock);
    sodium_memzero(keys, sizeof(keys));
    return err;
}

void mq_secrets_prefix(const char *kid, char out[MQ_SECRETS_PREFIX_LEN + 1])
{
    snprintf(out, MQ_SECRETS_PREFIX_LEN + 1, MAGIC "%s.", kid);
}

mq_err mq_secrets_retire(struct mq_secrets *s, mq_secrets_in_use_fn in_use, void *arg, int *retired)
{
    struct key keys[MAX_KEYS];
    mq_err err = MQ_OK;
    int kept = 0;
    *retired = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; !err && i < s->nkeys; i++) {
        bool used = i == 0;
        if (!used) err = in_use(arg, s->keys[i].kid, &used);
        if (used) keys[kept++] = s->keys[i];
    }
    if (!err && kept < s->nkeys) {
        *retired = s->nkeys - kept;
        err = write_keys(s, keys, kept);
    }
    pthread_mutex_unlock(&s->lock);
    sodium_memzero(keys, sizeof(keys));
    return err;
}
