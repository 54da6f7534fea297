/* The queue's rules, against SQLite and PostgreSQL, with a fake clock: no
 * thread and no sleep, so every case is exact. */
#include "test.h"

#include <string.h>

#include "core/config.h"
#include "db_fixture.h"
#include "jobs/queue.h"
#include "jobs/schedule.h"
#include "store/jobs.h"

struct env {
    struct fixture_env f;
};

static int setup(void **state, bool postgres)
{
    *state = fixture_env_open(postgres, 2, sizeof(struct env), FIXTURE_FAKE_CLOCK);
    return 0;
}

FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    return fixture_teardown(state);
}

#define ENV                                                                                        \
    struct env *e = *state;                                                                        \
    if (!e) skip()

static void enqueue(struct env *e, const struct mq_job_spec *spec, char id[37], bool *created)
{
    struct mq_db *db = NULL;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_jobs_enqueue(&e->f.ctx, db, spec, id, created)), MQ_OK);
}

static size_t claim(struct env *e, const char *queue, const char *owner, struct mq_job *out,
                    int max)
{
    struct mq_db *db = NULL;
    struct mq_job_row rows[8];
    size_t n = 0;
    assert_true(max <= 8);
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_claim(db, e->f.arena, queue, owner, e->f.now,
                                                            e->f.now + 60000, max, rows, &n)),
                     MQ_OK);
    for (size_t i = 0; i < n; i++) mq_job_of_row(&rows[i], &out[i]);
    return n;
}

static void fail_job(struct env *e, const struct mq_job *j, const char *owner, const char *state,
                     int64_t run_at, bool expect_held)
{
    struct mq_db *db = NULL;
    bool held = false;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_fail(db, j->id, owner, e->f.now, state,
                                                           run_at, "boom: disk on fire", &held)),
                     MQ_OK);
    assert_int_equal(held, expect_held);
}

static void succeed(struct env *e, const struct mq_job *j, const char *owner, bool expect_held)
{
    struct mq_db *db = NULL;
    bool held = false;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(
        mq_store_finish(db, mq_store_job_succeed(db, j->id, owner, e->f.now, NULL, &held)), MQ_OK);
    assert_int_equal(held, expect_held);
}

static const char *state_of(struct env *e, const char *id)
{
    struct mq_job j;
    assert_int_equal(mq_jobs_get(&e->f.ctx, e->f.arena, id, &j), MQ_OK);
    return j.state;
}

static void test_enqueue_validates(void **state)
{
    ENV;
    struct mq_db *db = NULL;
    char id[37];
    const struct mq_job_spec bad[] = {
        {.kind = ""},
        {.kind = "Has Caps"},
        {.kind = "ok", .payload = "[1,2]"},
        {.kind = "ok", .payload = "{\"a\":"},
        {.kind = "ok", .payload = "{\"a\":1,\"a\":2}"},
        {.kind = "ok", .queue = "no/slash"},
        {.kind = "ok", .priority = 101},
        {.kind = "ok", .max_attempts = 101},
        {.kind = "ok", .unique_key = ""},
    };
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_jobs_enqueue(&e->f.ctx, db, &bad[i], id, NULL), MQ_EINVAL);
    mq_store_rollback(db);
}

static void test_enqueue_is_part_of_the_transaction(void **state)
{
    ENV;
    struct mq_db *db = NULL;
    char id[37];
    struct mq_job_spec spec = {.kind = "media.scan"};
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_jobs_enqueue(&e->f.ctx, db, &spec, id, NULL), MQ_OK);
    mq_store_rollback(db); /* the caller's work failed: no job either */
    struct mq_job j;
    assert_int_equal(mq_jobs_get(&e->f.ctx, e->f.arena, id, &j), MQ_ENOTFOUND);
}

static void test_unique_keys(void **state)
{
    ENV;
    char a[37], b[37], c[37];
    bool created;
    struct mq_job_spec spec = {.kind = "metadata.refresh", .unique_key = "movie:42"};
    enqueue(e, &spec, a, &created);
    assert_true(created);
    enqueue(e, &spec, b, &created);
    assert_false(created);
    assert_string_equal(a, b); /* the existing job comes back */
    struct mq_job j[2];
    assert_int_equal(claim(e, "default", "w1", j, 2), 1);
    enqueue(e, &spec, b, &created); /* still pending while it runs */
    assert_false(created);
    succeed(e, &j[0], "w1", true);
    enqueue(e, &spec, c, &created); /* done: the key is free again */
    assert_true(created);
    assert_string_not_equal(a, c);
}

