/* freq.c - word counts remembered for a few seconds (freq.h). */
#include "search/freq.h"

#include <string.h>

void mq_freq_init(struct mq_freq_cache *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
}

void mq_freq_cleanup(struct mq_freq_cache *c)
{
    pthread_mutex_destroy(&c->mu);
}

/* FNV-1a over the word, the prefix flag mixed in. */
static size_t slot_of(const char *word, bool prefix)
{
    uint32_t h = 2166136261u ^ (prefix ? 0x9e3779b9u : 0);
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) h = (h ^ *p) * 16777619u;
    return h % MQ_FREQ_SLOTS;
}

bool mq_freq_get(struct mq_freq_cache *c, const char *word, bool prefix, uint64_t now_ns,
                 int64_t *docs, int64_t *total, uint64_t *gen)
{
    if (strlen(word) >= MQ_FREQ_WORD_MAX) {
        *gen = UINT64_MAX;
        return false;
    }
    const struct mq_freq_slot *s = &c->slot[slot_of(word, prefix)];
    pthread_mutex_lock(&c->mu);
    bool hit = s->used && s->gen == c->gen && s->prefix == prefix && !strcmp(s->word, word) &&
               now_ns - s->at_ns < MQ_FREQ_TTL_NS;
    if (hit) {
        *docs = s->docs;
        *total = s->total;
    }
    *gen = c->gen;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void mq_freq_put(struct mq_freq_cache *c, const char *word, bool prefix, uint64_t now_ns,
                 int64_t docs, int64_t total, uint64_t gen)
{
    if (gen == UINT64_MAX || strlen(word) >= MQ_FREQ_WORD_MAX) return;
    struct mq_freq_slot *s = &c->slot[slot_of(word, prefix)];
    pthread_mutex_lock(&c->mu);
    if (gen == c->gen) {
        memcpy(s->word, word, strlen(word) + 1);
        s->prefix = prefix;
        s->used = true;
        s->docs = docs;
        s->total = total;
        s->at_ns = now_ns;
        s->gen = gen;
    }
    pthread_mutex_unlock(&c->mu);
}

void mq_freq_forget(struct mq_freq_cache *c)
{
    pthread_mutex_lock(&c->mu);
    c->gen++;
    pthread_mutex_unlock(&c->mu);
}
