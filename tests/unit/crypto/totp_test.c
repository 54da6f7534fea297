/* TOTP against RFC 6238 Appendix B (the SHA-1 rows), the otpauth:// URI,
 * and the canonical form of typed backup codes. */
#include "test.h"

#include <string.h>

#include "crypto/totp.h"

/* RFC 6238 Appendix B: the SHA-1 seed is the ASCII of "1234567890" twice. */
static const unsigned char SEED[] = "12345678901234567890";

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *code;
    } rows[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char code[9];
        assert_int_equal(mq_totp_code(SEED, 20, rows[i].t, 8, code), MQ_OK);
        assert_string_equal(code, rows[i].code);
        /* The six-digit code is the last six digits. */
        int64_t step = 0;
        assert_int_equal(mq_totp_check(SEED, 20, rows[i].t, rows[i].code + 2, &step), MQ_OK);
        assert_int_equal(step, rows[i].t / 30);
    }
}

static void test_window_is_one_step(void **state)
{
    (void)state;
    int64_t step = 0;
    /* "287082" belongs to step 1 (t = 30..59). */
    assert_int_equal(mq_totp_check(SEED, 20, 89, "287082", &step), MQ_OK); /* step 2: one late */
    assert_int_equal(step, 1);
    assert_int_equal(mq_totp_check(SEED, 20, 0, "287082", &step), MQ_OK); /* step 0: one early */
    assert_int_equal(mq_totp_check(SEED, 20, 90, "287082", &step), MQ_EPERM); /* two late */
    assert_int_equal(mq_totp_check(SEED, 20, 59, "28708", &step), MQ_EPERM);
    assert_int_equal(mq_totp_check(SEED, 20, 59, "2870820", &step), MQ_EPERM);
    assert_int_equal(mq_totp_check(SEED, 20, 59, "28708a", &step), MQ_EPERM);
    assert_int_equal(mq_totp_check(SEED, 20, 59, "", &step), MQ_EPERM);
    assert_int_equal(mq_totp_check(SEED, 20, 59, NULL, &step), MQ_EPERM);
}

static void test_base32_and_uri(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(1024);
    char *b32 = NULL, *uri = NULL;
    assert_int_equal(mq_totp_base32(a, SEED, 20, &b32), MQ_OK);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(mq_totp_uri(a, "Marquee", "zoë+tv@example.org", b32, &uri), MQ_OK);
    assert_string_equal(uri, "otpauth://totp/Marquee:zo%C3%AB%2Btv%40example.org?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Marquee&algorithm=SHA1"
                             "&digits=6&period=30");
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_window_is_one_step),
        cmocka_unit_test(test_base32_and_uri),
    };
    return RUN(tests);
}
