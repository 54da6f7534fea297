/* mfa_test.c - the forms a typed backup code may take. */
#include "test.h"

#include "auth/mfa.h"

static void test_backup_code_forms(void **state)
{
    (void)state;
    char out[17];
    assert_true(mq_backup_code_normalise("ABCD-EFGH-JKMN-PQRS", out));
    assert_string_equal(out, "ABCDEFGHJKMNPQRS");
    assert_true(mq_backup_code_normalise(" abcd efgh-jkmnpqrs ", out));
    assert_string_equal(out, "ABCDEFGHJKMNPQRS");
    /* Read as Crockford's base32 reads them: O is 0, I and L are 1. */
    assert_true(mq_backup_code_normalise("oOil-0000-0000-0000", out));
    assert_string_equal(out, "0011000000000000");
    assert_false(mq_backup_code_normalise("UUUU-0000-0000-0000", out)); /* no U */
    assert_false(mq_backup_code_normalise("ABCD-EFGH-JKMN-PQR", out));
    assert_false(mq_backup_code_normalise("ABCD-EFGH-JKMN-PQRST", out));
    assert_false(mq_backup_code_normalise("ABCD-EFGH-JKMN-PQR\xc3\xa9", out));
    assert_false(mq_backup_code_normalise("'; DROP TABLE x;--", out));
    assert_false(mq_backup_code_normalise("", out));
    assert_false(mq_backup_code_normalise(NULL, out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_code_forms),
    };
    return RUN(tests);
}
