/* jobs.c - the job queue over HTTP: the admin routes, and a user's own jobs. */
#include <string.h>

#include "api/handlers.h"
#include "api/render.h"
#include "auth/principal.h"
#include "http/page.h"
#include "jobs/queue.h"

static mq_err job_reply(struct mq_req *req, int status, const struct mq_job *job)
{
    return mq_reply_json(req, status, mq_api_job_json(job));
}

static mq_err filter_param(struct mq_req *req, const char *name, size_t max, const char **out)
{
    mq_err err = mq_req_query(req, name, out);
    if (err || !*out) return err;
    if (!mq_job_name_valid(*out, max))
        return mq_problem(req, 400, "invalid_filter", NULL,
                          "%s must be 1 to %zu characters of a-z 0-9 . _ -", name, max);
    return MQ_OK;
}

static json_t *job_item(const void *row, void *arg)
{
    (void)arg;
    return mq_api_job_json(row);
}

static const char *job_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_job *)row)->id;
}

mq_err mq_api_admin_jobs_list(struct mq_req *req)
{
    struct mq_page page;
    struct mq_job_filter f = {0};
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (!err) err = mq_req_query(req, "state", &f.state);
    if (!err) err = filter_param(req, "kind", 64, &f.kind);
    if (!err) err = filter_param(req, "queue", 32, &f.queue);
    if (err) return err;
    if (f.state && !mq_job_state_valid(f.state))
        return mq_problem(req, 400, "invalid_filter", NULL,
                          "state must be one of available, running, retryable, completed, "
                          "cancelled, discarded");
    f.before_id = page.after;
    f.limit = page.fetch;
    struct mq_job *jobs = mq_page_alloc(req, &page, sizeof(*jobs));
    if (!jobs) return MQ_ENOMEM;
    err = mq_jobs_list(req->ctx, req->arena, &f, jobs, &n);
    if (err) return err;
    struct mq_page_rows r = {jobs, n, sizeof(*jobs), job_item, job_position, NULL};
    return mq_page_answer(req, &page, &r);
}

mq_err mq_api_admin_jobs_get(struct mq_req *req)
{
    struct mq_job job;
    mq_err err = mq_jobs_get(req->ctx, req->arena, mq_req_param(req, "id"), &job);
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "job_not_found", NULL, "no such job");
    if (err) return err;
    return job_reply(req, 200, &job);
}

/* Retry and cancel: one state change, answered with the job afterwards. */
static mq_err change_job(struct mq_req *req, const char *action,
                         mq_err (*op)(struct mq_ctx *, struct mq_arena *, const char *,
                                      struct mq_job *),
                         const char *conflict_code, const char *conflict_detail)
{
    struct mq_job job;
    mq_err err = op(req->ctx, req->arena, mq_req_param(req, "id"), &job);
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "job_not_found", NULL, "no such job");
    if (err == MQ_ECONFLICT)
        return mq_problem(req, 409, conflict_code, NULL, "%s", conflict_detail);
    if (err) return err;
    mq_req_audit(req, action, req->actor_kind, "job", job.id,
                 json_pack("{s:s,s:s}", "kind", job.kind, "state", job.state));
    return job_reply(req, 200, &job);
}

mq_err mq_api_admin_jobs_retry(struct mq_req *req)
{
    return change_job(req, "job.retry", mq_jobs_retry, "job_not_retryable",
                      "the job is running, or another pending job holds its unique key");
}

mq_err mq_api_admin_jobs_cancel(struct mq_req *req)
{
    return change_job(req, "job.cancel", mq_jobs_cancel, "job_finished",
                      "the job has already ended");
}

/* A user follows their own jobs (an import, a scan they asked for). They
 * see its progress, not the queue's internals: no payload, lease or error
 * text, which may name paths and hosts. Someone else's job is a 404 like a
 * made-up id. */
mq_err mq_api_jobs_get_own(struct mq_req *req)
{
    struct mq_job job;
    mq_err err = mq_jobs_get(req->ctx, req->arena, mq_req_param(req, "id"), &job);
    if (!err && (!job.owner_id || strcmp(job.owner_id, req->principal->user_id)))
        err = MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) return mq_problem(req, 404, "job_not_found", NULL, "no such job");
    if (err) return err;
    json_t *doc = mq_api_job_json(&job);
    static const char *const internal[] = {"queue",      "payload",    "priority",  "lease_until",
                                           "last_error", "unique_key", "leased_by", "owner_id"};
    for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
        json_object_del(doc, internal[i]);
    return mq_reply_json(req, 200, doc);
}
