/* attestation_fuzz - WebAuthn registration (crypto/webauthn.h): the fields
 * are the rp id, an origin, the challenge, clientDataJSON and the
 * attestation object, as tests/fuzz/seeds.py takes them from the public
 * vectors. A credential accepted has a key that parses. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "crypto/cose.h"
#include "crypto/webauthn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    const uint8_t *f[5];
    size_t len[5];
    if (size > 65536) return 0;
    for (int i = 0; i < 5; i++) fuzz_field(&in, &f[i], &len[i]);
    struct mq_arena *a = mq_arena_new(0);
    const char *rp_id = fuzz_text(a, f[0], len[0]), *origin = fuzz_text(a, f[1], len[1]);
    struct mq_webauthn_rp rp = {rp_id, &origin, 1};
    struct mq_webauthn_registration reg;
    const char *why = NULL;
    mq_err err = mq_webauthn_verify_registration(
        a, &rp, f[2], len[2], (struct mq_webauthn_blob){f[3], len[3]},
        (struct mq_webauthn_blob){f[4], len[4]}, size % 2, &reg, &why);
    if (err == MQ_OK) {
        struct mq_cose_key *key = NULL;
        if (reg.cred_id_len > MQ_WEBAUTHN_CRED_ID_MAX) abort();
        if (mq_cose_key_parse(reg.cose_key, reg.cose_key_len, &key, &why)) abort();
        mq_cose_key_free(key);
    } else if (err == MQ_EPERM && !why) {
        abort();
    }
    mq_arena_free(a);
    return 0;
}
