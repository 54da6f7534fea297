/* address.h - e-mail addresses as Unicode: the same address always keys
 * alike, and addresses that only look alike cannot stand beside each other.
 *
 * An address may be typed composed or decomposed ("café" as é or as
 * e + U+0301), with invisible characters in it (U+200B, bidi controls), or
 * in letters of another script that look the same (Cyrillic "а" for Latin
 * "a", dotless "ı" for "i"). Before keying, an address is put in NFC and
 * its internationalised domain is mapped by UTS #46 (IDNA 2008, libidn2).
 * A new address (registration, an e-mail change, an account an admin makes)
 * is also refused when it holds an invisible, formatting, private-use or
 * unassigned character, or when its local part or a domain label mixes
 * scripts (ICU's spoof checker, highly restrictive level); look-alikes of
 * existing accounts are found by comparing UTS #39 skeletons. */
#ifndef MQ_ADDRESS_H
#define MQ_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/text.h"

#define MQ_SKELETON_MAX (4 * MQ_EMAIL_MAX)

/* Checks a new address and writes its normal form (NFC, domain mapped) into
 * out, to be stored. MQ_EINVAL with why: invalid_email, invisible_character
 * or mixed_scripts. */
MQ_MUST_CHECK mq_err mq_address_normalize(const char *email, char out[MQ_EMAIL_MAX + 1],
                                          struct mq_refusal *why);

/* The lookup key of an address someone types (to sign in, to reset): its
 * normal form where it has one, then ASCII letters lower-cased. Never
 * refuses: an address that does not normalise is keyed as given. */
void mq_address_key(const char *email, char out[MQ_EMAIL_MAX + 1]);

/* A checker of skeletons, opened once for many comparisons. */
struct mq_skeletons;
MQ_MUST_CHECK mq_err mq_skeletons_open(struct mq_skeletons **out);
void mq_skeletons_close(struct mq_skeletons *s); /* accepts NULL */
/* The UTS #39 skeleton of a key, case-folded: two keys with one skeleton
 * look alike. False when it cannot be made (it is then compared with
 * nothing). */
bool mq_skeleton(struct mq_skeletons *s, const char *key, char out[MQ_SKELETON_MAX + 1]);

#endif
