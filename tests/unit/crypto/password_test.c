#include "test.h"

#include <string.h>

#include "config_fixture.h"
#include "core/config.h"
#include "crypto/password.h"

static struct mq_config cfg;

static int setup(void **state)
{
    (void)state;
    assert_int_equal(mq_config_init(&cfg), MQ_OK);
    fixture_set(&cfg, "argon2_memory", "8MiB"); /* the minimum, to keep the test quick */
    fixture_set(&cfg, "argon2_iterations", "1");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mq_config_cleanup(&cfg);
    return 0;
}

static void test_hash_and_verify(void **state)
{
    (void)state;
    char hash[MQ_PASSWORD_HASH_MAX];
    bool ok = false;
    assert_int_equal(mq_password_hash(&cfg, "correct horse battery staple", hash), MQ_OK);
    assert_int_equal(strncmp(hash, "$argon2id$v=19$m=8192,t=1,p=1$", 30), 0);
    assert_int_equal(mq_password_verify(hash, "correct horse battery staple", &ok), MQ_OK);
    assert_true(ok);
    assert_int_equal(mq_password_verify(hash, "correct horse battery stapl", &ok), MQ_OK);
    assert_false(ok);
    assert_int_equal(mq_password_verify("$2y$10$bcrypt-is-not-ours", "x", &ok), MQ_EINVAL);
    /* Salted: the same password hashes differently each time. */
    char again[MQ_PASSWORD_HASH_MAX];
    assert_int_equal(mq_password_hash(&cfg, "correct horse battery staple", again), MQ_OK);
    assert_string_not_equal(hash, again);
    /* Stronger parameters configured: the old hash is re-made at next login. */
    assert_false(mq_password_needs_rehash(&cfg, hash));
    fixture_set(&cfg, "argon2_iterations", "2");
    assert_true(mq_password_needs_rehash(&cfg, hash));
    fixture_set(&cfg, "argon2_iterations", "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
