/* WebAuthn verification against public vectors (tests/fixtures/webauthn/
 * vectors.json names each one's source: the W3C WebAuthn Level 3 §16 test
 * vectors and the fixtures of py_webauthn and go-webauthn, negative ones
 * included), and every tampered variant of the good ones. */
#include "test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "crypto/webauthn.h"

#define VECTORS "tests/fixtures/webauthn/vectors.json"

static json_t *vectors;
static struct mq_arena *arena;

static struct mq_webauthn_blob blob(json_t *v, const char *key)
{
    struct mq_webauthn_blob b = {0};
    assert_true(mq_webauthn_b64url(arena, json_string_value(json_object_get(v, key)), &b));
    return b;
}

/* A copy of b with one byte changed. */
static struct mq_webauthn_blob flipped(struct mq_webauthn_blob b, size_t at)
{
    unsigned char *copy = mq_arena_alloc(arena, b.len);
    memcpy(copy, b.data, b.len);
    copy[at] ^= 0x01;
    return (struct mq_webauthn_blob){copy, b.len};
}

/* The same JSON with a space before its last brace: equal in meaning,
 * different in hash. */
static struct mq_webauthn_blob respaced(struct mq_webauthn_blob b)
{
    unsigned char *copy = mq_arena_alloc(arena, b.len + 1);
    memcpy(copy, b.data, b.len - 1);
    copy[b.len - 1] = ' ';
    copy[b.len] = '}';
    return (struct mq_webauthn_blob){copy, b.len + 1};
}

static struct mq_webauthn_rp rp_of(json_t *v, const char **origin)
{
    *origin = json_string_value(json_object_get(v, "origin"));
    return (struct mq_webauthn_rp){json_string_value(json_object_get(v, "rp_id")), origin, 1};
}

static mq_err reg(json_t *v, const struct mq_webauthn_rp *rp, struct mq_webauthn_blob challenge,
                  struct mq_webauthn_blob cd, struct mq_webauthn_blob att,
                  struct mq_webauthn_registration *out)
{
    const char *why = NULL;
    (void)v;
    mq_err err = mq_webauthn_verify_registration(arena, rp, challenge.data, challenge.len, cd, att,
                                                 false, out, &why);
    assert_true(err == MQ_OK || why);
    return err;
}

static json_t *registration_named(const char *name)
{
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(vectors, "registrations"), i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "name")), name)) return v;
    }
    return NULL;
}

static void test_registration_vectors(void **state)
{
    (void)state;
    json_t *v;
    size_t i, seen = 0;
    json_array_foreach(json_object_get(vectors, "registrations"), i, v)
    {
        const char *origin, *name = json_string_value(json_object_get(v, "name"));
        struct mq_webauthn_rp rp = rp_of(v, &origin);
        struct mq_webauthn_registration r;
        struct mq_webauthn_blob ch = blob(v, "challenge"), cd = blob(v, "clientDataJSON"),
                                att = blob(v, "attestationObject"), id = blob(v, "credential_id");
        print_message("# %s\n", name);
        if (!json_is_true(json_object_get(v, "valid"))) {
            assert_int_equal(reg(v, &rp, ch, cd, att, &r), MQ_EPERM);
            continue;
        }
        assert_int_equal(reg(v, &rp, ch, cd, att, &r), MQ_OK);
        assert_string_equal(r.fmt, json_string_value(json_object_get(v, "fmt")));
        assert_string_equal(r.attestation_type,
                            json_string_value(json_object_get(v, "attestation_type")));
        assert_int_equal(r.alg, json_integer_value(json_object_get(v, "alg")));
        assert_int_equal(r.cred_id_len, id.len);
        assert_memory_equal(r.cred_id, id.data, id.len);
        bool packed = !strcmp(r.fmt, "packed");

        /* Another challenge, origin or relying party: refused. */
        struct mq_webauthn_registration x;
        assert_int_equal(reg(v, &rp, flipped(ch, 0), cd, att, &x), MQ_EPERM);
        const char *evil = "https://evil.example";
        struct mq_webauthn_rp other_origin = {rp.id, &evil, 1};
        assert_int_equal(reg(v, &other_origin, ch, cd, att, &x), MQ_EPERM);
        struct mq_webauthn_rp other_rp = {"evil.example", &origin, 1};
        assert_int_equal(reg(v, &other_rp, ch, cd, att, &x), MQ_EPERM);
        /* Any byte of a packed attestation object changed: refused, or
         * (a byte of the certificate that no signature here covers, as
         * there is no trust anchor to check its issuer's against) the very
         * same credential: never another key accepted. A "none" object is
         * signed by nothing, so only its structure is checked. */
        for (size_t at = 0; packed && at < att.len; at++) {
            struct mq_webauthn_registration t;
            if (reg(v, &rp, ch, cd, flipped(att, at), &t) == MQ_OK) {
                assert_string_equal(t.attestation_type, "basic");
                assert_int_equal(t.cose_key_len, r.cose_key_len);
                assert_memory_equal(t.cose_key, r.cose_key, r.cose_key_len);
                assert_memory_equal(t.cred_id, r.cred_id, r.cred_id_len);
                assert_int_equal(t.sign_count, r.sign_count);
            }
        }
        if (packed) {
            /* The statement signs SHA-256(clientDataJSON): other bytes fail. */
            assert_int_equal(reg(v, &rp, ch, respaced(cd), att, &x), MQ_EPERM);
        }
        seen++;
    }
    assert_int_equal(seen, 7);
}

