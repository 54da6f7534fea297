/* tokencache.h - access tokens already verified, so a client sending the
 * same token on every request pays for one Ed25519 verification (about
 * 50 us, more than the rest of an authenticated request), not one each.
 *
 * An entry is keyed by a BLAKE2b digest of the whole token string and holds
 * what the verification established (subject and session) until the token
 * expires; a token that differs in any byte misses. Only the signature and
 * claims are cached: whether the session is still open is asked on every
 * request, so revocation stays immediate. Fixed size, direct-mapped and
 * sharded: a collision evicts, which costs one verification. */
#ifndef MQ_TOKENCACHE_H
#define MQ_TOKENCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct mq_token_cache;

/* `entries` is rounded up to a power of two. */
MQ_MUST_CHECK mq_err mq_token_cache_new(size_t entries, struct mq_token_cache **out);
void mq_token_cache_free(struct mq_token_cache *c);

/* The subject and session of a token verified before and still unexpired
 * at now_ms, copied into the arena; false on a miss. */
bool mq_token_cache_get(struct mq_token_cache *c, struct mq_arena *a, const char *token,
                        int64_t now_ms, const char **sub, const char **sid);

/* Remembers a verified token until good_until_ms. sub and sid longer than
 * a UUID are not cached. */
void mq_token_cache_put(struct mq_token_cache *c, const char *token, const char *sub,
                        const char *sid, int64_t good_until_ms);

#endif