static void test_claim_order_and_due_time(void **state)
{
    ENV;
    char low[37], high[37], later[37], other[37];
    enqueue(e, &(struct mq_job_spec){.kind = "k", .priority = -5}, low, NULL);
    enqueue(e, &(struct mq_job_spec){.kind = "k", .priority = 5}, high, NULL);
    enqueue(e, &(struct mq_job_spec){.kind = "k", .priority = 50, .run_at = e->f.now + 5000}, later,
            NULL);
    enqueue(e, &(struct mq_job_spec){.kind = "k", .queue = "other"}, other, NULL);
    struct mq_job j[4];
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    assert_string_equal(j[0].id, high);
    assert_int_equal(j[0].attempt, 1);
    assert_string_equal(j[0].state, "running");
    assert_string_equal(j[0].lease_owner, "w1");
    assert_int_equal(claim(e, "default", "w1", j, 4), 1);
    assert_string_equal(j[0].id, low);
    assert_int_equal(claim(e, "default", "w1", j, 4), 0); /* `later` is not due yet */
    e->f.now += 5000;
    assert_int_equal(claim(e, "default", "w1", j, 4), 1);
    assert_string_equal(j[0].id, later);
    assert_int_equal(claim(e, "other", "w1", j, 4), 1);
}

static void test_retry_backoff_and_discard(void **state)
{
    ENV;
    char id[37];
    enqueue(e, &(struct mq_job_spec){.kind = "k", .max_attempts = 2}, id, NULL);
    struct mq_job j[1];
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    fail_job(e, &j[0], "w1", "retryable", e->f.now + 2000, true);
    assert_string_equal(state_of(e, id), "retryable");
    assert_int_equal(claim(e, "default", "w1", j, 1), 0); /* backing off */
    e->f.now += 2000;
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    assert_int_equal(j[0].attempt, 2);
    fail_job(e, &j[0], "w1", "discarded", e->f.now, true);
    struct mq_job done;
    assert_int_equal(mq_jobs_get(&e->f.ctx, e->f.arena, id, &done), MQ_OK);
    assert_string_equal(done.state, "discarded");
    assert_string_equal(done.last_error, "boom: disk on fire"); /* the error is kept */
    assert_true(done.finished_at > 0);
    assert_null(done.lease_owner);
}

static void test_lease_expiry_rescues(void **state)
{
    ENV;
    char id[37];
    int64_t rescued = 0;
    struct mq_db *db = NULL;
    enqueue(e, &(struct mq_job_spec){.kind = "k"}, id, NULL);
    struct mq_job j[1];
    assert_int_equal(claim(e, "default", "dead-process", j, 1), 1);
    /* The lease is 60 s: before it runs out nothing moves. */
    e->f.now += 59000;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_rescue(db, e->f.now, &rescued)), MQ_OK);
    assert_int_equal(rescued, 0);
    /* A heartbeat from the living owner extends it... */
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    int64_t extended = 0;
    assert_int_equal(mq_store_finish(db, mq_store_job_heartbeat(db, "dead-process",
                                                                e->f.now + 60000, &extended)),
                     MQ_OK);
    assert_int_equal(extended, 1);
    /* ...but this owner died: past the lease the job returns to the queue. */
    e->f.now += 61000;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_rescue(db, e->f.now, &rescued)), MQ_OK);
    assert_int_equal(rescued, 1);
    struct mq_job back;
    assert_int_equal(mq_jobs_get(&e->f.ctx, e->f.arena, id, &back), MQ_OK);
    assert_string_equal(back.state, "retryable");
    assert_non_null(strstr(back.last_error, "lease expired"));
    assert_int_equal(claim(e, "default", "new-process", j, 1), 1);
    assert_int_equal(j[0].attempt, 2);
    /* The zombie's late result is not recorded over the new attempt. */
    succeed(e, &j[0], "dead-process", false);
    succeed(e, &j[0], "new-process", true);
    assert_string_equal(state_of(e, id), "completed");
}

