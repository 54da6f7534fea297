/* JWS/JWT: the RFC 8037 test vectors, then hostile tokens. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "crypto/jwt.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static struct mq_signing_key rfc_key;

static int setup(void **state)
{
    (void)state;
    unsigned char seed[32];
    size_t len = 0;
    assert_int_equal(sodium_init() >= 0, 1);
    /* RFC 8037 appendix A.1 */
    const char *d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    assert_int_equal(sodium_base642bin(seed, sizeof(seed), d, strlen(d), NULL, &len, NULL, B64), 0);
    assert_int_equal(len, 32);
    mq_signing_key_from_seed(seed, &rfc_key);
    return 0;
}

static const unsigned char *lookup(void *cls, const char *kid)
{
    const struct mq_signing_key *k = cls;
    return strcmp(kid, k->kid) ? NULL : k->pk;
}

static void test_rfc8037_vectors(void **state)
{
    (void)state;
    char x[64];
    struct mq_arena *a = mq_arena_new(0);
    sodium_bin2base64(x, sizeof(x), rfc_key.pk, sizeof(rfc_key.pk), B64);
    assert_string_equal(x, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");           /* A.2 */
    assert_string_equal(rfc_key.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"); /* A.3 */
    char *jws = NULL;
    const char *payload = "Example of Ed25519 signing";
    assert_int_equal(
        mq_jws_sign(a, &rfc_key, "{\"alg\":\"EdDSA\"}", payload, strlen(payload), &jws), MQ_OK);
    assert_string_equal(jws,
                        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9"
                        "g7sVvpAr_MuM0KAg"); /* A.4 */
    mq_arena_free(a);
}

static const struct mq_jwt_expect expect = {"https://media.example", "marquee", 1795000000, 30};

/* Issues a token into the arena; *out is the caller's. */
static char *issue_into(char **out, struct mq_arena *a, int64_t iat, int64_t exp, const char *iss,
                        const char *aud)
{
    struct mq_jwt_claims c = {.iss = iss,
                              .aud = aud,
                              .sub = "user-1",
                              .sid = "session-1",
                              .jti = "jti-1",
                              .iat = iat,
                              .exp = exp};
    assert_int_equal(mq_jwt_issue(a, &rfc_key, &c, out), MQ_OK);
    return *out;
}

#define issue(...) issue_into(&issued, __VA_ARGS__)

static void refused(struct mq_arena *a, const char *token, const char *want)
{
    struct mq_jwt_claims c;
    const char *why = NULL;
    assert_int_equal(mq_jwt_verify(a, token, lookup, &rfc_key, &expect, &c, &why), MQ_EPERM);
    assert_non_null(why);
    if (want && !strstr(why, want)) fail_msg("refused as \"%s\", wanted \"%s\"", why, want);
}

/* Builds header.payload.signature from raw parts, signed or not. */
static char *forge(struct mq_arena *a, const char *header, const char *payload, const char *sig)
{
    char h[512], p[512];
    sodium_bin2base64(h, sizeof(h), (const unsigned char *)header, strlen(header), B64);
    sodium_bin2base64(p, sizeof(p), (const unsigned char *)payload, strlen(payload), B64);
    return mq_arena_printf(a, "%s.%s.%s", h, p, sig);
}

static void test_round_trip_and_claims(void **state)
{
    (void)state;
    char *issued = NULL;
    struct mq_arena *a = mq_arena_new(0);
    struct mq_jwt_claims c;
    const char *why = NULL;
    char *t = issue(a, expect.now, expect.now + 900, expect.iss, expect.aud);
    assert_int_equal(mq_jwt_verify(a, t, lookup, &rfc_key, &expect, &c, &why), MQ_OK);
    assert_string_equal(c.sub, "user-1");
    assert_string_equal(c.sid, "session-1");
    assert_string_equal(c.jti, "jti-1");
    assert_int_equal(c.exp, expect.now + 900);

    refused(a, issue(a, expect.now - 1000, expect.now - 31, expect.iss, expect.aud), "expired");
    /* Within the leeway, an expiry is forgiven. */
    t = issue(a, expect.now - 1000, expect.now - 29, expect.iss, expect.aud);
    assert_int_equal(mq_jwt_verify(a, t, lookup, &rfc_key, &expect, &c, &why), MQ_OK);
    refused(a, issue(a, expect.now + 60, expect.now + 900, expect.iss, expect.aud), "future");
    refused(a, issue(a, expect.now, expect.now + 900, "https://evil.example", expect.aud),
            "issuer");
    refused(a, issue(a, expect.now, expect.now + 900, NULL, expect.aud), "issuer");
    refused(a, issue(a, expect.now, expect.now + 900, expect.iss, "someone-else"), "audience");
    mq_arena_free(a);
}

static void test_hostile_tokens(void **state)
{
    (void)state;
    char *issued = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char claims[256];
    snprintf(claims, sizeof(claims),
             "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"admin\",\"iat\":%lld,\"exp\":%lld}",
             expect.iss, expect.aud, (long long)expect.now, (long long)expect.now + 900);
    char header[128];

    /* alg none, with and without a signature part. */
    refused(a, forge(a, "{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, ""), "algorithm");
    refused(a, forge(a, "{\"alg\":\"None\"}", claims, "AAAA"), "algorithm");
    /* HS256 keyed with our public key: the classic confusion attack. */
    {
        char h[512], p[512], input[1100], mac64[64];
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        sodium_bin2base64(h, sizeof(h), (const unsigned char *)"{\"alg\":\"HS256\"}", 15, B64);
        sodium_bin2base64(p, sizeof(p), (const unsigned char *)claims, strlen(claims), B64);
        snprintf(input, sizeof(input), "%s.%s", h, p);
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, rfc_key.pk, sizeof(rfc_key.pk));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)input, strlen(input));
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_bin2base64(mac64, sizeof(mac64), mac, sizeof(mac), B64);
        refused(a, mq_arena_printf(a, "%s.%s", input, mac64), "algorithm");
    }
    refused(a, forge(a, "{\"alg\":\"RS256\",\"kid\":\"x\"}", claims, "AAAA"), "algorithm");
    refused(a, forge(a, "{\"alg\":\"ES256\"}", claims, "AAAA"), "algorithm");
    refused(a, forge(a, "{\"alg\":[\"EdDSA\"]}", claims, "AAAA"), "algorithm");
    /* EdDSA, but an unknown key, no key, or a forged signature. */
    snprintf(header, sizeof(header), "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", "not-our-key");
    refused(a, forge(a, header, claims, "AAAA"), "unknown signing key");
    refused(a, forge(a, "{\"alg\":\"EdDSA\"}", claims, "AAAA"), "unknown signing key");
    snprintf(header, sizeof(header), "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", rfc_key.kid);
    char zeros[100];
    memset(zeros, 'A', 86);
    zeros[86] = '\0';
    refused(a, forge(a, header, claims, zeros), "bad signature");
    snprintf(header, sizeof(header), "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"crit\":[\"b64\"]}",
             rfc_key.kid);
    refused(a, forge(a, header, claims, zeros), "critical");

    /* A genuine token, altered. */
    char *t = issue(a, expect.now, expect.now + 900, expect.iss, expect.aud);
    size_t at = (size_t)(strchr(t, '.') - t) + 5;
    char *tampered = mq_arena_strdup(a, t);
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A'; /* flip a payload byte */
    refused(a, tampered, NULL);
    refused(a, mq_arena_printf(a, "%s.", t), "malformed"); /* four parts */
    refused(a, "a.b", "malformed");
    refused(a, "", "malformed");
    refused(a, "!!!.###.$$$", "malformed");
    char big[MQ_JWT_MAX + 10];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    refused(a, big, "malformed");
    /* Duplicate claims are ambiguous: refused. */
    snprintf(
        claims, sizeof(claims),
        "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"a\",\"sub\":\"b\",\"iat\":%lld,\"exp\":%lld}",
        expect.iss, expect.aud, (long long)expect.now, (long long)expect.now + 900);
    char *dup = NULL;
    assert_int_equal(mq_jws_sign(a, &rfc_key, header, claims, strlen(claims), &dup), MQ_OK);
    refused(a, dup, NULL);
    mq_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8037_vectors),
        cmocka_unit_test(test_round_trip_and_claims),
        cmocka_unit_test(test_hostile_tokens),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
