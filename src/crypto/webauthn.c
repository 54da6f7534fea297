#include "crypto/webauthn.h"

#include <cbor.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cbor.h"
#include "crypto/cose.h"
#include "crypto/libcrypto.h"

/* Authenticator data flags (§6.1). */
#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_BE 0x08
#define FLAG_BS 0x10
#define FLAG_AT 0x40
#define FLAG_ED 0x80

#define AAGUID_OID "1.3.6.1.4.1.45724.1.1.4" /* id-fido-gen-ce-aaguid */

bool mq_webauthn_b64url(struct mq_arena *a, const char *text, struct mq_webauthn_blob *out)
{
    size_t n = text ? strlen(text) : 0, len = 0;
    const char *end = NULL;
    if (!n || n > 1 << 20) return false;
    unsigned char *buf = mq_arena_alloc(a, n);
    if (!buf) return false;
    /* Browsers send it unpadded; padding is forgiven, nothing else. */
    if (sodium_base642bin(buf, n, text, n, NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        if (sodium_base642bin(buf, n, text, n, NULL, &len, &end, sodium_base64_VARIANT_URLSAFE) !=
            0)
            return false;
    }
    if (end != text + n) return false;
    out->data = buf;
    out->len = len;
    return true;
}

/* §7.1 steps 5-11 / §7.2 steps 10-14: the client's view of the ceremony. */
static mq_err check_client_data(const struct mq_webauthn_rp *rp, const char *type,
                                const unsigned char *challenge, size_t challenge_len,
                                struct mq_webauthn_blob cd, const char **why)
{
    json_error_t jerr;
    struct mq_arena *a = NULL;
    struct mq_webauthn_blob sent;
    mq_err err = MQ_EPERM;
    json_t *doc = json_loadb((const char *)cd.data, cd.len, JSON_REJECT_DUPLICATES, &jerr);
    const char *t = json_string_value(json_object_get(doc, "type"));
    const char *c = json_string_value(json_object_get(doc, "challenge"));
    const char *origin = json_string_value(json_object_get(doc, "origin"));
    json_t *cross = json_object_get(doc, "crossOrigin");
    if (!json_is_object(doc)) {
        *why = "clientDataJSON is not a JSON object";
    } else if (!t || strcmp(t, type)) {
        *why = "clientDataJSON has the wrong type";
    } else if (!c || !(a = mq_arena_new(256)) || !mq_webauthn_b64url(a, c, &sent) ||
               sent.len != challenge_len || sodium_memcmp(sent.data, challenge, challenge_len)) {
        *why = "clientDataJSON answers another challenge";
    } else if (cross && !json_is_false(cross)) {
        *why = "the ceremony ran in a cross-origin frame";
    } else {
        *why = "clientDataJSON comes from an origin that is not allowed";
        for (size_t i = 0; origin && i < rp->norigins; i++)
            if (!strcmp(origin, rp->origins[i])) err = MQ_OK;
    }
    mq_arena_free(a);
    json_decref(doc);
    return err;
}

struct auth_data {
    const unsigned char *rp_id_hash;
    unsigned flags;
    uint32_t sign_count;
    const unsigned char *aaguid, *cred_id;
    size_t cred_id_len;
    const unsigned char *cose_key;
    size_t cose_key_len;
    cbor_item_t *cose; /* the key, parsed; caller frees */
};

/* §6.1: rpIdHash, flags, signCount, then attested credential data and
 * extensions as the flags say, and nothing more. */
static mq_err parse_auth_data(struct mq_webauthn_blob b, bool want_credential, struct auth_data *ad,
                              const char **why)
{
    memset(ad, 0, sizeof(*ad));
    if (b.len < 37) { /* also an empty blob, whose data may be NULL */
        *why = "authenticator data is too short";
        return MQ_EPERM;
    }
    const unsigned char *p = b.data, *end = b.data + b.len;
    ad->rp_id_hash = p;
    ad->flags = p[32];
    ad->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
    p += 37;
    if ((ad->flags & FLAG_BS) && !(ad->flags & FLAG_BE)) {
        *why = "authenticator data says backed up but not backup eligible";
        return MQ_EPERM;
    }
    if (!!(ad->flags & FLAG_AT) != want_credential) {
        *why = want_credential ? "authenticator data carries no credential"
                               : "authenticator data carries an unexpected credential";
        return MQ_EPERM;
    }
    if (ad->flags & FLAG_AT) {
        if (end - p < 18) {
            *why = "attested credential data is truncated";
            return MQ_EPERM;
        }
        ad->aaguid = p;
        ad->cred_id_len = (size_t)p[16] << 8 | p[17];
        p += 18;
        if (!ad->cred_id_len || ad->cred_id_len > MQ_WEBAUTHN_CRED_ID_MAX ||
            (size_t)(end - p) < ad->cred_id_len) {
            *why = "the credential id is empty, too long or truncated";
            return MQ_EPERM;
        }
        ad->cred_id = p;
        p += ad->cred_id_len;
        size_t used = 0;
        ad->cose = mq_cbor_load(p, (size_t)(end - p), &used);
        if (!ad->cose) {
            *why = "the credential public key is not CBOR";
            return MQ_EPERM;
        }
        ad->cose_key = p;
        ad->cose_key_len = used;
        p += used;
    }
    if (ad->flags & FLAG_ED) {
        size_t used = 0;
        cbor_item_t *ext = p < end ? mq_cbor_load(p, (size_t)(end - p), &used) : NULL;
        bool ok = ext && cbor_isa_map(ext);
        if (ext) cbor_decref(&ext);
        if (!ok) {
            *why = "authenticator extensions are not a CBOR map";
            return MQ_EPERM;
        }
        p += used;
    }
    if (p != end) {
        *why = "authenticator data has trailing bytes";
        return MQ_EPERM;
    }
    return MQ_OK;
}

static mq_err check_rp_and_flags(const struct mq_webauthn_rp *rp, const struct auth_data *ad,
                                 bool require_uv, const char **why)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)rp->id, strlen(rp->id));
    if (sodium_memcmp(hash, ad->rp_id_hash, sizeof(hash))) {
        *why = "the authenticator signed for another relying party (rpIdHash)";
        return MQ_EPERM;
    }
    if (!(ad->flags & FLAG_UP)) {
        *why = "the user was not present (UP flag unset)";
        return MQ_EPERM;
    }
    if (require_uv && !(ad->flags & FLAG_UV)) {
        *why = "user verification is required but the user was not verified";
        return MQ_EPERM;
    }
    return MQ_OK;
}

