/* rand.h - injectable source of random bytes. The system source is
 * libsodium's CSPRNG; tests may substitute a deterministic one. */
#ifndef MQ_RAND_H
#define MQ_RAND_H

#include <stddef.h>
#include <stdint.h>

struct mq_rng {
    void (*fill)(void *cls, void *buf, size_t n);
    void *cls;
};

/* Cryptographically secure (libsodium randombytes_buf). */
extern const struct mq_rng mq_rng_system;

static inline void mq_rng_fill(const struct mq_rng *r, void *buf, size_t n)
{
    r->fill(r->cls, buf, n);
}

#endif
