#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the in-memory store ------------------------------------------------- */

#define SHARDS 16

struct entry {
    struct entry *next;
    int64_t tat[MQ_RATE_MAX_RULES]; /* theoretical arrival time, in microseconds */
    int64_t idle_at_us;             /* when every rule has fully recovered */
    char key[];
};

struct shard {
    pthread_mutex_t lock;
    struct entry **buckets;
    size_t nbuckets;
    size_t count;
};

struct memory_limiter {
    struct mq_ratelimiter base; /* first */
    size_t max_per_shard;
    struct shard shards[SHARDS];
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Drops entries that have fully recovered; if none did and the shard is
 * full, the one that recovers first. */
static void make_room(struct shard *sh, int64_t now_us, size_t max)
{
    struct entry **victim = NULL;
    for (size_t b = 0; b < sh->nbuckets; b++) {
        struct entry **pp = &sh->buckets[b];
        while (*pp) {
            struct entry *e = *pp;
            if (e->idle_at_us <= now_us) {
                *pp = e->next;
                free(e);
                sh->count--;
                continue;
            }
            if (!victim || e->idle_at_us < (*victim)->idle_at_us) victim = pp;
            pp = &e->next;
        }
    }
    if (sh->count >= max && victim) {
        struct entry *e = *victim;
        *victim = e->next;
        free(e);
        sh->count--;
    }
}

static mq_err memory_hit(struct mq_ratelimiter *rl, const struct mq_rate_policy *policy,
                         const char *key, int64_t now_ms, struct mq_rate_result *out)
{
    struct memory_limiter *m = (struct memory_limiter *)rl;
    int64_t now = now_ms * 1000;
    char full[320];
    memset(out, 0, sizeof(*out));
    out->allowed = true;
    if (!policy->nrules) return MQ_OK;
    int n = snprintf(full, sizeof(full), "%s\x1f%s", policy->name, key);
    if (n < 0 || (size_t)n >= sizeof(full)) return MQ_EINVAL;

    uint64_t h = hash_key(full);
    struct shard *sh = &m->shards[h % SHARDS];
    pthread_mutex_lock(&sh->lock);
    struct entry *e = sh->buckets[(h / SHARDS) % sh->nbuckets];
    while (e && strcmp(e->key, full)) e = e->next;
    if (!e) {
        if (sh->count >= m->max_per_shard) make_room(sh, now, m->max_per_shard);
        e = calloc(1, sizeof(*e) + (size_t)n + 1);
        if (!e) {
            pthread_mutex_unlock(&sh->lock);
            return MQ_ENOMEM;
        }
        memcpy(e->key, full, (size_t)n + 1);
        size_t b = (h / SHARDS) % sh->nbuckets;
        e->next = sh->buckets[b];
        sh->buckets[b] = e;
        sh->count++;
    }

    /* Every rule must allow the request before any of them counts it. */
    int64_t new_tat[MQ_RATE_MAX_RULES] = {0}, remaining[MQ_RATE_MAX_RULES] = {0};
    int64_t used[MQ_RATE_MAX_RULES] = {0};
    for (int i = 0; i < policy->nrules; i++) {
        const struct mq_rate_rule *r = &policy->rules[i];
        int64_t window = r->window_ms * 1000, interval = window / r->limit;
        int64_t tat = e->tat[i] > now ? e->tat[i] : now;
        new_tat[i] = tat + interval;
        used[i] = new_tat[i] - now; /* how much of the window this request would fill */
        remaining[i] = used[i] <= window ? (window - used[i]) / interval : 0;
        if (used[i] > window) out->allowed = false;
    }
    /* Report the refusing rule that asks for the longest wait, or else the
     * rule closest to refusing. */
    int pick = 0;
    for (int i = 1; i < policy->nrules; i++) {
        int64_t wi = used[i] - policy->rules[i].window_ms * 1000;
        int64_t wp = used[pick] - policy->rules[pick].window_ms * 1000;
        if (out->allowed ? remaining[i] < remaining[pick] : wi > wp) pick = i;
    }
    out->limit = policy->rules[pick].limit;
    out->window_ms = policy->rules[pick].window_ms;
    out->remaining = out->allowed ? remaining[pick] : 0;
    out->reset_ms = (used[pick] + 999) / 1000;
    if (!out->allowed) out->retry_after_ms = (used[pick] - out->window_ms * 1000 + 999) / 1000;
    if (out->allowed) {
        int64_t idle = now;
        for (int i = 0; i < policy->nrules; i++) {
            e->tat[i] = new_tat[i];
            if (new_tat[i] > idle) idle = new_tat[i];
        }
        e->idle_at_us = idle;
    }
    pthread_mutex_unlock(&sh->lock);
    return MQ_OK;
}

static void memory_free(struct mq_ratelimiter *rl)
{
    struct memory_limiter *m = (struct memory_limiter *)rl;
    for (int s = 0; s < SHARDS; s++) {
        struct shard *sh = &m->shards[s];
        for (size_t b = 0; b < sh->nbuckets; b++) {
            struct entry *e = sh->buckets[b];
            while (e) {
                struct entry *next = e->next;
                free(e);
                e = next;
            }
        }
        free(sh->buckets);
        pthread_mutex_destroy(&sh->lock);
    }
    free(m);
}

static const struct mq_ratelimiter_ops memory_ops = {memory_hit, memory_free};

mq_err mq_ratelimiter_memory_new(size_t max_keys, struct mq_ratelimiter **out)
{
    struct memory_limiter *m = calloc(1, sizeof(*m));
    if (!m) return MQ_ENOMEM;
    m->base.ops = &memory_ops;
    m->max_per_shard = max_keys / SHARDS > 0 ? max_keys / SHARDS : 1;
    /* 1,024 buckets a shard: chains of a few entries when full, and only
     * 128 KiB of buckets in all, which calloc touches at once. */
    size_t nbuckets = 1024;
    for (int s = 0; s < SHARDS; s++) pthread_mutex_init(&m->shards[s].lock, NULL);
    for (int s = 0; s < SHARDS; s++) {
        m->shards[s].buckets = calloc(nbuckets, sizeof(*m->shards[s].buckets));
        if (!m->shards[s].buckets) {
            memory_free(&m->base);
            return MQ_ENOMEM;
        }
        m->shards[s].nbuckets = nbuckets;
    }
    *out = &m->base;
    return MQ_OK;
}