static void test_cancel(void **state)
{
    ENV;
    char pending[37], running[37], ran[37];
    struct mq_job out, j[1];
    enqueue(e, &(struct mq_job_spec){.kind = "k", .run_at = e->f.now + 100000}, pending, NULL);
    assert_int_equal(mq_jobs_cancel(&e->f.ctx, e->f.arena, pending, &out), MQ_OK);
    assert_string_equal(out.state, "cancelled");
    assert_int_equal(mq_jobs_cancel(&e->f.ctx, e->f.arena, pending, &out), MQ_ECONFLICT);

    enqueue(e, &(struct mq_job_spec){.kind = "k"}, running, NULL);
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    assert_int_equal(mq_jobs_cancel(&e->f.ctx, e->f.arena, running, &out), MQ_OK);
    assert_string_equal(out.state, "running"); /* it finishes its attempt... */
    assert_true(out.cancel_requested);
    fail_job(e, &j[0], "w1", "retryable", e->f.now + 1000, true);
    assert_string_equal(state_of(e, running), "cancelled"); /* ...and is not retried */

    enqueue(e, &(struct mq_job_spec){.kind = "k"}, ran, NULL);
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    assert_int_equal(mq_jobs_cancel(&e->f.ctx, e->f.arena, ran, &out), MQ_OK);
    succeed(e, &j[0], "w1", true); /* work that got done is reported done */
    assert_string_equal(state_of(e, ran), "completed");

    assert_int_equal(
        mq_jobs_cancel(&e->f.ctx, e->f.arena, "01a200dd-4210-720d-8442-22d9c782802f", &out),
        MQ_ENOTFOUND);
    assert_int_equal(mq_jobs_cancel(&e->f.ctx, e->f.arena, "not-a-uuid", &out), MQ_ENOTFOUND);
}

static void test_retry(void **state)
{
    ENV;
    char id[37];
    struct mq_job out, j[1];
    enqueue(e, &(struct mq_job_spec){.kind = "k", .max_attempts = 1, .unique_key = "u"}, id, NULL);
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    assert_int_equal(mq_jobs_retry(&e->f.ctx, e->f.arena, id, &out), MQ_ECONFLICT); /* running */
    fail_job(e, &j[0], "w1", "discarded", e->f.now, true);
    assert_int_equal(mq_jobs_retry(&e->f.ctx, e->f.arena, id, &out), MQ_OK);
    assert_string_equal(out.state, "available");
    assert_int_equal(out.max_attempts, 2); /* one more attempt than it had */
    assert_int_equal(out.finished_at, 0);
    assert_int_equal(claim(e, "default", "w1", j, 1), 1);
    succeed(e, &j[0], "w1", true);
    /* A pending job holding the same key blocks the retry of a finished one. */
    char other[37];
    enqueue(e, &(struct mq_job_spec){.kind = "k", .unique_key = "u"}, other, NULL);
    assert_int_equal(mq_jobs_retry(&e->f.ctx, e->f.arena, id, &out), MQ_ECONFLICT);
}

static void test_purge_and_list(void **state)
{
    ENV;
    char ids[5][37];
    struct mq_job j[5];
    /* UUIDv7 ids only order by millisecond: let the clock move between them. */
    for (int i = 0; i < 5; i++, e->f.now++)
        enqueue(e, &(struct mq_job_spec){.kind = "k"}, ids[i], NULL);
    assert_int_equal(claim(e, "default", "w1", j, 3), 3);
    for (int i = 0; i < 3; i++) succeed(e, &j[i], "w1", true);
    e->f.now += 1000;
    struct mq_db *db = NULL;
    int64_t deleted = -1;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_purge(db, e->f.now - 2000, 100, &deleted)),
                     MQ_OK);
    assert_int_equal(deleted, 0); /* not old enough */
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_job_purge(db, e->f.now, 2, &deleted)), MQ_OK);
    assert_int_equal(deleted, 2); /* in batches */

    struct mq_job page[10];
    size_t n = 0;
    struct mq_job_filter f = {.limit = 10};
    assert_int_equal(mq_jobs_list(&e->f.ctx, e->f.arena, &f, page, &n), MQ_OK);
    assert_int_equal(n, 3);
    assert_true(strcmp(page[0].id, page[1].id) > 0); /* newest first */
    f.state = "available";
    assert_int_equal(mq_jobs_list(&e->f.ctx, e->f.arena, &f, page, &n), MQ_OK);
    assert_int_equal(n, 2);
    f.state = NULL;
    f.limit = 1;
    f.before_id = ids[4];
    assert_int_equal(mq_jobs_list(&e->f.ctx, e->f.arena, &f, page, &n), MQ_OK);
    assert_int_equal(n, 1);
    assert_string_equal(page[0].id, ids[3]);
}

