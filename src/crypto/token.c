#include "crypto/token.h"

#include <sodium.h>
#include <string.h>

void mq_secret_token_hash(const char *token, char hash[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash, 65, h, sizeof(h));
}

char *mq_secret_token_new(const struct mq_rng *rng, struct mq_arena *a, const char prefix[5],
                          char hash[65])
{
    unsigned char raw[32];
    char text[48];
    mq_rng_fill(rng, raw, sizeof(raw));
    sodium_bin2base64(text, sizeof(text), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    char *token = mq_arena_printf(a, "%s%s", prefix, text);
    sodium_memzero(text, sizeof(text));
    if (token) mq_secret_token_hash(token, hash);
    return token;
}

bool mq_secret_token_shaped(const char *token, const char prefix[5])
{
    if (!token || strlen(token) != MQ_SECRET_TOKEN_LEN || strncmp(token, prefix, 4)) return false;
    for (const char *p = token + 4; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}
