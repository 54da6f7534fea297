/* Notification preferences: defaults, overrides, refusals, quiet hours
 * over midnight. */
#include "test.h"

#include <string.h>

#include "core/err.h"
#include "notify/prefs.h"

#define CH "01a23c6b-c147-7392-b8ab-56e90c8d89be"

static mq_err read_doc(struct mq_arena *a, const char *text, struct mq_notify_prefs *p,
                       struct mq_refusal *why)
{
    static const char *const channels[] = {CH};
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    mq_err err = mq_notify_prefs_read(a, doc, channels, 1, p, why);
    json_decref(doc);
    return err;
}

static void test_modes(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_notify_prefs p;
    struct mq_refusal why = {0};
    const struct mq_notify_event *season = mq_notify_event_find("season.available");
    const struct mq_notify_event *added = mq_notify_event_find("media.added");
    assert_int_equal(mq_notify_prefs_read(a, NULL, NULL, 0, &p, &why), MQ_OK);
    assert_int_equal(mq_notify_prefs_mode(&p, season, "in_app"), MQ_MODE_INSTANT);
    assert_int_equal(mq_notify_prefs_mode(&p, added, CH), MQ_MODE_OFF); /* noisy: off at first */
    assert_int_equal(read_doc(a,
                              "{\"events\": {\"season.available\": {\"" CH "\": \"weekly\", "
                              "\"in_app\": \"off\"}}, \"whole_season\": true, \"region\": \"GB\"}",
                              &p, &why),
                     MQ_OK);
    assert_int_equal(mq_notify_prefs_mode(&p, season, CH), MQ_MODE_WEEKLY);
    assert_int_equal(mq_notify_prefs_mode(&p, season, "in_app"), MQ_MODE_OFF);
    assert_true(p.whole_season);
    assert_string_equal(p.region, "GB");
    json_t *back = mq_notify_prefs_json(&p, (const char *const[]){CH}, 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(back, "events"), "season.available"), CH)),
        "weekly");
    assert_null(json_object_get(json_object_get(back, "events"), "user.created")); /* server's */
    json_decref(back);
    mq_arena_free(a);
}

static void test_refusals(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_notify_prefs p;
    static const struct {
        const char *doc, *code;
    } bad[] = {
        {"{\"events\": {\"nope\": {}}}", "unknown_event"},
        {"{\"events\": {\"user.created\": {}}}", "unknown_event"},
        {"{\"events\": {\"import.done\": {\"in_app\": \"daily\"}}}", "invalid_mode"},
        {"{\"events\": {\"import.done\": {\"in_app\": \"loud\"}}}", "invalid_mode"},
        {"{\"events\": {\"import.done\": {\"01a23c6b-c147-7392-b8ab-000000000000\": \"off\"}}}",
         "unknown_channel"},
        {"{\"events\": {\"import.done\": {\"x' OR 1=1 --\": \"off\"}}}", "unknown_channel"},
        {"{\"quiet_hours\": {\"start\": \"22:00\", \"end\": \"22:00\"}}", "invalid_quiet_hours"},
        {"{\"quiet_hours\": {\"start\": \"24:00\", \"end\": \"07:00\"}}", "invalid_quiet_hours"},
        {"{\"region\": \"gb\"}", "invalid_region"},
        {"{\"platforms\": [\"Netflix!\"]}", "invalid_preferences"},
        {"{\"colour\": \"red\"}", "unknown_field"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct mq_refusal why = {0};
        assert_int_equal(read_doc(a, bad[i].doc, &p, &why), MQ_EINVAL);
        assert_string_equal(why.code, bad[i].code);
    }
    mq_arena_free(a);
}

static void test_quiet_hours(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_notify_prefs p;
    struct mq_refusal why = {0};
    int until = 0;
    assert_int_equal(
        read_doc(a, "{\"quiet_hours\": {\"start\": \"22:30\", \"end\": \"07:00\"}}", &p, &why),
        MQ_OK);
    assert_true(mq_notify_prefs_quiet(&p, 23 * 60, &until));
    assert_int_equal(until, 8 * 60); /* 23:00 to 07:00 */
    assert_true(mq_notify_prefs_quiet(&p, 6 * 60 + 59, &until));
    assert_int_equal(until, 1);
    assert_false(mq_notify_prefs_quiet(&p, 7 * 60, &until));
    assert_false(mq_notify_prefs_quiet(&p, 12 * 60, &until));
    assert_int_equal(
        read_doc(a, "{\"quiet_hours\": {\"start\": \"13:00\", \"end\": \"14:00\"}}", &p, &why),
        MQ_OK);
    assert_true(mq_notify_prefs_quiet(&p, 13 * 60 + 30, &until));
    assert_int_equal(until, 30);
    assert_false(mq_notify_prefs_quiet(&p, 23 * 60, &until));
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_quiet_hours),
    };
    return RUN(tests);
}
