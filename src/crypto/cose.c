#include "crypto/cose.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/cbor.h"
#include "crypto/libcrypto.h"

/* COSE labels (RFC 9052 §7.1, RFC 9053 §7). */
#define KTY         1
#define ALG         3
#define CRV         (-1) /* EC2 and OKP */
#define X           (-2)
#define Y           (-3)
#define RSA_N       (-1) /* RSA (RFC 8230) */
#define RSA_E       (-2)
#define KTY_OKP     1
#define KTY_EC2     2
#define KTY_RSA     3
#define CRV_P256    1
#define CRV_ED25519 6

struct mq_cose_key {
    int alg;
    EVP_PKEY *pkey;
};

/* A CBOR integer as int64, if it is one. */
static bool cbor_int(const cbor_item_t *it, int64_t *out)
{
    if (cbor_isa_uint(it)) {
        uint64_t v = cbor_get_int(it);
        if (v > INT64_MAX) return false;
        *out = (int64_t)v;
        return true;
    }
    if (cbor_isa_negint(it)) {
        uint64_t v = cbor_get_int(it);
        if (v > INT64_MAX) return false;
        *out = -1 - (int64_t)v;
        return true;
    }
    return false;
}

static const cbor_item_t *map_get(const cbor_item_t *map, int64_t label)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        int64_t k;
        if (cbor_int(pairs[i].key, &k) && k == label) return pairs[i].value;
    }
    return NULL;
}

static bool bytes_of(const cbor_item_t *it, const unsigned char **p, size_t *len)
{
    if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it)) return false;
    *p = cbor_bytestring_handle(it);
    *len = cbor_bytestring_length(it);
    return true;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = C->OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = C->EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && C->EVP_PKEY_fromdata_init(ctx) == 1)
        (void)C->EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    C->EVP_PKEY_CTX_free(ctx);
    C->OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *ec2_key(const cbor_item_t *map, const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    const unsigned char *x, *y;
    size_t xl, yl;
    int64_t crv;
    unsigned char point[65];
    const cbor_item_t *c = map_get(map, CRV);
    if (!c || !cbor_int(c, &crv) || crv != CRV_P256) {
        *why = "the EC2 key is not on P-256";
        return NULL;
    }
    if (!bytes_of(map_get(map, X), &x, &xl) || !bytes_of(map_get(map, Y), &y, &yl) || xl != 32 ||
        yl != 32) {
        *why = "the EC2 key's coordinates are not 32 bytes each";
        return NULL;
    }
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    OSSL_PARAM_BLD *bld = C->OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld &&
        C->OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        C->OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
        pkey = from_params("EC", bld);
    C->OSSL_PARAM_BLD_free(bld);
    /* A point off the curve would make verification meaningless. */
    EVP_PKEY_CTX *check = pkey ? C->EVP_PKEY_CTX_new(pkey, NULL) : NULL;
    if (pkey && (!check || C->EVP_PKEY_public_check(check) != 1)) {
        C->EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    C->EVP_PKEY_CTX_free(check);
    if (!pkey) *why = "the EC2 key is not a point on P-256";
    return pkey;
}

static EVP_PKEY *rsa_key(const cbor_item_t *map, const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    const unsigned char *n, *e;
    size_t nl, el;
    if (!bytes_of(map_get(map, RSA_N), &n, &nl) || !bytes_of(map_get(map, RSA_E), &e, &el) ||
        nl < 256 || nl > 512 || el == 0 || el > 8) {
        *why = "the RSA key is not 2048 to 4096 bits with a small exponent";
        return NULL;
    }
    BIGNUM *bn = C->BN_bin2bn(n, (int)nl, NULL), *be = C->BN_bin2bn(e, (int)el, NULL);
    OSSL_PARAM_BLD *bld = C->OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bn && be && bld && C->OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        C->OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
        pkey = from_params("RSA", bld);
    C->OSSL_PARAM_BLD_free(bld);
    C->BN_free(bn);
    C->BN_free(be);
    if (!pkey) *why = "the RSA key does not load";
    return pkey;
}

static EVP_PKEY *okp_key(const cbor_item_t *map, const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    const unsigned char *x;
    size_t xl;
    int64_t crv;
    const cbor_item_t *c = map_get(map, CRV);
    if (!c || !cbor_int(c, &crv) || crv != CRV_ED25519 || !bytes_of(map_get(map, X), &x, &xl) ||
        xl != 32) {
        *why = "the OKP key is not an Ed25519 key";
        return NULL;
    }
    EVP_PKEY *pkey = C->EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl);
    if (!pkey) *why = "the Ed25519 key does not load";
    return pkey;
}