static const cbor_item_t *map_text(const cbor_item_t *map, const char *key)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    size_t klen = strlen(key);
    for (size_t i = 0; i < cbor_map_size(map); i++)
        if (cbor_isa_string(pairs[i].key) && cbor_string_is_definite(pairs[i].key) &&
            cbor_string_length(pairs[i].key) == klen &&
            !memcmp(cbor_string_handle(pairs[i].key), key, klen))
            return pairs[i].value;
    return NULL;
}

static bool text_is(const cbor_item_t *it, const char *s)
{
    return it && cbor_isa_string(it) && cbor_string_is_definite(it) &&
           cbor_string_length(it) == strlen(s) && !memcmp(cbor_string_handle(it), s, strlen(s));
}

/* §8.2.1: what a packed attestation certificate must be. */
static bool cert_fits(X509 *cert, const unsigned char aaguid[16], const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    X509_NAME *subject = C->X509_get_subject_name(cert);
    char ou[64] = "";
    if (C->X509_get_version(cert) != 2) {
        *why = "the attestation certificate is not X.509 version 3";
        return false;
    }
    if (C->X509_NAME_get_text_by_NID(subject, NID_organizationalUnitName, ou, sizeof(ou)) < 0 ||
        strcmp(ou, "Authenticator Attestation") ||
        C->X509_NAME_get_index_by_NID(subject, NID_countryName, -1) < 0 ||
        C->X509_NAME_get_index_by_NID(subject, NID_organizationName, -1) < 0 ||
        C->X509_NAME_get_index_by_NID(subject, NID_commonName, -1) < 0) {
        *why = "the attestation certificate's subject is not as §8.2.1 asks";
        return false;
    }
    if (C->X509_check_ca(cert) != 0) {
        *why = "the attestation certificate is a CA";
        return false;
    }
    ASN1_OBJECT *oid = C->OBJ_txt2obj(AAGUID_OID, 1);
    int at = oid ? C->X509_get_ext_by_OBJ(cert, oid, -1) : -1;
    C->ASN1_OBJECT_free(oid);
    if (at >= 0) {
        X509_EXTENSION *ext = C->X509_get_ext(cert, at);
        const ASN1_OCTET_STRING *v = C->X509_EXTENSION_get_data(ext);
        const unsigned char *d = C->ASN1_STRING_get0_data(v);
        /* The value is itself a DER OCTET STRING of 16 bytes. */
        if (C->X509_EXTENSION_get_critical(ext) || C->ASN1_STRING_length(v) != 18 || d[0] != 0x04 ||
            d[1] != 16 || memcmp(d + 2, aaguid, 16)) {
            *why = "the attestation certificate names another AAGUID";
            return false;
        }
    }
    return true;
}

