/* prefs.h - a member's preferences: one JSON object of known keys.
 *
 *   language, audio_language, subtitle_language   BCP 47 tags ("en", "pt-BR")
 *   theme          "system", "light" or "dark"
 *   subtitles      "off", "auto" or "always"
 *   autoplay_next  true or false
 *   time_zone      an IANA name ("Europe/Paris")
 *   items_per_page 10 to 200
 *   client         an object for the apps' own settings, at most 8 KiB
 *
 * Changes are JSON merge patches (RFC 7396): a member set to null goes. */
#ifndef MQ_USERS_PREFS_H
#define MQ_USERS_PREFS_H

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"

#define MQ_PREFS_CLIENT_MAX 8192 /* bytes of compact JSON */

/* Applies `patch` to the stored `current` and checks the result; the new
 * object, compact, goes to *out (arena). MQ_EINVAL with *code and *why
 * (invalid_preferences, unknown_preference) when it is not acceptable. */
MQ_MUST_CHECK mq_err mq_prefs_merge(struct mq_arena *a, const char *current, const json_t *patch,
                                    char **out, struct mq_refusal *why);

#endif
