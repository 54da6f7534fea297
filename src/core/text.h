/* text.h - the rules for text people type in: e-mail addresses and
 * display names. One place, so that accounts, invitations, API keys, mail
 * and the configuration agree. */
#ifndef MQ_CORE_TEXT_H
#define MQ_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define MQ_EMAIL_MAX 254
#define MQ_NAME_MAX  200 /* bytes of UTF-8 */

/* A practical address check: one '@', a local part of 1-64 bytes and a
 * domain of dot-separated labels (letters, digits, '-', or UTF-8 for
 * internationalised names), no spaces or control characters, at most 254
 * bytes, none of the specials <>"(),;:\[] (legal only in quoted forms no
 * one uses). Unicode is kept as given. */
bool mq_email_valid(const char *email, const char **why);

/* The lookup key for an address: ASCII letters lower-cased, the rest as is. */
void mq_email_key(const char *email, char *out, size_t outlen);

/* 1 to 200 bytes of UTF-8 without control characters. Stored verbatim. */
bool mq_display_name_valid(const char *name, const char **why);

/* A bare sender or recipient address, safe for an SMTP envelope and a mail
 * header: no spaces, controls, <>, quotes, commas or other specials, one '@'
 * with something on both sides; bytes from 0x80 pass (UTF-8 addresses). */
bool mq_mail_address_valid(const char *addr);

#endif
