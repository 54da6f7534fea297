#include "test.h"

#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

static void test_cap_is_hard(void **state)
{
    (void)state;
    struct mq_buf b;
    mq_buf_init(&b, 10);
    assert_int_equal(mq_buf_adds(&b, "12345"), MQ_OK);
    assert_int_equal(mq_buf_adds(&b, "67890"), MQ_OK);
    assert_int_equal(mq_buf_adds(&b, "x"), MQ_ETOOBIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "1234567890");
    assert_int_equal(mq_buf_printf(&b, "%d", 1), MQ_ETOOBIG);
    mq_buf_cleanup(&b);
}

static void test_fixed_storage(void **state)
{
    (void)state;
    char store[8];
    struct mq_buf b;
    mq_buf_init_fixed(&b, store, sizeof(store));
    assert_int_equal(mq_buf_adds(&b, "1234567"), MQ_OK);
    assert_int_equal(mq_buf_adds(&b, "8"), MQ_ETOOBIG);
    assert_string_equal(store, "1234567");
    mq_buf_cleanup(&b); /* must not free caller storage */
}

static void test_json_escape(void **state)
{
    (void)state;
    struct mq_buf b;
    mq_buf_init(&b, 1024);
    const char in[] = "a\"b\\c\n\x01\x7f\xff\xc3\xa9";
    assert_int_equal(mq_buf_add_json_str(&b, in, sizeof(in) - 1), MQ_OK);
    assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001\\u007f\xef\xbf\xbd\xc3\xa9");
    mq_buf_cleanup(&b);
}

/* Outside text kept short: never a cut character, never a control. */
static void test_utf8_clip(void **state)
{
    (void)state;
    char out[12];
    assert_string_equal(mq_utf8_clip("curl/8.0", out, sizeof(out)), "curl/8.0");
    assert_string_equal(mq_utf8_clip("exactly 11b", out, sizeof(out)), "exactly 11b");
    assert_string_equal(mq_utf8_clip("twelve bytes", out, sizeof(out)), "twelve b...");
    assert_string_equal(mq_utf8_clip("a\r\nb\x01\x7f", out, sizeof(out)), "a??b??");
    assert_string_equal(mq_utf8_clip("\xff\xfe\xc3", out, sizeof(out)), "???");
    /* "éééééé" is 12 bytes: cut between characters, not inside one. */
    assert_string_equal(
        mq_utf8_clip("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", out, sizeof(out)),
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
    assert_true(mq_utf8_valid(out, strlen(out)));
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(mq_utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x8e\xac", 16));
    assert_false(mq_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(mq_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
    assert_false(mq_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(mq_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(mq_utf8_valid("\xe2\x82", 2));         /* truncated */
    assert_false(mq_utf8_valid("\x80", 1));             /* lone continuation */
    assert_true(mq_utf8_valid("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_is_hard), cmocka_unit_test(test_fixed_storage),
        cmocka_unit_test(test_json_escape), cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_clip),
    };
    return RUN(tests);
}
