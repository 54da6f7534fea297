#include "jobs/queue.h"

#include <string.h>

#include "core/events.h"
#include "core/uuid.h"

static const char *const states[] = {"available", "running",   "retryable",
                                     "completed", "cancelled", "discarded"};

bool mq_job_state_valid(const char *state)
{
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (!strcmp(state, states[i])) return true;
    return false;
}

bool mq_job_name_valid(const char *name, size_t max)
{
    size_t n = 0;
    for (; name[n]; n++) {
        char c = name[n];
        if (n >= max ||
            !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}

mq_err mq_jobs_enqueue(struct mq_ctx *ctx, struct mq_db *db, const struct mq_job_spec *spec,
                       char id[37], bool *created)
{
    const char *payload = spec->payload ? spec->payload : "{}";
    const char *queue = spec->queue ? spec->queue : MQ_JOB_DEFAULT_QUEUE;
    int max_attempts = spec->max_attempts ? spec->max_attempts : MQ_JOB_DEFAULT_MAX_ATTEMPTS;
    int64_t now = mq_clock_now_ms(ctx->clock);
    bool inserted = false;

    if (!spec->kind || !mq_job_name_valid(spec->kind, 64) || !mq_job_name_valid(queue, 32) ||
        spec->priority < -100 || spec->priority > 100 || max_attempts < 1 || max_attempts > 100 ||
        strlen(payload) > MQ_JOB_PAYLOAD_MAX || (spec->unique_key && !*spec->unique_key) ||
        (spec->unique_key && strlen(spec->unique_key) > 256))
        return MQ_EINVAL;
    json_t *doc = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
    bool object = json_is_object(doc);
    json_decref(doc);
    if (!object) return MQ_EINVAL;

    mq_uuid7_new(ctx->clock, ctx->rng, id);
    struct mq_job_insert row = {
        .id = id,
        .kind = spec->kind,
        .queue = queue,
        .payload = payload,
        .owner_id = spec->owner_id,
        .unique_key = spec->unique_key,
        .priority = spec->priority,
        .max_attempts = max_attempts,
        .run_at = spec->run_at ? spec->run_at : now,
        .now = now,
    };
    mq_err err = mq_store_job_insert(db, &row, &inserted);
    if (err) return err;
    if (!inserted) {
        /* Only a pending job with the same key can have stopped the insert. */
        if (!spec->unique_key) return MQ_EINTERNAL;
        err = mq_store_job_pending_by_key(db, spec->unique_key, id);
        if (err == MQ_ENOTFOUND) err = MQ_ECONFLICT; /* it finished meanwhile: try again */
        if (err) return err;
    } else {
        /* Workers that wait for jobs hear of it once the job is visible. */
        struct mq_event e = {.kind = "job.enqueued", .subject = queue, .user_id = spec->owner_id};
        err = mq_db_publish(db, ctx->events, &e);
        if (err == MQ_ETOOBIG) err = MQ_OK; /* a batch: the workers are woken already */
        if (err) return err;
    }
    if (created) *created = inserted;
    return MQ_OK;
}

void mq_job_of_row(const struct mq_job_row *r, struct mq_job *out)
{
    *out = (struct mq_job){.kind = r->kind,
                           .queue = r->queue,
                           .state = r->state,
                           .payload = r->payload,
                           .last_error = r->last_error,
                           .owner_id = r->owner_id,
                           .unique_key = r->unique_key,
                           .lease_owner = r->lease_owner,
                           .priority = r->priority,
                           .attempt = r->attempt,
                           .max_attempts = r->max_attempts,
                           .run_at = r->run_at,
                           .created_at = r->created_at,
                           .updated_at = r->updated_at,
                           .started_at = r->started_at,
                           .finished_at = r->finished_at,
                           .lease_until = r->lease_until,
                           .cancel_requested = r->cancel_requested};
    memcpy(out->id, r->id, sizeof(out->id));
}

mq_err mq_jobs_get(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_job *out)
{
    struct mq_job_row row;
    struct mq_db *db = NULL;
    if (!mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_job_get(db, a, id, &row));
    if (!err) mq_job_of_row(&row, out);
    return err;
}

mq_err mq_jobs_list(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_job_filter *f,
                    struct mq_job *out, size_t *n)
{
    struct mq_job_row *rows =
        mq_arena_calloc(a, f->limit > 0 ? (size_t)f->limit : 1, sizeof(*rows));
    struct mq_db *db = NULL;
    if (!rows) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_job_list(db, a, f, rows, n));
    for (size_t i = 0; !err && i < *n; i++) mq_job_of_row(&rows[i], &out[i]);
    return err;
}

/* Runs one state change and reads the job back in the same transaction. */
static mq_err change(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_job *out,
                     mq_err (*op)(struct mq_db *, const char *, int64_t, int64_t *))
{
    struct mq_job_row row;
    struct mq_db *db = NULL;
    int64_t changed = 0;
    if (!mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = op(db, id, mq_clock_now_ms(ctx->clock), &changed);
    if (!err) err = mq_store_job_get(db, a, id, &row);
    if (!err) mq_job_of_row(&row, out);
    if (!err && !changed) err = MQ_ECONFLICT; /* it exists, but in the wrong state */
    struct mq_event e = {.kind = "job.changed", .subject = out->queue, .user_id = out->owner_id};
    if (!err) err = mq_db_publish(db, ctx->events, &e);
    return mq_store_finish(db, err);
}

mq_err mq_jobs_retry(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_job *out)
{
    return change(ctx, a, id, out, mq_store_job_retry);
}

mq_err mq_jobs_cancel(struct mq_ctx *ctx, struct mq_arena *a, const char *id, struct mq_job *out)
{
    return change(ctx, a, id, out, mq_store_job_cancel);
}
