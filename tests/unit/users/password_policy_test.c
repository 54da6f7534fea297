#include "test.h"

#include <string.h>

#include "config_fixture.h"
#include "core/config.h"
#include "users/password_policy.h"

static struct mq_config cfg;

static int setup(void **state)
{
    (void)state;
    return mq_config_init(&cfg) == MQ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    mq_config_cleanup(&cfg);
    return 0;
}

static void check_refused(const char *pw, const char *email, const char *name, const char *want)
{
    struct mq_refusal why = {0};
    assert_int_equal(mq_password_policy_check(&cfg, pw, email, name, &why), MQ_EINVAL);
    assert_string_equal(why.code, want);
    assert_true(why.detail[0] != 0);
}

static void test_policy(void **state)
{
    (void)state;
    struct mq_refusal why = {0};
    check_refused("short", NULL, NULL, "password_too_short");
    char long_pw[200];
    memset(long_pw, 'x', 129);
    long_pw[129] = '\0';
    check_refused(long_pw, NULL, NULL, "password_too_long");
    check_refused("abcdefgh\xff\xfe\xfd\xfc", NULL, NULL, "invalid_utf8");
    check_refused("123qweasdzxc", NULL, NULL, "weak_password");    /* on the list */
    check_refused("1QAZ2WSX3EDC", NULL, NULL, "weak_password");    /* ignoring case */
    check_refused("iloveyou123456!", NULL, NULL, "weak_password"); /* a listed word, decorated */
    check_refused("Ada.Lovelace@Example.org", "ada.lovelace@example.org", NULL, "weak_password");
    check_refused("ada.lovelace", "Ada.Lovelace@example.org", NULL, "weak_password");
    check_refused("Grace Hopper 1906", NULL, "grace hopper 1906", "weak_password");
    assert_int_equal(
        mq_password_policy_check(&cfg, "correct horse battery staple", "a@b.example", "Ada", &why),
        MQ_OK);
    assert_int_equal(mq_password_policy_check(&cfg, "pässwörd-ümlaut-ß", NULL, NULL, &why), MQ_OK);
    fixture_set(&cfg, "password_require_classes", "1");
    check_refused("correct horse battery staple", NULL, NULL, "weak_password");
    assert_int_equal(
        mq_password_policy_check(&cfg, "Correct horse battery 5taple!", NULL, NULL, &why), MQ_OK);
    fixture_set(&cfg, "password_require_classes", "0");
}

static void test_common_list(void **state)
{
    (void)state;
    assert_true(mq_password_policy_is_common("123456"));
    assert_true(mq_password_policy_is_common("PASSWORD"));
    assert_true(mq_password_policy_is_common("trustno1"));
    assert_false(mq_password_policy_is_common("correct horse battery staple"));
    assert_false(mq_password_policy_is_common(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_common_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
