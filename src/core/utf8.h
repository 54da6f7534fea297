/* utf8.h - strict UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
#ifndef MQ_UTF8_H
#define MQ_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid sequence starting at s (at most n bytes), 0 if invalid. */
size_t mq_utf8_sequence_len(const char *s, size_t n);

/* True when all n bytes are valid UTF-8. */
bool mq_utf8_valid(const char *s, size_t n);

/* The characters in n bytes of valid UTF-8 (the bytes that do not
 * continue one). */
size_t mq_utf8_chars(const char *s, size_t n);

/* Copies text from outside (a header) for keeping: at most cap - 1 bytes,
 * never cutting a character, each invalid byte or control character turned
 * into '?', "..." marking a cut. Returns out. */
char *mq_utf8_clip(const char *s, char *out, size_t cap);

/* Copies n bytes of text from outside (a file name) so that it can be
 * shown anywhere: each invalid byte and each control character
 * becomes U+FFFD, and the copy stops before a character
 * that would not fit in cap - 1 bytes. Returns the bytes written. */
size_t mq_utf8_repair(const char *s, size_t n, char *out, size_t cap);

#endif
