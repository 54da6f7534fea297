/* metrics.c - GET /metrics in the Prometheus text format (version 0.0.4). */
#include "api/handlers.h"
#include "metadata/fetch.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "http/server.h"
#include "media/watch.h"
#include "system/system.h"

static void release_buf(void *p)
{
    mq_buf_cleanup(p);
}

mq_err mq_api_metrics(struct mq_req *req)
{
    struct mq_buf *out = mq_arena_alloc(req->arena, sizeof(*out));
    if (!out) return MQ_ENOMEM;
    mq_buf_init(out, 16u << 20);
    mq_err err = mq_arena_defer(req->arena, release_buf, out);
    if (err) return err;

    err = mq_http_render_metrics(req, out);
    if (err) return err;
    if (req->ctx->audit) {
        err = mq_audit_render_metrics(req->ctx->audit, out);
        if (err) return err;
    }
    err = mq_system_render_metrics(req->ctx, out);
    struct mq_watch *watch = req->ctx->watch;
    if (!err && watch) err = mq_watch_render_metrics(watch, out);
    if (!err && req->ctx->metadata)
        err = mq_metadata_render_metrics(req->ctx->metadata, mq_clock_now_ms(req->ctx->clock), out);
    if (err) return err;
    return mq_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", out->data,
                          out->len);
}
