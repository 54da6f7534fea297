#include "core/ratepolicy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mq_err mq_rate_policy_parse(const char *name, const char *spec, struct mq_rate_policy *out,
                            const char **why)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"s", 1000},       {"sec", 1000},     {"second", 1000},
                 {"min", 60000},    {"minute", 60000}, {"h", 3600000},
                 {"hour", 3600000}, {"d", 86400000},   {"day", 86400000}};
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    if (!strcmp(spec, "off")) return MQ_OK;
    const char *p = spec;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        if (out->nrules == MQ_RATE_MAX_RULES) {
            *why = "at most 4 rules";
            return MQ_EINVAL;
        }
        char *end;
        long long limit = strtoll(p, &end, 10);
        if (end == p || *end != '/' || limit < 1 || limit > 1000000000) {
            *why = "expected N/unit, such as 10/min or 60/min,1000/h (or off)";
            return MQ_EINVAL;
        }
        p = end + 1;
        size_t n = strcspn(p, ", ");
        int64_t window = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strlen(units[i].unit) == n && !strncmp(p, units[i].unit, n)) window = units[i].ms;
        if (!window) {
            *why = "the unit must be s, min, h or d";
            return MQ_EINVAL;
        }
        out->rules[out->nrules++] = (struct mq_rate_rule){limit, window};
        p += n;
    }
    if (!out->nrules) {
        *why = "expected N/unit, such as 10/min or 60/min,1000/h (or off)";
        return MQ_EINVAL;
    }
    return MQ_OK;
}
