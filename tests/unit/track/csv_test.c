#include "test.h"

#include <string.h>

#include "track/csv.h"

static void read_all(struct mq_arena *a, const char *text, size_t n, struct mq_csv_row *rows,
                     size_t *count)
{
    struct mq_csv c;
    mq_csv_init(&c, text, n);
    *count = 0;
    while (*count < 16 && mq_csv_next(&c, a, &rows[*count])) ++*count;
}

static void test_rfc4180(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    const char text[] = "\xef\xbb\xbfTitle,Date\r\n"
                        "\"Lupin: Part 1: Chapter 1\",\"1/8/21\"\r\n"
                        "\"Say \"\"hi\"\"\",\"a,b\"\n"
                        "\"two\nlines\",x\n"
                        "\n"
                        "plain,\"\"\n"
                        "last,no newline";
    struct mq_csv_row r[16];
    size_t n;
    read_all(a, text, sizeof(text) - 1, r, &n);
    assert_int_equal(n, 7);
    assert_int_equal(r[0].n, 2);
    assert_string_equal(r[0].fields[0], "Title"); /* the byte order mark is gone */
    assert_string_equal(r[1].fields[0], "Lupin: Part 1: Chapter 1");
    assert_string_equal(r[1].fields[1], "1/8/21"); /* no \r */
    assert_string_equal(r[2].fields[0], "Say \"hi\"");
    assert_string_equal(r[2].fields[1], "a,b");
    assert_string_equal(r[3].fields[0], "two\nlines");
    assert_int_equal(r[3].line, 4);
    assert_true(r[4].blank);
    assert_int_equal(r[4].line, 6);
    assert_string_equal(r[5].fields[1], "");
    assert_int_equal(r[6].line, 8);
    assert_string_equal(r[6].fields[1], "no newline");
    for (size_t i = 0; i < n; i++) assert_null(r[i].error);
    assert_int_equal(r[2].raw_len, strlen("\"Say \"\"hi\"\"\",\"a,b\""));
    mq_arena_free(a);
}

static void test_malformed_rows_do_not_sink_the_rest(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    const char text[] = "a,b\n\"open,never closed\nc,d\nbad \xff byte,e\nf,g";
    struct mq_csv_row r[16];
    size_t n;
    read_all(a, text, sizeof(text) - 1, r, &n);
    assert_int_equal(n, 5);
    assert_null(r[0].error);
    assert_string_equal(r[1].error, "unterminated_quote");
    assert_int_equal(r[1].line, 2);
    assert_string_equal(r[2].fields[0], "c");
    assert_int_equal(r[2].line, 3);
    assert_string_equal(r[3].error, "invalid_utf8");
    assert_string_equal(r[4].fields[1], "g");
    /* Stray quotes inside and after fields are characters. */
    const char odd[] = "it's a \"quote\",\"closed\"tail\n";
    read_all(a, odd, sizeof(odd) - 1, r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].fields[0], "it's a \"quote\"");
    assert_string_equal(r[0].fields[1], "closedtail");
    /* Too many fields. */
    char wide[200];
    memset(wide, ',', 100);
    wide[100] = '\0';
    read_all(a, wide, 100, r, &n);
    assert_string_equal(r[0].error, "too_many_fields");
    mq_arena_free(a);
}

static void test_encodings(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    const char *out, *why = NULL;
    size_t n;
    /* UTF-16LE with its mark: "Tí,1\n". */
    const char le[] = "\xff\xfeT\0\xed\0,\0"
                      "1\0\n\0";
    assert_int_equal(mq_csv_text(a, le, sizeof(le) - 1, &out, &n, &why), MQ_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "T\xc3\xad,1\n", 6);
    const char be[] = "\xfe\xff\0T\0,\0"
                      "1";
    assert_int_equal(mq_csv_text(a, be, sizeof(be) - 1, &out, &n, &why), MQ_OK);
    assert_memory_equal(out, "T,1", 3);
    /* A lone surrogate, an odd length, NUL bytes without a mark. */
    assert_int_equal(mq_csv_text(a, "\xff\xfe\x00\xd8", 4, &out, &n, &why), MQ_EINVAL);
    assert_string_equal(why, "invalid_utf16");
    assert_int_equal(mq_csv_text(a,
                                 "\xff\xfe"
                                 "a",
                                 3, &out, &n, &why),
                     MQ_EINVAL);
    assert_int_equal(mq_csv_text(a, "PK\x03\x04\0\0", 6, &out, &n, &why), MQ_EINVAL);
    assert_string_equal(why, "not_text");
    /* UTF-8 with a mark: the mark goes, nothing is copied. */
    const char u8[] = "\xef\xbb\xbfTitle";
    assert_int_equal(mq_csv_text(a, u8, sizeof(u8) - 1, &out, &n, &why), MQ_OK);
    assert_ptr_equal(out, u8 + 3);
    assert_true(mq_csv_formula("=HYPERLINK(1)") && mq_csv_formula("+1") && mq_csv_formula("-1") &&
                mq_csv_formula("@SUM") && mq_csv_formula("\tx") && !mq_csv_formula("Heat"));
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4180),
        cmocka_unit_test(test_malformed_rows_do_not_sink_the_rest),
        cmocka_unit_test(test_encodings),
    };
    return RUN(tests);
}
