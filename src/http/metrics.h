/* metrics.h - per-route request counters and latency histograms.
 *
 * Observing a request is a few relaxed atomic increments, so it stays off the
 * hot path's profile. Routes are labelled by pattern id (router.h); id -1
 * ("unmatched") counts requests that matched no pattern, so random paths
 * cannot blow up the label set. */
#ifndef MQ_HTTP_METRICS_H
#define MQ_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/router.h"

struct mq_http_metrics;

MQ_MUST_CHECK mq_err mq_http_metrics_new(size_t nroutes, struct mq_http_metrics **out);
void mq_http_metrics_free(struct mq_http_metrics *m);

/* The route id of what the web app answered (http/webapp.h), counted as
 * route "(web app)"; other negative ids are "unmatched". */
#define MQ_METRICS_WEBAPP (-2)

void mq_http_metrics_observe(struct mq_http_metrics *m, int route_id, enum mq_method method,
                             int status, uint64_t duration_ns);

/* Appends Prometheus text for every counter that is not zero. */
MQ_MUST_CHECK mq_err mq_http_metrics_render(const struct mq_http_metrics *m,
                                            const struct mq_router *router, struct mq_buf *out);

#endif
