/* metrics.c - GET /metrics in the Prometheus text format (version 0.0.4). */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "api/handlers.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/events.h"
#include "core/version.h"
#include "http/server.h"
#include "jobs/runner.h"
#include "store/store.h"

static long resident_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own fd */
}

static void release_buf(void *p)
{
    mq_buf_cleanup(p);
}

mq_err mq_api_metrics(struct mq_req *req)
{
    struct mq_store_stats s;
    struct mq_buf *out = mq_arena_alloc(req->arena, sizeof(*out));
    if (!out) return MQ_ENOMEM;
    mq_buf_init(out, 16u << 20);
    mq_err err = mq_arena_defer(req->arena, release_buf, out);
    if (err) return err;

    err = mq_http_render_metrics(req, out);
    if (err) return err;
    if (req->ctx->jobs) {
        err = mq_jobs_render_metrics(req->ctx->jobs, out);
        if (err) return err;
    }
    if (req->ctx->audit) {
        err = mq_audit_render_metrics(req->ctx->audit, out);
        if (err) return err;
    }
    if (req->ctx->events) {
        err = mq_events_render_metrics(req->ctx->events, out);
        if (err) return err;
    }
    mq_store_stats(req->ctx->store, &s);
    err = mq_buf_printf(
        out,
        "# HELP marquee_db_pool_connections Database connections the pool can hand out.\n"
        "# TYPE marquee_db_pool_connections gauge\n"
        "marquee_db_pool_connections{backend=\"%s\"} %d\n"
        "# HELP marquee_db_pool_in_use Database connections handed out now.\n"
        "# TYPE marquee_db_pool_in_use gauge\n"
        "marquee_db_pool_in_use{backend=\"%s\"} %d\n"
        "# HELP marquee_db_pool_acquired_total Connections handed out.\n"
        "# TYPE marquee_db_pool_acquired_total counter\n"
        "marquee_db_pool_acquired_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_pool_waits_total Acquisitions that had to wait.\n"
        "# TYPE marquee_db_pool_waits_total counter\n"
        "marquee_db_pool_waits_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_pool_wait_seconds_total Time spent waiting for a connection.\n"
        "# TYPE marquee_db_pool_wait_seconds_total counter\n"
        "marquee_db_pool_wait_seconds_total{backend=\"%s\"} %.6f\n"
        "# HELP marquee_db_pool_timeouts_total Acquisitions that gave up waiting.\n"
        "# TYPE marquee_db_pool_timeouts_total counter\n"
        "marquee_db_pool_timeouts_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_connects_total Database connections opened.\n"
        "# TYPE marquee_db_connects_total counter\n"
        "marquee_db_connects_total{backend=\"%s\"} %llu\n"
        "# HELP marquee_db_errors_total Failed statements and connection attempts.\n"
        "# TYPE marquee_db_errors_total counter\n"
        "marquee_db_errors_total{backend=\"%s\"} %llu\n",
        s.backend, s.pool_size, s.backend, s.in_use, s.backend,
        (unsigned long long)s.acquired_total, s.backend, (unsigned long long)s.waited_total,
        s.backend, s.wait_seconds_total, s.backend, (unsigned long long)s.timeouts_total, s.backend,
        (unsigned long long)s.connects_total, s.backend, (unsigned long long)s.errors_total);
    if (err) return err;
    err = mq_buf_printf(out,
                        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                        "# TYPE process_resident_memory_bytes gauge\n"
                        "process_resident_memory_bytes %ld\n"
                        "# HELP process_open_fds Number of open file descriptors.\n"
                        "# TYPE process_open_fds gauge\n"
                        "process_open_fds %ld\n"
                        "# HELP process_start_time_seconds Start time since the Unix epoch.\n"
                        "# TYPE process_start_time_seconds gauge\n"
                        "process_start_time_seconds %.3f\n"
                        "# HELP marquee_build_info Build of this binary.\n"
                        "# TYPE marquee_build_info gauge\n"
                        "marquee_build_info{version=\"%s\",commit=\"%s\"} 1\n",
                        resident_bytes(), open_fds(), (double)req->ctx->boot_ms / 1000.0,
                        MQ_VERSION, MQ_COMMIT);
    if (err) return err;
    return mq_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", out->data,
                          out->len);
}
