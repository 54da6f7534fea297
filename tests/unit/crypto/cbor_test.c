/* The bounded CBOR load (crypto/cbor.h): what libcbor alone would have
 * allocated gigabytes for is refused before it is loaded. */
#include "test.h"

#include <string.h>

#include "crypto/cbor.h"

static cbor_item_t *load(const unsigned char *data, size_t len, size_t *used)
{
    *used = 0;
    return mq_cbor_load(data, len, used);
}

static void test_well_formed_items_load_and_say_where_they_end(void **state)
{
    (void)state;
    size_t used;
    /* {1: -7, "k": h'0102'} then two trailing bytes that are not the item's */
    static const unsigned char map[] = {0xa2, 0x01, 0x26, 0x61, 'k', 0x42, 0x01, 0x02, 0xff, 0x00};
    cbor_item_t *item = load(map, sizeof(map), &used);
    assert_non_null(item);
    assert_int_equal(used, 8);
    assert_true(cbor_isa_map(item) && cbor_map_size(item) == 2);
    cbor_decref(&item);
    /* [[], {}, tag 1 (0), [[[1]]]] */
    static const unsigned char nested[] = {0x84, 0x80, 0xa0, 0xc1, 0x00, 0x81, 0x81, 0x81, 0x01};
    item = load(nested, sizeof(nested), &used);
    assert_non_null(item);
    assert_int_equal(used, sizeof(nested));
    cbor_decref(&item);
    static const unsigned char one[] = {0x18, 0x64};
    item = load(one, sizeof(one), &used);
    assert_non_null(item);
    assert_int_equal(cbor_get_uint8(item), 100);
    cbor_decref(&item);
}

static void test_what_claims_more_than_it_holds_is_refused(void **state)
{
    (void)state;
    size_t used;
    /* An array of 2^27 entries in ten bytes: a gigabyte for libcbor alone. */
    static const unsigned char huge_array[] = {0x9b, 0, 0, 0, 0, 0x08, 0, 0, 0, 0x01};
    assert_null(load(huge_array, sizeof(huge_array), &used));
    static const unsigned char huge_map[] = {0xba, 0x10, 0, 0, 0, 0x01, 0x02};
    assert_null(load(huge_map, sizeof(huge_map), &used));
    static const unsigned char huge_bytes[] = {0x5b, 0, 0, 0, 0x10, 0, 0, 0, 0, 0x01};
    assert_null(load(huge_bytes, sizeof(huge_bytes), &used));
    /* Exactly as many entries as bytes is still one short of well formed. */
    static const unsigned char tight[] = {0x83, 0x01, 0x02};
    assert_null(load(tight, sizeof(tight), &used));
    static const unsigned char truncated[] = {0xa1, 0x01};
    assert_null(load(truncated, sizeof(truncated), &used));
    assert_null(load(truncated, 0, &used));
}

static void test_indefinite_lengths_and_deep_nesting_are_refused(void **state)
{
    (void)state;
    size_t used;
    static const unsigned char indefinite[] = {0x9f, 0x01, 0xff};
    assert_null(load(indefinite, sizeof(indefinite), &used));
    static const unsigned char chunked[] = {0x5f, 0x41, 0x01, 0xff};
    assert_null(load(chunked, sizeof(chunked), &used));
    unsigned char deep[MQ_CBOR_DEPTH + 2];
    memset(deep, 0x81, sizeof(deep)); /* [[[[...]]]] */
    deep[sizeof(deep) - 1] = 0x01;
    assert_null(load(deep, sizeof(deep), &used));
    cbor_item_t *item = load(deep + 1, sizeof(deep) - 1, &used); /* MQ_CBOR_DEPTH deep: fine */
    assert_non_null(item);
    cbor_decref(&item);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_items_load_and_say_where_they_end),
        cmocka_unit_test(test_what_claims_more_than_it_holds_is_refused),
        cmocka_unit_test(test_indefinite_lengths_and_deep_nesting_are_refused),
    };
    return RUN(tests);
}
