/* ratelimit.h - request rate limits.
 *
 * A policy is one or more rules ("60/min,1000/h"); a key (an address, a
 * user, an e-mail) is allowed a request only when every rule allows it. Each
 * rule is a GCRA (generic cell rate algorithm): `limit` requests may come at
 * once, and they come back at an even pace over `window`, so there is no
 * burst at window edges. Stores implement struct mq_ratelimiter_ops: memory
 * now, Redis for several instances later. */
#ifndef MQ_HTTP_RATELIMIT_H
#define MQ_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ratepolicy.h"

/* What a hit found, for the tightest rule: enough for the RateLimit and
 * Retry-After headers. */
struct mq_rate_result {
    bool allowed;
    int64_t limit, window_ms;
    int64_t remaining;
    int64_t reset_ms;       /* until the rule is fully replenished */
    int64_t retry_after_ms; /* when denied: until a request would pass */
};

struct mq_ratelimiter;

struct mq_ratelimiter_ops {
    /* Counts one request for key under policy at now_ms (if allowed). */
    MQ_MUST_CHECK mq_err (*hit)(struct mq_ratelimiter *rl, const struct mq_rate_policy *policy,
                                const char *key, int64_t now_ms, struct mq_rate_result *out);
    void (*free)(struct mq_ratelimiter *rl);
};

struct mq_ratelimiter {
    const struct mq_ratelimiter_ops *ops;
};

static inline mq_err mq_rate_hit(struct mq_ratelimiter *rl, const struct mq_rate_policy *policy,
                                 const char *key, int64_t now_ms, struct mq_rate_result *out)
{
    return rl->ops->hit(rl, policy, key, now_ms, out);
}

static inline void mq_ratelimiter_free(struct mq_ratelimiter *rl)
{
    if (rl) rl->ops->free(rl);
}

/* An in-process store holding at most max_keys keys. When full, keys whose
 * every rule has recovered go first, then the least limited one, so memory
 * stays bounded whatever the number of addresses. */
MQ_MUST_CHECK mq_err mq_ratelimiter_memory_new(size_t max_keys, struct mq_ratelimiter **out);

#endif