/* §8.2: packed, self or x5c. signed = authData ‖ clientDataHash. */
static mq_err verify_packed(const cbor_item_t *stmt, const struct auth_data *ad,
                            const struct mq_cose_key *key, const unsigned char *signed_data,
                            size_t signed_len, const char **type, const char **why)
{
    const struct mq_libcrypto *C = mq_libcrypto();
    const cbor_item_t *alg = map_text(stmt, "alg"), *sig = map_text(stmt, "sig"),
                      *x5c = map_text(stmt, "x5c");
    int64_t alg_v = 0;
    if (!alg || !cbor_isa_negint(alg) || cbor_get_int(alg) > INT32_MAX) {
        *why = "the packed statement has no alg";
        return MQ_EPERM;
    }
    alg_v = -1 - (int64_t)cbor_get_int(alg);
    if (!sig || !cbor_isa_bytestring(sig) || !cbor_bytestring_is_definite(sig)) {
        *why = "the packed statement has no sig";
        return MQ_EPERM;
    }
    const unsigned char *s = cbor_bytestring_handle(sig);
    size_t slen = cbor_bytestring_length(sig);
    if (!x5c) {
        /* Self attestation: signed with the credential's own key. */
        if (alg_v != mq_cose_key_alg(key)) {
            *why = "self attestation with another algorithm than the credential's";
            return MQ_EPERM;
        }
        if (!mq_cose_verify(key, signed_data, signed_len, s, slen)) {
            *why = "the self attestation signature does not verify";
            return MQ_EPERM;
        }
        *type = "self";
        return MQ_OK;
    }
    if (!cbor_isa_array(x5c) || cbor_array_size(x5c) < 1) {
        *why = "x5c is not a list of certificates";
        return MQ_EPERM;
    }
    const cbor_item_t *first = cbor_array_handle(x5c)[0];
    if (!cbor_isa_bytestring(first) || !cbor_bytestring_is_definite(first)) {
        *why = "x5c holds something other than a certificate";
        return MQ_EPERM;
    }
    const unsigned char *der = cbor_bytestring_handle(first);
    X509 *cert = C->d2i_X509(NULL, &der, (long)cbor_bytestring_length(first));
    if (!cert || der != cbor_bytestring_handle(first) + cbor_bytestring_length(first)) {
        C->X509_free(cert);
        *why = "the attestation certificate is not DER X.509";
        return MQ_EPERM;
    }
    mq_err err = MQ_EPERM;
    if (!mq_cose_verify_pkey(C->X509_get0_pubkey(cert), (int)alg_v, signed_data, signed_len, s,
                             slen))
        *why = "the attestation signature does not verify with the certificate";
    else if (cert_fits(cert, ad->aaguid, why))
        err = MQ_OK;
    C->X509_free(cert);
    *type = "basic";
    return err;
}

mq_err mq_webauthn_verify_registration(struct mq_arena *a, const struct mq_webauthn_rp *rp,
                                       const unsigned char *challenge, size_t challenge_len,
                                       struct mq_webauthn_blob client_data,
                                       struct mq_webauthn_blob attestation, bool require_uv,
                                       struct mq_webauthn_registration *out, const char **why)
{
    struct auth_data ad = {0};
    struct mq_cose_key *key = NULL;
    size_t used = 0;
    cbor_item_t *obj = NULL;
    unsigned char *signed_data = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err =
        check_client_data(rp, "webauthn.create", challenge, challenge_len, client_data, why);
    if (err) return err;

    obj = mq_cbor_load(attestation.data, attestation.len, &used);
    if (!obj || used != attestation.len || !cbor_isa_map(obj) || !cbor_map_is_definite(obj)) {
        *why = "the attestation object is not a CBOR map";
        err = MQ_EPERM;
        goto cleanup;
    }
    const cbor_item_t *fmt = map_text(obj, "fmt"), *stmt = map_text(obj, "attStmt"),
                      *auth = map_text(obj, "authData");
    if (!fmt || !stmt || !cbor_isa_map(stmt) || !auth || !cbor_isa_bytestring(auth) ||
        !cbor_bytestring_is_definite(auth)) {
        *why = "the attestation object lacks fmt, attStmt or authData";
        err = MQ_EPERM;
        goto cleanup;
    }
    struct mq_webauthn_blob ab = {cbor_bytestring_handle(auth), cbor_bytestring_length(auth)};
    err = parse_auth_data(ab, true, &ad, why);
    if (!err) err = check_rp_and_flags(rp, &ad, require_uv, why);
    if (!err) err = mq_cose_key_from_cbor(ad.cose, &key, why);
    if (err) goto cleanup;

