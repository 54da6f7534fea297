/* health.c - liveness, readiness and start-up probes. */
#include <stdatomic.h>

#include "api/handlers.h"
#include "metadata/fetch.h"

#include "media/watch.h"
#include "system/system.h"

mq_err mq_api_healthz(struct mq_req *req)
{
    /* Alive means this thread could answer: no database, no allocation. */
    static const char body[] = "{\"status\":\"ok\"}\n";
    return mq_reply_bytes(req, 200, "application/json", body, sizeof(body) - 1);
}

mq_err mq_api_startupz(struct mq_req *req)
{
    static const char body[] = "{\"status\":\"started\"}\n";
    if (!atomic_load(&req->ctx->started))
        return mq_problem(req, 503, "starting", NULL, "start-up has not finished");
    return mq_reply_bytes(req, 200, "application/json", body, sizeof(body) - 1);
}

mq_err mq_api_readyz(struct mq_req *req)
{
    struct mq_readiness r;
    mq_system_readiness(req->ctx, &r);
    const char *backend = r.database;
    if (!r.ready) {
        (void)mq_reply_header(req, "Retry-After", "5");
        return mq_problem(req, 503, r.reason,
                          json_pack("{s:s,s:i,s:i}", "database", backend, "schema_version",
                                    r.schema_version, "schema_latest", r.schema_latest),
                          "not ready: %s%s%s", r.reason, r.detail[0] ? ": " : "", r.detail);
    }
    json_t *o = json_pack("{s:s,s:s,s:i}", "status", "ready", "database", backend, "schema_version",
                          r.schema_version);
    /* Libraries kept current by periodic scans only: not a reason to take
     * the instance out of service, but never a silent one. Always there, so
     * the answer keeps its shape while the watcher starts. */
    struct mq_watch *watch = req->ctx->watch;
    if (o)
        json_object_set_new(o, "libraries_polled", watch ? mq_watch_polled(watch) : json_array());
    /* A provider resting after failures: works wait, nothing else does.
     * Only the state: the reason (an address, an error) is for admins, in
     * GET /api/v1/admin/metadata. */
    if (o && req->ctx->metadata) {
        json_t *b = json_object();
        int64_t now = mq_clock_now_ms(req->ctx->clock);
        for (int p = 0; p < MQ_PROVIDER_COUNT; p++) {
            struct mq_breaker_state st;
            mq_metadata_breaker(req->ctx->metadata, (enum mq_provider_id)p, now, &st);
            json_object_set_new(b, mq_provider_name((enum mq_provider_id)p),
                                json_string(st.open ? "open" : "closed"));
        }
        json_object_set_new(o, "metadata_breakers", b);
    }
    return mq_reply_json(req, 200, o);
}
