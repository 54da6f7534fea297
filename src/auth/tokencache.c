#include "auth/tokencache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS  16
#define ID_SIZE 37 /* a UUID and its NUL */

struct entry {
    unsigned char digest[32];
    int64_t good_until; /* 0 = empty */
    char sub[ID_SIZE], sid[ID_SIZE];
};

struct shard {
    pthread_mutex_t lock;
    struct entry *slots;
};

struct mq_token_cache {
    size_t per_shard;  /* a power of two */
    struct entry *all; /* SHARDS * per_shard slots, shard i from i * per_shard */
    struct shard shards[SHARDS];
};

mq_err mq_token_cache_new(size_t entries, struct mq_token_cache **out)
{
    size_t per = 1;
    while (per * SHARDS < entries) per <<= 1;
    struct mq_token_cache *c = calloc(1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->per_shard = per;
    /* One calloc, large enough to be its own zeroed mapping: pages no token
     * lands on stay out of RSS (one calloc per shard came from the heap and
     * was zeroed by hand: 450 KB resident at start). */
    c->all = calloc(per * SHARDS, sizeof(struct entry));
    if (!c->all) {
        free(c);
        return MQ_ENOMEM;
    }
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&c->shards[i].lock, NULL);
        c->shards[i].slots = c->all + (size_t)i * per;
    }
    *out = c;
    return MQ_OK;
}

void mq_token_cache_free(struct mq_token_cache *c)
{
    if (!c) return;
    for (int i = 0; i < SHARDS; i++) pthread_mutex_destroy(&c->shards[i].lock);
    free(c->all);
    free(c);
}

static struct entry *slot_of(struct mq_token_cache *c, const unsigned char digest[32],
                             struct shard **shard)
{
    uint64_t h;
    memcpy(&h, digest, sizeof(h));
    *shard = &c->shards[h % SHARDS];
    return &(*shard)->slots[(h / SHARDS) & (c->per_shard - 1)];
}

static void digest_of(const char *token, unsigned char digest[32])
{
    crypto_generichash(digest, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

bool mq_token_cache_get(struct mq_token_cache *c, struct mq_arena *a, const char *token,
                        int64_t now_ms, const char **sub, const char **sid)
{
    unsigned char digest[32];
    struct shard *shard;
    char s[ID_SIZE], d[ID_SIZE];
    bool hit = false;
    digest_of(token, digest);
    struct entry *e = slot_of(c, digest, &shard);
    pthread_mutex_lock(&shard->lock);
    if (e->good_until > now_ms && !sodium_memcmp(e->digest, digest, sizeof(digest))) {
        memcpy(s, e->sub, sizeof(s));
        memcpy(d, e->sid, sizeof(d));
        hit = true;
    }
    pthread_mutex_unlock(&shard->lock);
    if (!hit) return false;
    *sub = mq_arena_strdup(a, s);
    *sid = mq_arena_strdup(a, d);
    return *sub && *sid;
}

void mq_token_cache_put(struct mq_token_cache *c, const char *token, const char *sub,
                        const char *sid, int64_t good_until_ms)
{
    unsigned char digest[32];
    struct shard *shard;
    if (strlen(sub) >= ID_SIZE || strlen(sid) >= ID_SIZE) return;
    digest_of(token, digest);
    struct entry *e = slot_of(c, digest, &shard);
    pthread_mutex_lock(&shard->lock);
    memcpy(e->digest, digest, sizeof(digest));
    e->good_until = good_until_ms;
    memcpy(e->sub, sub, strlen(sub) + 1);
    memcpy(e->sid, sid, strlen(sid) + 1);
    pthread_mutex_unlock(&shard->lock);
}
