/* jwt_fuzz - access tokens as clients send them (crypto/jwt.h). The first
 * byte picks what the rest is: a token to verify, or a header and a payload
 * (separated by a newline) that the driver signs with its own key before
 * verifying, so that what follows the signature check (the header's and
 * the claims' parsing) is reached too. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "crypto/jwt.h"
#include "fuzz.h"

static struct mq_signing_key key;

static const unsigned char *key_for(void *cls, const char *kid)
{
    (void)cls;
    return strcmp(kid, key.kid) ? NULL : key.pk;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const unsigned char seed[crypto_sign_SEEDBYTES] = {7};
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) abort();
    mq_signing_key_from_seed(seed, &key);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * MQ_JWT_MAX) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *s = mq_arena_strndup(a, (const char *)data + 1, size - 1);
    char *token = s;
    if (data[0] % 2) {
        char *payload = strchr(s, '\n');
        if (!payload) goto out;
        *payload++ = '\0';
        if (mq_jws_sign(a, &key, s, payload, strlen(payload), &token)) goto out;
    }
    struct mq_jwt_expect expect = {"https://media.example", "marquee", 1795000000, 60};
    struct mq_jwt_claims claims;
    const char *why = NULL;
    mq_err err = mq_jwt_verify(a, token, key_for, NULL, &expect, &claims, &why);
    /* Accepted means ours, current and for us. */
    if (err == MQ_OK &&
        (!claims.iss || strcmp(claims.iss, expect.iss) || claims.exp + expect.leeway < expect.now))
        abort();
    if (err == MQ_EPERM && !why) abort();
out:
    mq_arena_free(a);
    return 0;
}
