#include "api/render.h"

#include "api/body.h"

json_t *mq_api_job_json(const struct mq_job *j)
{
    json_t *payload = json_loads(j->payload, 0, NULL);
    if (!payload) payload = json_string(j->payload); /* shown as stored when it is not JSON */
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "id", j->id,
        "kind", j->kind, "queue", j->queue, "state", j->state, "payload", payload, "priority",
        j->priority, "attempt", j->attempt, "max_attempts", j->max_attempts, "run_at",
        mq_api_time(j->run_at), "created_at", mq_api_time(j->created_at), "started_at",
        mq_api_time(j->started_at), "finished_at", mq_api_time(j->finished_at), "lease_until",
        mq_api_time(j->lease_until), "last_error", mq_api_nullable(j->last_error), "owner_id",
        mq_api_nullable(j->owner_id), "unique_key", mq_api_nullable(j->unique_key), "leased_by",
        mq_api_nullable(j->lease_owner), "cancel_requested", j->cancel_requested);
}
