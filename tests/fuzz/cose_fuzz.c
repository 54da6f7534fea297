/* cose_fuzz - COSE_Key public keys as authenticators send them
 * (crypto/cose.h): the first field is the key's CBOR, the rest a signature
 * to check over a fixed message with whatever key was read. */
#include <stdlib.h>

#include "crypto/cose.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char msg[] = "marquee fuzz message";
    struct fuzz_input in = {data, size};
    const uint8_t *cbor, *sig;
    size_t cbor_len, sig_len;
    if (size > 65536 || !fuzz_field(&in, &cbor, &cbor_len)) return 0;
    sig = in.p;
    sig_len = in.left;
    struct mq_cose_key *key = NULL;
    const char *why = NULL;
    mq_err err = mq_cose_key_parse(cbor, cbor_len, &key, &why);
    if (err == MQ_OK) {
        int alg = mq_cose_key_alg(key);
        if (alg != MQ_COSE_ES256 && alg != MQ_COSE_RS256 && alg != MQ_COSE_EDDSA) abort();
        (void)mq_cose_verify(key, msg, sizeof(msg) - 1, sig, sig_len);
        mq_cose_key_free(key);
    } else if (err == MQ_EPERM && !why) {
        abort();
    }
    return 0;
}
