/* assertion_fuzz - WebAuthn authentication (crypto/webauthn.h): the fields
 * are the rp id, an origin, the challenge, clientDataJSON, authenticator
 * data, the signature and the credential's COSE key, as tests/fuzz/seeds.py
 * takes them from the public vectors. */
#include <stdlib.h>

#include "core/arena.h"
#include "crypto/webauthn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    const uint8_t *f[7];
    size_t len[7];
    if (size > 65536) return 0;
    for (int i = 0; i < 7; i++) fuzz_field(&in, &f[i], &len[i]);
    struct mq_arena *a = mq_arena_new(0);
    const char *rp_id = fuzz_text(a, f[0], len[0]), *origin = fuzz_text(a, f[1], len[1]);
    struct mq_webauthn_rp rp = {rp_id, &origin, 1};
    struct mq_webauthn_assertion as = {{f[3], len[3]}, {f[4], len[4]}, {f[5], len[5]}};
    uint32_t count = 0;
    bool uv = false;
    const char *why = NULL;
    mq_err err = mq_webauthn_verify_assertion(&rp, f[2], len[2], &as, f[6], len[6], 0, size & 1,
                                              &count, &uv, &why);
    if (err == MQ_EPERM && !why) abort();
    mq_arena_free(a);
    return 0;
}
