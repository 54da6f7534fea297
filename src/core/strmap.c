#include "core/strmap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    const char *key; /* NULL = empty */
    size_t len;
    uint64_t hash;
    int64_t value;
};

struct mq_strmap {
    struct slot *slots;
    size_t cap, count; /* cap: a power of two */
    unsigned char key[crypto_shorthash_KEYBYTES];
};

static uint64_t hash_of(const struct mq_strmap *m, const char *key, size_t len)
{
    unsigned char out[crypto_shorthash_BYTES];
    uint64_t h;
    crypto_shorthash(out, (const unsigned char *)key, len, m->key);
    memcpy(&h, out, sizeof(h));
    return h;
}

mq_err mq_strmap_new(size_t hint, struct mq_strmap **out)
{
    struct mq_strmap *m = calloc(1, sizeof(*m));
    if (!m) return MQ_ENOMEM;
    m->cap = 16;
    while (m->cap < hint * 2) m->cap <<= 1;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    if (!m->slots) {
        free(m);
        return MQ_ENOMEM;
    }
    crypto_shorthash_keygen(m->key);
    *out = m;
    return MQ_OK;
}

void mq_strmap_free(struct mq_strmap *m)
{
    if (!m) return;
    free(m->slots);
    free(m);
}

static struct slot *find(struct slot *slots, size_t cap, const char *key, size_t len, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        struct slot *s = &slots[i];
        if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len))) return s;
    }
}

int64_t mq_strmap_get(const struct mq_strmap *m, const char *key, size_t len)
{
    struct slot *s = find(m->slots, m->cap, key, len, hash_of(m, key, len));
    return s->key ? s->value : -1;
}

static mq_err grow(struct mq_strmap *m)
{
    size_t cap = m->cap * 2;
    struct slot *slots = calloc(cap, sizeof(*slots));
    if (!slots) return MQ_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find(slots, cap, m->slots[i].key, m->slots[i].len, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return MQ_OK;
}

mq_err mq_strmap_put(struct mq_strmap *m, const char *key, size_t len, int64_t value)
{
    if ((m->count + 1) * 2 > m->cap) {
        mq_err err = grow(m);
        if (err) return err;
    }
    uint64_t h = hash_of(m, key, len);
    struct slot *s = find(m->slots, m->cap, key, len, h);
    if (!s->key) {
        *s = (struct slot){key, len, h, value};
        m->count++;
    } else {
        s->value = value;
    }
    return MQ_OK;
}

size_t mq_strmap_count(const struct mq_strmap *m)
{
    return m->count;
}
