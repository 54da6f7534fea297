#include "core/cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS      16
#define DIGEST_SIZE 32

struct slot {
    unsigned char digest[DIGEST_SIZE];
    int64_t tag;
    bool used;
    /* value_size bytes follow, at the slot's end */
};

struct shard {
    pthread_mutex_t lock;
    unsigned char *slots;
};

struct mq_cache {
    size_t per_shard;  /* slots a shard, a power of two */
    size_t value_size; /* bytes of a value */
    size_t stride;     /* bytes of a slot with its value */
    unsigned char *all;
    struct shard shards[SHARDS];
};

mq_err mq_cache_new(size_t entries, size_t value_size, struct mq_cache **out)
{
    size_t per = 1;
    while (per * SHARDS < entries) per <<= 1;
    struct mq_cache *c = calloc(1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    c->per_shard = per;
    c->value_size = value_size;
    c->stride = (sizeof(struct slot) + value_size + 7) & ~(size_t)7;
    /* One calloc, large enough to be its own zeroed mapping: one per shard
     * would come from the heap and be zeroed by hand (bench/README.md). */
    c->all = calloc(per * SHARDS, c->stride);
    if (!c->all) {
        free(c);
        return MQ_ENOMEM;
    }
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&c->shards[i].lock, NULL);
        c->shards[i].slots = c->all + (size_t)i * per * c->stride;
    }
    *out = c;
    return MQ_OK;
}

void mq_cache_free(struct mq_cache *c)
{
    if (!c) return;
    for (int i = 0; i < SHARDS; i++) pthread_mutex_destroy(&c->shards[i].lock);
    free(c->all);
    free(c);
}

static struct slot *slot_of(struct mq_cache *c, const unsigned char digest[DIGEST_SIZE],
                            struct shard **shard)
{
    uint64_t h;
    memcpy(&h, digest, sizeof(h));
    *shard = &c->shards[h % SHARDS];
    /* The stride is rounded up to 8 bytes (mq_cache_new), the slot's alignment. */
    return (struct slot *)(void *)((*shard)->slots +
                                   ((h / SHARDS) & (c->per_shard - 1)) * c->stride);
}

static unsigned char *value_of(struct slot *s)
{
    return (unsigned char *)(s + 1);
}

bool mq_cache_get(struct mq_cache *c, const void *key, size_t keylen, void *value, int64_t *tag)
{
    unsigned char digest[DIGEST_SIZE];
    struct shard *shard;
    bool hit;
    crypto_generichash(digest, sizeof(digest), key, keylen, NULL, 0);
    struct slot *s = slot_of(c, digest, &shard);
    pthread_mutex_lock(&shard->lock);
    hit = s->used && !sodium_memcmp(s->digest, digest, sizeof(digest));
    if (hit) {
        memcpy(value, value_of(s), c->value_size);
        *tag = s->tag;
    }
    pthread_mutex_unlock(&shard->lock);
    return hit;
}

void mq_cache_put(struct mq_cache *c, const void *key, size_t keylen, const void *value, size_t len,
                  int64_t tag)
{
    unsigned char digest[DIGEST_SIZE];
    struct shard *shard;
    if (len > c->value_size) return;
    crypto_generichash(digest, sizeof(digest), key, keylen, NULL, 0);
    struct slot *s = slot_of(c, digest, &shard);
    pthread_mutex_lock(&shard->lock);
    memcpy(s->digest, digest, sizeof(digest));
    s->tag = tag;
    s->used = true;
    memcpy(value_of(s), value, len);
    memset(value_of(s) + len, 0, c->value_size - len);
    pthread_mutex_unlock(&shard->lock);
}
