/* cbor.h - CBOR from outside (WebAuthn attestation objects, authenticator
 * data, COSE keys), loaded with libcbor after a bounded walk.
 *
 * libcbor allocates, and fills, what a container's header declares before
 * it reads a single entry: ten bytes declaring an array of 2^27 entries
 * cost a gigabyte of touched memory before the load fails (measured with
 * Debian 12's libcbor 0.8; found by tests/fuzz/attestation_fuzz). The walk
 * here comes first, with libcbor's streaming decoder, which allocates
 * nothing: no array or map may declare more entries than bytes remain,
 * indefinite lengths are refused (CTAP2's canonical CBOR has none), nesting
 * stops at MQ_CBOR_DEPTH, and the first item's end is found. */
#ifndef MQ_CRYPTO_CBOR_H
#define MQ_CRYPTO_CBOR_H

#include <cbor.h>
#include <stddef.h>

#define MQ_CBOR_DEPTH 16

/* The first item of the len bytes at data (a new reference), with its
 * length in *used; NULL for CBOR that is malformed, truncated, claims more
 * than it holds or nests too deep, and when out of memory. */
cbor_item_t *mq_cbor_load(const unsigned char *data, size_t len, size_t *used);

#endif