static void test_schedule_fires_once_per_period(void **state)
{
    ENV;
    struct mq_db *db = NULL;
    struct mq_schedule s;
    assert_int_equal(mq_schedule_parse("every 10m", &s), MQ_OK);
    int64_t first = mq_schedule_next(&s, e->f.now);
    struct mq_schedule_row row = {"scan", "media.scan", "default", "{}", "every 10m", first};
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_schedule_put(db, &row, e->f.now)), MQ_OK);
    /* A restart with the same spec keeps the next run. */
    row.next_run_at = first + 600000;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_schedule_put(db, &row, e->f.now)), MQ_OK);
    int64_t next = 0;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_schedule_next(db, &next)), MQ_OK);
    assert_int_equal(next, first);

    /* Two instances see it due; the compare-and-set lets one fire. */
    e->f.now = first;
    struct mq_schedule_row due[4];
    size_t n = 0;
    bool won_a = false, won_b = false;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_schedule_due(db, e->f.arena, e->f.now, due, 4, &n), MQ_OK);
    assert_int_equal(n, 1);
    int64_t following = mq_schedule_next(&s, e->f.now);
    assert_int_equal(
        mq_store_schedule_advance(db, "scan", due[0].next_run_at, following, e->f.now, &won_a),
        MQ_OK);
    assert_int_equal(
        mq_store_schedule_advance(db, "scan", due[0].next_run_at, following, e->f.now, &won_b),
        MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_true(won_a);
    assert_false(won_b);
    assert_int_equal(following - first, 600000);
}

static void test_schedule_specs(void **state)
{
    (void)state;
    struct mq_schedule s;
    const int64_t monday_0930 = 1794821400000; /* 2026-11-16 09:30 UTC, a Monday */
    assert_int_equal(mq_schedule_parse("hourly", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930), monday_0930 + 30 * 60000);
    assert_int_equal(mq_schedule_parse("daily at 03:15", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930), monday_0930 + (17 * 60 + 45) * 60000LL);
    assert_int_equal(mq_schedule_parse("daily at 09:30", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930),
                     monday_0930 + 86400000); /* strictly after */
    assert_int_equal(mq_schedule_parse("weekly", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930),
                     monday_0930 - 570 * 60000LL + 7 * 86400000LL);
    assert_int_equal(mq_schedule_parse("weekly on wed at 12:00", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930),
                     monday_0930 - 570 * 60000LL + 2 * 86400000LL + 12 * 3600000LL);
    assert_int_equal(mq_schedule_parse("every 15m", &s), MQ_OK);
    assert_int_equal(mq_schedule_next(&s, monday_0930), monday_0930 + 15 * 60000);
    assert_int_equal(mq_schedule_parse("every 90s", &s), MQ_OK);
    assert_int_equal(s.interval_ms, 90000);
    const char *bad[] = {"",         "daily",     "daily at 24:00", "daily at 9:30",
                         "every 0s", "every 5",   "every 5w",       "weekly on xyz at 10:00",
                         "monthly",  "every -1m", "every 1000d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_schedule_parse(bad[i], &s), MQ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_enqueue_validates),
        BOTH(test_enqueue_is_part_of_the_transaction),
        BOTH(test_unique_keys),
        BOTH(test_claim_order_and_due_time),
        BOTH(test_retry_backoff_and_discard),
        BOTH(test_lease_expiry_rescues),
        BOTH(test_cancel),
        BOTH(test_retry),
        BOTH(test_purge_and_list),
        BOTH(test_schedule_fires_once_per_period),
        cmocka_unit_test(test_schedule_specs),
    };
    return RUN(tests);
}
