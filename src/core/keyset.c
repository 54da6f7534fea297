#include "core/keyset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Keys are few (one per request in flight) and short: a flat array, looked
 * over whole, beats any structure that would need its own allocations. */
struct mq_keyset {
    pthread_mutex_t lock;
    size_t max, n;
    char (*keys)[MQ_KEYSET_KEY_MAX + 1];
};

mq_err mq_keyset_new(size_t max, struct mq_keyset **out)
{
    struct mq_keyset *ks = calloc(1, sizeof(*ks));
    if (!ks) return MQ_ENOMEM;
    ks->max = max ? max : 1;
    ks->keys = calloc(ks->max, sizeof(*ks->keys));
    if (!ks->keys) {
        free(ks);
        return MQ_ENOMEM;
    }
    pthread_mutex_init(&ks->lock, NULL);
    *out = ks;
    return MQ_OK;
}

void mq_keyset_free(struct mq_keyset *ks)
{
    if (!ks) return;
    pthread_mutex_destroy(&ks->lock);
    free(ks->keys);
    free(ks);
}

static size_t find(const struct mq_keyset *ks, const char *key)
{
    for (size_t i = 0; i < ks->n; i++)
        if (!strcmp(ks->keys[i], key)) return i;
    return ks->n;
}

bool mq_keyset_claim(struct mq_keyset *ks, const char *key)
{
    size_t len = strlen(key);
    if (len > MQ_KEYSET_KEY_MAX) return false;
    pthread_mutex_lock(&ks->lock);
    bool ok = find(ks, key) == ks->n && ks->n < ks->max;
    if (ok) memcpy(ks->keys[ks->n++], key, len + 1);
    pthread_mutex_unlock(&ks->lock);
    return ok;
}

void mq_keyset_release(struct mq_keyset *ks, const char *key)
{
    pthread_mutex_lock(&ks->lock);
    size_t i = find(ks, key);
    if (i < ks->n) {
        ks->n--;
        if (i != ks->n) memcpy(ks->keys[i], ks->keys[ks->n], sizeof(ks->keys[i]));
    }
    pthread_mutex_unlock(&ks->lock);
}
