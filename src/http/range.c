#include "http/range.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int only_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return *p == 0;
}

enum mq_range_result mq_range_parse(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
    if (!h || strncmp(h, "bytes=", 6)) return MQ_RANGE_ALL;
    const char *p = h + 6;
    while (*p == ' ') p++;
    if (strchr(p, ',')) return MQ_RANGE_ALL;
    char *end;
    if (*p == '-') {
        if (p[1] < '0' || p[1] > '9') return MQ_RANGE_ALL;
        errno = 0;
        uint64_t n = strtoull(p + 1, &end, 10);
        if (errno || !only_spaces(end)) return MQ_RANGE_ALL;
        if (!n || !size) return MQ_RANGE_UNSATISFIABLE;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
        return MQ_RANGE_ONE;
    }
    if (*p < '0' || *p > '9') return MQ_RANGE_ALL;
    errno = 0;
    uint64_t a = strtoull(p, &end, 10);
    if (errno || *end != '-') return MQ_RANGE_ALL;
    p = end + 1;
    uint64_t b = UINT64_MAX;
    if (*p >= '0' && *p <= '9') {
        b = strtoull(p, &end, 10);
        if (errno || !only_spaces(end) || b < a) return MQ_RANGE_ALL;
    } else if (!only_spaces(p)) {
        return MQ_RANGE_ALL;
    }
    if (a >= size) return MQ_RANGE_UNSATISFIABLE;
    *from = a;
    *to = b >= size ? size - 1 : b;
    return MQ_RANGE_ONE;
}