    /* The statement signs authenticatorData ‖ SHA-256(clientDataJSON). */
    signed_data = mq_arena_alloc(a, ab.len + crypto_hash_sha256_BYTES);
    if (!signed_data) {
        err = MQ_ENOMEM;
        goto cleanup;
    }
    memcpy(signed_data, ab.data, ab.len);
    crypto_hash_sha256(signed_data + ab.len, client_data.data, client_data.len);
    if (text_is(fmt, "none")) {
        if (cbor_map_size(stmt) != 0) {
            *why = "a none attestation with a statement";
            err = MQ_EPERM;
            goto cleanup;
        }
        out->fmt = "none";
        out->attestation_type = "none";
    } else if (text_is(fmt, "packed")) {
        out->fmt = "packed";
        err = verify_packed(stmt, &ad, key, signed_data, ab.len + crypto_hash_sha256_BYTES,
                            &out->attestation_type, why);
        if (err) goto cleanup;
    } else {
        *why = "the attestation format is not none or packed";
        err = MQ_EPERM;
        goto cleanup;
    }

    out->cose_key = mq_arena_alloc(a, ad.cose_key_len);
    if (!out->cose_key) {
        err = MQ_ENOMEM;
        goto cleanup;
    }
    memcpy(out->cose_key, ad.cose_key, ad.cose_key_len);
    out->cose_key_len = ad.cose_key_len;
    memcpy(out->cred_id, ad.cred_id, ad.cred_id_len);
    out->cred_id_len = ad.cred_id_len;
    memcpy(out->aaguid, ad.aaguid, 16);
    out->alg = mq_cose_key_alg(key);
    out->sign_count = ad.sign_count;
    out->user_verified = ad.flags & FLAG_UV;
    out->backup_eligible = ad.flags & FLAG_BE;
    out->backed_up = ad.flags & FLAG_BS;
cleanup:
    mq_cose_key_free(key);
    if (ad.cose) cbor_decref(&ad.cose);
    if (obj) cbor_decref(&obj);
    return err;
}

mq_err mq_webauthn_verify_assertion(const struct mq_webauthn_rp *rp, const unsigned char *challenge,
                                    size_t challenge_len, const struct mq_webauthn_assertion *in,
                                    const unsigned char *cose_key, size_t key_len,
                                    uint32_t stored_count, bool require_uv, uint32_t *new_count,
                                    bool *uv, const char **why)
{
    struct auth_data ad;
    struct mq_cose_key *key = NULL;
    *new_count = 0;
    *uv = false;
    mq_err err =
        check_client_data(rp, "webauthn.get", challenge, challenge_len, in->client_data, why);
    if (!err) err = parse_auth_data(in->authenticator_data, false, &ad, why);
    if (!err) err = check_rp_and_flags(rp, &ad, require_uv, why);
    if (!err) err = mq_cose_key_parse(cose_key, key_len, &key, why);
    if (err) return err;

    size_t len = in->authenticator_data.len + crypto_hash_sha256_BYTES;
    unsigned char *msg = malloc(len);
    if (!msg) {
        mq_cose_key_free(key);
        return MQ_ENOMEM;
    }
    memcpy(msg, in->authenticator_data.data, in->authenticator_data.len);
    crypto_hash_sha256(msg + in->authenticator_data.len, in->client_data.data, in->client_data.len);
    bool ok = mq_cose_verify(key, msg, len, in->signature.data, in->signature.len);
    free(msg);
    mq_cose_key_free(key);
    if (!ok) {
        *why = "the signature does not verify";
        return MQ_EPERM;
    }
    *new_count = ad.sign_count;
    *uv = ad.flags & FLAG_UV;
    /* §7.2 step 21: both zero means the authenticator keeps no counter. */
    if ((ad.sign_count || stored_count) && ad.sign_count <= stored_count) {
        *why = "the signature counter did not increase: the authenticator may be cloned";
        return MQ_ECONFLICT;
    }
    return MQ_OK;
}
