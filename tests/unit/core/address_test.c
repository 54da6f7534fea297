/* E-mail addresses as Unicode: normal forms, refusals, skeletons. */
#include "test.h"

#include <string.h>

#include "core/address.h"

static void normal(const char *in, const char *want)
{
    char out[MQ_EMAIL_MAX + 1];
    struct mq_refusal why = {0};
    assert_int_equal(mq_address_normalize(in, out, &why), MQ_OK);
    assert_string_equal(out, want);
}

static void refused(const char *in, const char *code)
{
    char out[MQ_EMAIL_MAX + 1];
    struct mq_refusal why = {0};
    assert_int_equal(mq_address_normalize(in, out, &why), MQ_EINVAL);
    assert_string_equal(why.code, code);
}

static void test_normal_forms(void **state)
{
    (void)state;
    normal("Ada.Lovelace+films@Example.org", "Ada.Lovelace+films@Example.org");
    normal("caf\xc3\xa9@example.test", "caf\xc3\xa9@example.test");             /* composed */
    normal("cafe\xcc\x81@example.test", "caf\xc3\xa9@example.test");            /* decomposed */
    normal("zo\xc3\xab@CAF\xc3\x89.example", "zo\xc3\xab@caf\xc3\xa9.example"); /* UTS #46 */
    normal("\xe5\xb1\xb1\xe7\x94\xb0@\xe4\xbe\x8b\xe3\x81\x88.jp",              /* Han + Kana */
           "\xe5\xb1\xb1\xe7\x94\xb0@\xe4\xbe\x8b\xe3\x81\x88.jp");
    normal("\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@example.ru", /* all Cyrillic: one script */
           "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@example.ru");
}

static void test_refusals(void **state)
{
    (void)state;
    refused("admin\xe2\x80\x8b@example.test", "invisible_character"); /* U+200B */
    refused("ad\xe2\x80\xaemin@example.test", "invisible_character"); /* U+202E bidi */
    refused("ad\xc2\xadmin@example.test", "invisible_character");     /* soft hyphen */
    refused("\xd0\xb0"
            "dmin@example.test",
            "mixed_scripts");                              /* Cyrillic a */
    refused("admin@ex\xd0\xb0mple.test", "mixed_scripts"); /* in the domain */
    refused("admin@xn--.test", "invalid_email");
    refused("not an address", "invalid_email");
    refused("a@-bad-.test", "invalid_email");
}

static void test_keys_and_skeletons(void **state)
{
    (void)state;
    char k1[MQ_EMAIL_MAX + 1], k2[MQ_EMAIL_MAX + 1];
    mq_address_key("Cafe\xcc\x81@Example.TEST", k1);
    mq_address_key("caf\xc3\xa9@example.test", k2);
    assert_string_equal(k1, k2);
    mq_address_key("\xff not valid", k1); /* never refuses */
    assert_string_equal(k1, "\xff not valid");

    struct mq_skeletons *sk = NULL;
    char s1[MQ_SKELETON_MAX + 1], s2[MQ_SKELETON_MAX + 1];
    assert_int_equal(mq_skeletons_open(&sk), MQ_OK);
    assert_true(mq_skeleton(sk, "admin@example.test", s1));
    assert_true(mq_skeleton(sk, "adm\xc4\xb1n@example.test", s2)); /* dotless i */
    assert_string_equal(s1, s2);
    assert_true(mq_skeleton(sk,
                            "\xd0\xb0"
                            "dmin@example.test",
                            s2)); /* Cyrillic a */
    assert_string_equal(s1, s2);
    assert_true(mq_skeleton(sk, "adrnin@example.test", s2));
    assert_string_equal(s1, s2); /* "rn" passes for "m" */
    assert_true(mq_skeleton(sk, "ADMIN@EXAMPLE.TEST", s2));
    assert_string_equal(s1, s2); /* case folded */
    assert_true(mq_skeleton(sk, "bob@example.test", s2));
    assert_string_not_equal(s1, s2);
    mq_skeletons_close(sk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_forms),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_keys_and_skeletons),
    };
    return RUN(tests);
}