mq_err mq_cose_key_from_cbor(const cbor_item_t *map, struct mq_cose_key **out, const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    if (!C) {
        *why = "WebAuthn needs libcrypto (Debian package libssl3), which does not load";
        return MQ_EUNSUPPORTED;
    }
    int64_t kty, alg;
    EVP_PKEY *pkey = NULL;
    *out = NULL;
    if (!map || !cbor_isa_map(map) || !cbor_map_is_definite(map)) {
        *why = "the public key is not a COSE_Key map";
        return MQ_EPERM;
    }
    if (!map_get(map, KTY) || !cbor_int(map_get(map, KTY), &kty) || !map_get(map, ALG) ||
        !cbor_int(map_get(map, ALG), &alg)) {
        *why = "the COSE_Key has no kty or alg";
        return MQ_EPERM;
    }
    if (kty == KTY_EC2 && alg == MQ_COSE_ES256) {
        pkey = ec2_key(map, why);
    } else if (kty == KTY_RSA && alg == MQ_COSE_RS256) {
        pkey = rsa_key(map, why);
    } else if (kty == KTY_OKP && alg == MQ_COSE_EDDSA) {
        pkey = okp_key(map, why);
    } else {
        *why = "the key's type and algorithm are not ES256, RS256 or EdDSA";
        return MQ_EPERM;
    }
    if (!pkey) return MQ_EPERM;
    struct mq_cose_key *k = calloc(1, sizeof(*k));
    if (!k) {
        C->EVP_PKEY_free(pkey);
        return MQ_ENOMEM;
    }
    k->alg = (int)alg;
    k->pkey = pkey;
    *out = k;
    return MQ_OK;
}

mq_err mq_cose_key_parse(const unsigned char *cbor, size_t len, struct mq_cose_key **out,
                         const char **why)
{
    size_t used = 0;
    cbor_item_t *item = mq_cbor_load(cbor, len, &used);
    if (!item || used != len) {
        if (item) cbor_decref(&item);
        *why = "the public key is not CBOR";
        return MQ_EPERM;
    }
    mq_err err = mq_cose_key_from_cbor(item, out, why);
    cbor_decref(&item);
    return err;
}

void mq_cose_key_free(struct mq_cose_key *k)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    if (!k) return;
    C->EVP_PKEY_free(k->pkey);
    free(k);
}

int mq_cose_key_alg(const struct mq_cose_key *k)
{
    return k->alg;
}

bool mq_cose_verify_pkey(void *evp_pkey, int alg, const unsigned char *msg, size_t len,
                         const unsigned char *sig, size_t sig_len)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    EVP_PKEY *pkey = evp_pkey;
    const EVP_MD *md = NULL;
    if (!C || !pkey) return false; /* a certificate whose key does not load */
    int type = C->EVP_PKEY_get_base_id(pkey);
    if (alg == MQ_COSE_ES256 && type == EVP_PKEY_EC)
        md = C->EVP_sha256();
    else if (alg == MQ_COSE_RS256 && type == EVP_PKEY_RSA)
        md = C->EVP_sha256();
    else if (!(alg == MQ_COSE_EDDSA && type == EVP_PKEY_ED25519))
        return false; /* the algorithm must fit the key */
    EVP_MD_CTX *ctx = C->EVP_MD_CTX_new();
    bool ok = ctx && C->EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
              C->EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
    C->EVP_MD_CTX_free(ctx);
    return ok;
}

bool mq_cose_verify(const struct mq_cose_key *k, const unsigned char *msg, size_t len,
                    const unsigned char *sig, size_t sig_len)
{
    return mq_cose_verify_pkey(k->pkey, k->alg, msg, len, sig, sig_len);
}
