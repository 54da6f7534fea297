#include "crypto/jwt.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static char *b64(struct mq_arena *a, const void *data, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, B64);
    char *out = mq_arena_alloc(a, len);
    return out ? sodium_bin2base64(out, len, data, n, B64) : NULL;
}

/* Decodes exactly n bytes of base64url (no padding) into the arena. */
static unsigned char *unb64(struct mq_arena *a, const char *s, size_t n, size_t *len)
{
    unsigned char *out = mq_arena_alloc(a, n + 1);
    const char *end = NULL;
    if (!out || sodium_base642bin(out, n, s, n, NULL, len, &end, B64) || end != s + n) return NULL;
    out[*len] = '\0';
    return out;
}

void mq_jwk_thumbprint(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char out[MQ_KID_LEN + 1])
{
    /* RFC 7638: SHA-256 of the required members, in lexicographic order. */
    char x[64], canon[128];
    unsigned char digest[crypto_hash_sha256_BYTES];
    sodium_bin2base64(x, sizeof(x), pk, crypto_sign_PUBLICKEYBYTES, B64);
    int n = snprintf(canon, sizeof(canon), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
    crypto_hash_sha256(digest, (const unsigned char *)canon, (unsigned long long)n);
    sodium_bin2base64(out, MQ_KID_LEN + 1, digest, sizeof(digest), B64);
}

void mq_signing_key_from_seed(const unsigned char seed[crypto_sign_SEEDBYTES],
                              struct mq_signing_key *out)
{
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    mq_jwk_thumbprint(out->pk, out->kid);
}

mq_err mq_jws_sign(struct mq_arena *a, const struct mq_signing_key *key, const char *header_json,
                   const char *payload, size_t len, char **out)
{
    unsigned char sig[crypto_sign_BYTES];
    char *h = b64(a, header_json, strlen(header_json));
    char *p = b64(a, payload, len);
    if (!h || !p) return MQ_ENOMEM;
    char *input = mq_arena_printf(a, "%s.%s", h, p);
    if (!input) return MQ_ENOMEM;
    crypto_sign_detached(sig, NULL, (const unsigned char *)input, strlen(input), key->sk);
    char *s = b64(a, sig, sizeof(sig));
    if (!s) return MQ_ENOMEM;
    *out = mq_arena_printf(a, "%s.%s", input, s);
    return *out ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_jwt_issue(struct mq_arena *a, const struct mq_signing_key *key,
                    const struct mq_jwt_claims *c, char **token)
{
    char header[128];
    snprintf(header, sizeof(header), "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
             key->kid);
    json_t *claims = json_pack("{s:I,s:I}", "iat", (json_int_t)c->iat, "exp", (json_int_t)c->exp);
    const char *names[] = {"iss", "aud", "sub", "sid", "jti"};
    const char *values[] = {c->iss, c->aud, c->sub, c->sid, c->jti};
    for (size_t i = 0; claims && i < 5; i++)
        if (values[i]) json_object_set_new(claims, names[i], json_string(values[i]));
    if (claims && c->act_sub)
        json_object_set_new(claims, "act", json_pack("{s:s}", "sub", c->act_sub));
    char *payload = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(claims);
    if (!payload) return MQ_ENOMEM;
    mq_err err = mq_jws_sign(a, key, header, payload, strlen(payload), token);
    free(payload);
    return err;
}

static const char *claim_str(struct mq_arena *a, json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));
    return s ? mq_arena_strdup(a, s) : NULL;
}

static bool audience_matches(json_t *aud, const char *want)
{
    if (json_is_string(aud)) return !strcmp(json_string_value(aud), want);
    size_t i;
    json_t *v;
    json_array_foreach(aud, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), want)) return true;
    return false;
}

mq_err mq_jwt_verify(struct mq_arena *a, const char *token, mq_jwt_key_fn keys, void *cls,
                     const struct mq_jwt_expect *expect, struct mq_jwt_claims *out,
                     const char **why)
{
    json_t *header = NULL, *claims = NULL;
    mq_err err = MQ_EPERM;
    size_t n = strlen(token), hlen = 0, plen = 0, slen = 0;
    memset(out, 0, sizeof(*out));

    *why = "malformed token";
    if (n > MQ_JWT_MAX) goto out;
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || strchr(dot2 + 1, '.')) goto out;
    unsigned char *h = unb64(a, token, (size_t)(dot1 - token), &hlen);
    unsigned char *p = unb64(a, dot1 + 1, (size_t)(dot2 - dot1 - 1), &plen);
    unsigned char *sig = unb64(a, dot2 + 1, strlen(dot2 + 1), &slen);
    if (!h || !p || !sig) goto out;
    header = json_loadb((const char *)h, hlen, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(header)) goto out;

    /* The algorithm is fixed: whatever else a token claims is refused. */
    const char *alg = json_string_value(json_object_get(header, "alg"));
    if (!alg || strcmp(alg, "EdDSA")) {
        *why = "algorithm not allowed (only EdDSA)";
        goto out;
    }
    if (json_object_get(header, "crit")) {
        *why = "critical header extensions are not supported";
        goto out;
    }
    const char *kid = json_string_value(json_object_get(header, "kid"));
    const unsigned char *pk = kid ? keys(cls, kid) : NULL;
    if (!pk) {
        *why = "unknown signing key";
        goto out;
    }
    if (slen != crypto_sign_BYTES || crypto_sign_verify_detached(sig, (const unsigned char *)token,
                                                                 (size_t)(dot2 - token), pk)) {
        *why = "bad signature";
        goto out;
    }

    claims = json_loadb((const char *)p, plen, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(claims)) goto out;
    json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
    if (!json_is_integer(exp) || !json_is_integer(iat)) {
        *why = "exp and iat are required";
        goto out;
    }
    out->exp = json_integer_value(exp);
    out->iat = json_integer_value(iat);
    if (expect->now > out->exp + expect->leeway) {
        *why = "expired";
        goto out;
    }
    if (out->iat > expect->now + expect->leeway) {
        *why = "issued in the future";
        goto out;
    }
    json_t *nbf = json_object_get(claims, "nbf");
    if (nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > expect->now + expect->leeway)) {
        *why = "not valid yet";
        goto out;
    }
    out->iss = claim_str(a, claims, "iss");
    if (expect->iss && (!out->iss || strcmp(out->iss, expect->iss))) {
        *why = "wrong issuer";
        goto out;
    }
    if (expect->aud && !audience_matches(json_object_get(claims, "aud"), expect->aud)) {
        *why = "wrong audience";
        goto out;
    }
    out->aud = expect->aud;
    out->sub = claim_str(a, claims, "sub");
    out->sid = claim_str(a, claims, "sid");
    out->act_sub = claim_str(a, json_object_get(claims, "act"), "sub");
    out->jti = claim_str(a, claims, "jti");
    *why = NULL;
    err = MQ_OK;
out:
    json_decref(header);
    json_decref(claims);
    return err;
}
