#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* Status codes get a dense index; anything unusual shares one slot per
 * class, labelled "1xx".."5xx" (never a real code, or its series would
 * appear twice), so the table stays small. 499 is the client that left
 * before its answer. */
static const int known_status[] = {200, 201, 202, 204, 206, 301, 302, 304, 307, 308, 400, 401,
                                   403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415,
                                   416, 422, 423, 429, 431, 499, 500, 501, 502, 503, 504};
#define NKNOWN  (sizeof(known_status) / sizeof(known_status[0]))
#define NSTATUS (NKNOWN + 5)

static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct route_stats {
    atomic_uint_fast64_t count[MQ_METHOD_COUNT][NSTATUS];
    atomic_uint_fast64_t bucket[NBUCKETS + 1]; /* last = +Inf, not cumulative */
    atomic_uint_fast64_t sum_ns;
    atomic_uint_fast64_t observed;
};

struct mq_http_metrics {
    size_t nroutes; /* plus "unmatched" at index nroutes and "(web app)" after it */
    uint64_t bound_ns[NBUCKETS];
    struct route_stats *routes;
};

static size_t status_index(int status)
{
    for (size_t i = 0; i < NKNOWN; i++)
        if (known_status[i] == status) return i;
    int cls = status / 100;
    if (cls < 1 || cls > 5) cls = 5;
    return NKNOWN + (size_t)(cls - 1);
}

static const char *status_label(size_t idx, char buf[8])
{
    if (idx < NKNOWN)
        snprintf(buf, 8, "%d", known_status[idx]);
    else
        snprintf(buf, 8, "%dxx", (int)(idx - NKNOWN + 1) % 10);
    return buf;
}

mq_err mq_http_metrics_new(size_t nroutes, struct mq_http_metrics **out)
{
    struct mq_http_metrics *m = calloc(1, sizeof(*m));
    if (!m) return MQ_ENOMEM;
    m->nroutes = nroutes;
    m->routes = calloc(nroutes + 2, sizeof(*m->routes));
    if (!m->routes) {
        free(m);
        return MQ_ENOMEM;
    }
    for (size_t i = 0; i < NBUCKETS; i++) m->bound_ns[i] = (uint64_t)(bucket_bounds[i] * 1e9);
    *out = m;
    return MQ_OK;
}

void mq_http_metrics_free(struct mq_http_metrics *m)
{
    if (!m) return;
    free(m->routes);
    free(m);
}

void mq_http_metrics_observe(struct mq_http_metrics *m, int route_id, enum mq_method method,
                             int status, uint64_t duration_ns)
{
    size_t r = route_id == MQ_METRICS_WEBAPP                    ? m->nroutes + 1
               : route_id < 0 || (size_t)route_id >= m->nroutes ? m->nroutes
                                                                : (size_t)route_id;
    struct route_stats *rs = &m->routes[r];
    atomic_fetch_add_explicit(&rs->count[method][status_index(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && duration_ns > m->bound_ns[b]) b++;
    atomic_fetch_add_explicit(&rs->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rs->sum_ns, duration_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&rs->observed, 1, memory_order_relaxed);
}

static const char *route_label(const struct mq_http_metrics *m, const struct mq_router *router,
                               size_t r)
{
    return r == m->nroutes       ? "unmatched"
           : r == m->nroutes + 1 ? "(web app)"
                                 : mq_router_pattern(router, (int)r);
}

mq_err mq_http_metrics_render(const struct mq_http_metrics *m, const struct mq_router *router,
                              struct mq_buf *out)
{
    mq_err err = mq_buf_adds(out, "# HELP marquee_http_requests_total HTTP requests answered.\n"
                                  "# TYPE marquee_http_requests_total counter\n");
    for (size_t r = 0; r < m->nroutes + 2 && !err; r++) {
        for (int meth = 0; meth < MQ_METHOD_COUNT && !err; meth++) {
            for (size_t s = 0; s < NSTATUS && !err; s++) {
                uint64_t v =
                    atomic_load_explicit(&m->routes[r].count[meth][s], memory_order_relaxed);
                char label[8];
                if (!v) continue;
                err = mq_buf_printf(out,
                                    "marquee_http_requests_total{method=\"%s\",route=\"%s\","
                                    "status=\"%s\"} %llu\n",
                                    mq_method_name((enum mq_method)meth), route_label(m, router, r),
                                    status_label(s, label), (unsigned long long)v);
            }
        }
    }
    if (!err)
        err = mq_buf_adds(out,
                          "# HELP marquee_http_request_duration_seconds Time from request head to "
                          "response sent.\n"
                          "# TYPE marquee_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < m->nroutes + 2 && !err; r++) {
        const struct route_stats *rs = &m->routes[r];
        uint64_t n = atomic_load_explicit(&rs->observed, memory_order_relaxed);
        if (!n) continue;
        const char *label = route_label(m, router, r);
        uint64_t cum = 0;
        for (size_t b = 0; b <= NBUCKETS && !err; b++) {
            cum += atomic_load_explicit(&rs->bucket[b], memory_order_relaxed);
            if (b < NBUCKETS)
                err = mq_buf_printf(out,
                                    "marquee_http_request_duration_seconds_bucket{route=\"%s\","
                                    "le=\"%g\"} %llu\n",
                                    label, bucket_bounds[b], (unsigned long long)cum);
            else
                err = mq_buf_printf(out,
                                    "marquee_http_request_duration_seconds_bucket{route=\"%s\","
                                    "le=\"+Inf\"} %llu\n",
                                    label, (unsigned long long)cum);
        }
        if (!err)
            err = mq_buf_printf(
                out,
                "marquee_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                "marquee_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                label, (double)atomic_load_explicit(&rs->sum_ns, memory_order_relaxed) / 1e9, label,
                (unsigned long long)cum);
    }
    return err;
}