static void test_assertion_vectors(void **state)
{
    (void)state;
    json_t *v;
    size_t i, good = 0, bad = 0;
    json_array_foreach(json_object_get(vectors, "assertions"), i, v)
    {
        const char *origin, *why = NULL, *name = json_string_value(json_object_get(v, "name"));
        struct mq_webauthn_rp rp = rp_of(v, &origin);
        struct mq_webauthn_blob key;
        print_message("# %s\n", name);
        json_t *from = json_object_get(v, "public_key_from");
        if (from) {
            /* The key the vector's own registration made. */
            json_t *rv = registration_named(json_string_value(from));
            const char *ro;
            struct mq_webauthn_rp rrp = rp_of(rv, &ro);
            struct mq_webauthn_registration r;
            assert_int_equal(reg(rv, &rrp, blob(rv, "challenge"), blob(rv, "clientDataJSON"),
                                 blob(rv, "attestationObject"), &r),
                             MQ_OK);
            key = (struct mq_webauthn_blob){r.cose_key, r.cose_key_len};
        } else {
            key = blob(v, "public_key");
        }
        struct mq_webauthn_blob ch = blob(v, "challenge");
        struct mq_webauthn_assertion in = {blob(v, "clientDataJSON"), blob(v, "authenticatorData"),
                                           blob(v, "signature")};
        uint32_t stored = (uint32_t)json_integer_value(json_object_get(v, "stored_count"));
        uint32_t expect = (uint32_t)json_integer_value(json_object_get(v, "new_count"));
        bool uv_required = json_is_true(json_object_get(v, "require_uv"));
        uint32_t count;
        bool uv;
        mq_err err = mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &in, key.data, key.len,
                                                  stored, uv_required, &count, &uv, &why);
        if (!json_is_true(json_object_get(v, "valid"))) {
            assert_int_equal(err, MQ_EPERM);
            bad++;
            continue;
        }
        assert_int_equal(err, MQ_OK);
        assert_int_equal(count, expect);
        good++;

        /* Every tampered variant is refused. */
        struct mq_webauthn_assertion t = in;
        for (size_t at = 0; at < in.signature.len; at++) {
            t.signature = flipped(in.signature, at);
            assert_int_not_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &t, key.data,
                                                              key.len, stored, uv_required, &count,
                                                              &uv, &why),
                                 MQ_OK);
        }
        t = in;
        for (size_t at = 0; at < in.authenticator_data.len; at++) {
            t.authenticator_data = flipped(in.authenticator_data, at);
            assert_int_not_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &t, key.data,
                                                              key.len, stored, uv_required, &count,
                                                              &uv, &why),
                                 MQ_OK);
        }
        t = in;
        t.client_data = respaced(in.client_data);
        assert_int_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &t, key.data, key.len,
                                                      stored, uv_required, &count, &uv, &why),
                         MQ_EPERM);
        struct mq_webauthn_blob ch2 = flipped(ch, ch.len - 1);
        assert_int_equal(mq_webauthn_verify_assertion(&rp, ch2.data, ch2.len, &in, key.data,
                                                      key.len, stored, uv_required, &count, &uv,
                                                      &why),
                         MQ_EPERM);
        const char *evil = "https://evil.example";
        struct mq_webauthn_rp other_origin = {rp.id, &evil, 1};
        assert_int_equal(mq_webauthn_verify_assertion(&other_origin, ch.data, ch.len, &in, key.data,
                                                      key.len, stored, uv_required, &count, &uv,
                                                      &why),
                         MQ_EPERM);
        struct mq_webauthn_rp other_rp = {"evil.example", &origin, 1};
        assert_int_equal(mq_webauthn_verify_assertion(&other_rp, ch.data, ch.len, &in, key.data,
                                                      key.len, stored, uv_required, &count, &uv,
                                                      &why),
                         MQ_EPERM);
        /* A counter that does not move forward: possibly cloned. */
        if (expect > 0) {
            assert_int_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &in, key.data,
                                                          key.len, expect, uv_required, &count, &uv,
                                                          &why),
                             MQ_ECONFLICT);
            assert_int_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &in, key.data,
                                                          key.len, expect + 100, uv_required,
                                                          &count, &uv, &why),
                             MQ_ECONFLICT);
        }
        if (!uv) {
            assert_int_equal(mq_webauthn_verify_assertion(&rp, ch.data, ch.len, &in, key.data,
                                                          key.len, stored, true, &count, &uv, &why),
                             MQ_EPERM);
        }
    }
    assert_int_equal(good, 4);
    assert_int_equal(bad, 2);
}

static void test_garbage(void **state)
{
    (void)state;
    const char *origin = "https://example.org", *why = NULL;
    struct mq_webauthn_rp rp = {"example.org", &origin, 1};
    struct mq_webauthn_registration r;
    unsigned char ch[32] = {0};
    static const char *const junk[] = {"", "e30", "oA", "gA", "_w", "o2NmbXRkbm9uZQ"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct mq_webauthn_blob b = {(const unsigned char *)junk[i], strlen(junk[i])};
        assert_int_equal(
            mq_webauthn_verify_registration(arena, &rp, ch, sizeof(ch), b, b, false, &r, &why),
            MQ_EPERM);
    }
    struct mq_webauthn_blob out;
    assert_false(mq_webauthn_b64url(arena, "", &out));
    assert_false(mq_webauthn_b64url(arena, "a b", &out));
    assert_false(mq_webauthn_b64url(arena, "a+b/", &out));
    assert_true(mq_webauthn_b64url(arena, "AQID", &out));
    assert_int_equal(out.len, 3);
}

static int setup(void **state)
{
    (void)state;
    json_error_t e;
    vectors = json_load_file(VECTORS, 0, &e);
    if (!vectors) fprintf(stderr, "%s: %s\n", VECTORS, e.text);
    arena = mq_arena_new(1 << 16);
    return vectors && arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(vectors);
    mq_arena_free(arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration_vectors),
        cmocka_unit_test(test_assertion_vectors),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
