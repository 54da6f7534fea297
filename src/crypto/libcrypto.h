/* libcrypto.h - OpenSSL's libcrypto, loaded at run time by the WebAuthn
 * code (COSE keys, signatures, attestation certificates).
 *
 * Linked, libcrypto costs every process 1.5 MB of resident memory at start
 * (bench/README.md), for ceremonies that happen a few times a month. So
 * the binary does not link it: the first WebAuthn verification loads it
 * with dlopen (core/dynlib.h). Types, constants and prototypes come from the
 * OpenSSL headers; each pointer has the type of the function it stands for. */
#ifndef MQ_CRYPTO_LIBCRYPTO_H
#define MQ_CRYPTO_LIBCRYPTO_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define MQ_LIBCRYPTO_SONAME "libcrypto.so.3"

/* Every function used, once. */
#define MQ_LIBCRYPTO_FUNCTIONS(X)                                                                  \
    X(ASN1_OBJECT_free)                                                                            \
    X(ASN1_STRING_get0_data)                                                                       \
    X(ASN1_STRING_length)                                                                          \
    X(BN_bin2bn)                                                                                   \
    X(BN_free)                                                                                     \
    X(EVP_DigestVerify)                                                                            \
    X(EVP_DigestVerifyInit)                                                                        \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_PKEY_CTX_free)                                                                           \
    X(EVP_PKEY_CTX_new)                                                                            \
    X(EVP_PKEY_CTX_new_from_name)                                                                  \
    X(EVP_PKEY_free)                                                                               \
    X(EVP_PKEY_fromdata)                                                                           \
    X(EVP_PKEY_fromdata_init)                                                                      \
    X(EVP_PKEY_get_base_id)                                                                        \
    X(EVP_PKEY_new_raw_public_key)                                                                 \
    X(EVP_PKEY_public_check)                                                                       \
    X(EVP_sha256)                                                                                  \
    X(OBJ_txt2obj)                                                                                 \
    X(OSSL_PARAM_BLD_free)                                                                         \
    X(OSSL_PARAM_BLD_new)                                                                          \
    X(OSSL_PARAM_BLD_push_BN)                                                                      \
    X(OSSL_PARAM_BLD_push_octet_string)                                                            \
    X(OSSL_PARAM_BLD_push_utf8_string)                                                             \
    X(OSSL_PARAM_BLD_to_param)                                                                     \
    X(OSSL_PARAM_free)                                                                             \
    X(X509_EXTENSION_get_critical)                                                                 \
    X(X509_EXTENSION_get_data)                                                                     \
    X(X509_NAME_get_index_by_NID)                                                                  \
    X(X509_NAME_get_text_by_NID)                                                                   \
    X(X509_check_ca)                                                                               \
    X(X509_free)                                                                                   \
    X(X509_get0_pubkey)                                                                            \
    X(X509_get_ext)                                                                                \
    X(X509_get_ext_by_OBJ)                                                                         \
    X(X509_get_subject_name)                                                                       \
    X(X509_get_version)                                                                            \
    X(d2i_X509)

#define MQ_LIBCRYPTO_FIELD(name) __typeof__(name) *name;

struct mq_libcrypto {
    void *handle;
    MQ_LIBCRYPTO_FUNCTIONS(MQ_LIBCRYPTO_FIELD)
};

/* The loaded library (once per process, never unloaded), or NULL when it
 * cannot be loaded (logged once to stderr by the loader's caller). */
const struct mq_libcrypto *mq_libcrypto(void);

#endif
