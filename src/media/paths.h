/* paths.h - file system paths as the catalogue keeps them.
 *
 * A Linux file name is any bytes but '/' and NUL; the database and the API
 * hold UTF-8. So a path is kept escaped: valid UTF-8 stays as it is, and
 * each byte that is not (and '%', and control characters) becomes "%XX".
 * Every ordinary path reads the same escaped or not, and the escaped form
 * gives back the exact bytes. */
#ifndef MQ_MEDIA_PATHS_H
#define MQ_MEDIA_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* The escaped form of n bytes, in the arena; NULL when out of memory. */
char *mq_path_escape(struct mq_arena *a, const char *raw, size_t n);

/* The bytes an escaped path stands for, NUL-terminated, in the arena; NULL
 * when out of memory or when `esc` is not an escaped path (a bad "%XX",
 * or a NUL byte it would stand for). */
char *mq_path_unescape(struct mq_arena *a, const char *esc, size_t *n);

/* The lexical form of a folder given by a person: absolute, no "." or ".."
 * components, no repeated or trailing '/'. NULL (and *why) when it is not
 * absolute, is empty, or climbs with "..". */
char *mq_path_normalize(struct mq_arena *a, const char *in, const char **why);

/* Whether `inner` is `outer` or lies inside it (component-wise: "/a/b" is
 * not inside "/a/bc"). */
bool mq_path_within(const char *outer, const char *inner);

/* Opens, read-only, the file at an escaped path if it is still the one
 * with that device and inode (not a link swapped in since): the
 * descriptor, or -1. */
int mq_path_open_same(struct mq_arena *a, const char *esc, int64_t dev, int64_t ino);

#endif
