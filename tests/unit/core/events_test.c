/* events_test.c - the bus delivers each event to the subscribers whose
 * pattern it matches, not after they unsubscribe, and counts what it
 * delivered. (Delivery after commit: tests/unit/store/store_test.c.) */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "core/events.h"

struct seen {
    int n;
    char last[64];
};

static void note(const struct mq_event *e, void *arg)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->last, sizeof(s->last), "%s %s", e->kind, e->subject ? e->subject : "-");
}

static void test_patterns(void **state)
{
    (void)state;
    struct mq_events *bus = NULL;
    struct seen exact = {0}, prefix = {0}, all = {0};
    assert_int_equal(mq_events_new(&bus), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "job.enqueued", note, &exact), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "job.*", note, &prefix), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "*", note, &all), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "Job Enqueued", note, &all), MQ_EINVAL);
    assert_int_equal(mq_events_subscribe(bus, "", note, &all), MQ_EINVAL);

    mq_events_emit(bus, &(struct mq_event){.kind = "job.enqueued", .subject = "default"});
    mq_events_emit(bus, &(struct mq_event){.kind = "job.changed", .subject = "default"});
    mq_events_emit(bus, &(struct mq_event){.kind = "jobs.other"}); /* not "job." */
    mq_events_emit(bus, &(struct mq_event){.kind = "session.revoked", .user_id = "u"});
    assert_int_equal(exact.n, 1);
    assert_string_equal(exact.last, "job.enqueued default");
    assert_int_equal(prefix.n, 2);
    assert_string_equal(prefix.last, "job.changed default");
    assert_int_equal(all.n, 4);
    assert_string_equal(all.last, "session.revoked -");

    /* Malformed events reach no one. */
    char long_kind[80];
    memset(long_kind, 'a', sizeof(long_kind) - 1);
    long_kind[sizeof(long_kind) - 1] = '\0';
    mq_events_emit(bus, &(struct mq_event){.kind = long_kind});
    mq_events_emit(bus, &(struct mq_event){.kind = "a b"});
    mq_events_emit(bus, &(struct mq_event){.kind = NULL});
    assert_int_equal(all.n, 4);

    mq_events_unsubscribe(bus, note, &all);
    mq_events_emit(bus, &(struct mq_event){.kind = "job.enqueued"});
    assert_int_equal(all.n, 4);
    assert_int_equal(exact.n, 2);

    struct mq_buf m;
    mq_buf_init(&m, 1 << 16);
    assert_int_equal(mq_events_render_metrics(bus, &m), MQ_OK);
    assert_int_equal(mq_buf_add(&m, "", 1), MQ_OK);
    assert_non_null(strstr(m.data, "marquee_events_total{kind=\"job.enqueued\"} 2\n"));
    assert_non_null(strstr(m.data, "marquee_events_total{kind=\"session.revoked\"} 1\n"));
    assert_null(strstr(m.data, "a b"));
    mq_buf_cleanup(&m);
    mq_events_free(bus);
    mq_events_free(NULL);
    mq_events_emit(NULL, &(struct mq_event){.kind = "job.enqueued"});
}

static void test_bounds(void **state)
{
    (void)state;
    struct mq_events *bus = NULL;
    struct seen s = {0};
    assert_int_equal(mq_events_new(&bus), MQ_OK);
    for (int i = 0; i < MQ_EVENTS_MAX_SUBSCRIBERS; i++)
        assert_int_equal(mq_events_subscribe(bus, "x.y", note, &s), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "x.y", note, &s), MQ_ETOOBIG);
    mq_events_emit(bus, &(struct mq_event){.kind = "x.y"});
    assert_int_equal(s.n, MQ_EVENTS_MAX_SUBSCRIBERS);
    char detail[MQ_EVENT_DETAIL_MAX + 2];
    memset(detail, 'x', sizeof(detail) - 1);
    detail[sizeof(detail) - 1] = '\0';
    assert_false(mq_event_valid(&(struct mq_event){.kind = "x.y", .detail = detail}));
    detail[MQ_EVENT_DETAIL_MAX] = '\0';
    assert_true(mq_event_valid(&(struct mq_event){.kind = "x.y", .detail = detail}));
    mq_events_free(bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_bounds),
    };
    return RUN(tests);
}
