/* Preferences: merge patches apply as RFC 7396 says, and only known keys
 * with acceptable values are kept. */
#include "test.h"

#include <string.h>

#include "users/prefs.h"

static char *merge(struct mq_arena *a, const char *current, const char *patch_json, mq_err want,
                   const char *want_code)
{
    json_t *patch = json_loads(patch_json, 0, NULL);
    char *out = NULL;
    struct mq_refusal why = {0};
    assert_non_null(patch);
    assert_int_equal(mq_prefs_merge(a, current, patch, &out, &why), want);
    if (want_code) {
        assert_string_equal(why.code, want_code);
        assert_true(why.detail[0] != 0);
    }
    json_decref(patch);
    return out;
}

static void test_merge(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    char *p =
        merge(a, "{}", "{\"theme\":\"dark\",\"client\":{\"web\":{\"a\":1,\"b\":2}}}", MQ_OK, NULL);
    assert_string_equal(p, "{\"client\":{\"web\":{\"a\":1,\"b\":2}},\"theme\":\"dark\"}");
    p = merge(a, p, "{\"theme\":null,\"client\":{\"web\":{\"a\":null}},\"items_per_page\":25}",
              MQ_OK, NULL);
    assert_string_equal(p, "{\"client\":{\"web\":{\"b\":2}},\"items_per_page\":25}");
    p = merge(a, NULL, "{\"language\":\"pt-BR\",\"time_zone\":\"America/Sao_Paulo\"}", MQ_OK, NULL);
    assert_non_null(strstr(p, "pt-BR"));
    mq_arena_free(a);
}

static void test_refusals(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    merge(a, "{}", "{\"colour\":\"red\"}", MQ_EINVAL, "unknown_preference");
    merge(a, "{}", "{\"theme\":\"neon\"}", MQ_EINVAL, "invalid_preferences");
    merge(a, "{}", "{\"language\":\"'; DROP TABLE users;--\"}", MQ_EINVAL, "invalid_preferences");
    merge(a, "{}", "{\"items_per_page\":5000}", MQ_EINVAL, "invalid_preferences");
    merge(a, "{}", "{\"autoplay_next\":\"yes\"}", MQ_EINVAL, "invalid_preferences");
    merge(a, "{}", "{\"time_zone\":\"../../etc/passwd\"}", MQ_EINVAL, "invalid_preferences");
    char big[10000];
    snprintf(big, sizeof(big), "{\"client\":{\"x\":\"%09000d\"}}", 0);
    merge(a, "{}", big, MQ_EINVAL, "invalid_preferences");
    json_t *arr = json_array();
    char *out = NULL;
    struct mq_refusal why = {0};
    assert_int_equal(mq_prefs_merge(a, "{}", arr, &out, &why), MQ_EINVAL);
    json_decref(arr);
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_refusals),
    };
    return RUN(tests);
}
