#include "auth/tokencache.h"

#include <stdlib.h>
#include <string.h>

#include "core/cache.h"

#define ID_SIZE 37 /* a UUID and its NUL */

/* What a verification established, as a cache value. */
struct verified {
    char sub[ID_SIZE], sid[ID_SIZE];
};

struct mq_token_cache {
    struct mq_cache *cache;
};

mq_err mq_token_cache_new(size_t entries, struct mq_token_cache **out)
{
    struct mq_token_cache *c = calloc(1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    mq_err err = mq_cache_new(entries, sizeof(struct verified), &c->cache);
    if (err) {
        free(c);
        return err;
    }
    *out = c;
    return MQ_OK;
}

void mq_token_cache_free(struct mq_token_cache *c)
{
    if (!c) return;
    mq_cache_free(c->cache);
    free(c);
}

bool mq_token_cache_get(struct mq_token_cache *c, struct mq_arena *a, const char *token,
                        int64_t now_ms, const char **sub, const char **sid)
{
    struct verified v;
    int64_t good_until = 0;
    if (!mq_cache_get(c->cache, token, strlen(token), &v, &good_until) || good_until <= now_ms)
        return false;
    *sub = mq_arena_strdup(a, v.sub);
    *sid = mq_arena_strdup(a, v.sid);
    return *sub && *sid;
}

void mq_token_cache_put(struct mq_token_cache *c, const char *token, const char *sub,
                        const char *sid, int64_t good_until_ms)
{
    struct verified v = {0};
    if (strlen(sub) >= ID_SIZE || strlen(sid) >= ID_SIZE) return;
    memcpy(v.sub, sub, strlen(sub) + 1);
    memcpy(v.sid, sid, strlen(sid) + 1);
    mq_cache_put(c->cache, token, strlen(token), &v, sizeof(v), good_until_ms);
}
