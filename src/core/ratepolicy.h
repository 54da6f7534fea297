/* ratepolicy.h - rate limit policies as configured: "10/min" or
 * "60/min,1000/h". The limiter that enforces them is http/ratelimit.h. */
#ifndef MQ_RATEPOLICY_H
#define MQ_RATEPOLICY_H

#include <stdint.h>

#include "core/err.h"

#define MQ_RATE_MAX_RULES 4

struct mq_rate_rule {
    int64_t limit;     /* requests */
    int64_t window_ms; /* over this long */
};

struct mq_rate_policy {
    char name[32]; /* keys are counted per policy */
    struct mq_rate_rule rules[MQ_RATE_MAX_RULES];
    int nrules; /* 0 = no limit */
};

/* Parses "10/min", "60/min,1000/h" (units s, min, h, d, or second, minute,
 * hour, day) or "off". MQ_EINVAL with *why otherwise. */
MQ_MUST_CHECK mq_err mq_rate_policy_parse(const char *name, const char *spec,
                                          struct mq_rate_policy *out, const char **why);

#endif
