/* scrobble.h - plays and positions from other servers: Plex's webhook
 * (a form whose `payload` field is JSON: media.scrobble, media.stop,
 * media.pause, media.play, media.resume) and Jellyfin's or Emby's webhook
 * plugin (JSON: PlaybackStop, PlaybackProgress, PlaybackStart,
 * UserDataSaved for "mark played"), posted to a URL holding a member's
 * secret token. The work is found by the ids the payload carries, then by
 * its title, season and episode (track/match.h); a finished viewing is a
 * play (a repeat of the same event adds nothing), a stopped one a
 * position; a multi-episode file plays each of its episodes. Tokens are
 * stored hashed (crypto/token.h) and shown once. */
#ifndef MQ_TRACK_SCROBBLE_H
#define MQ_TRACK_SCROBBLE_H

#include <jansson.h>

#include "core/ctx.h"
#include "store/scrobble.h"

#define MQ_SCROBBLE_NAME_MAX 100

/* A new token for the member: *secret (shown once) and its row. */
MQ_MUST_CHECK mq_err mq_scrobble_token_create(struct mq_ctx *ctx, struct mq_arena *a,
                                              const char *user_id, const char *name,
                                              struct mq_scrobble_token_row *out,
                                              const char **secret, struct mq_refusal *why);
MQ_MUST_CHECK mq_err mq_scrobble_tokens(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                        struct mq_scrobble_token_row **out, size_t *n);
MQ_MUST_CHECK mq_err mq_scrobble_token_revoke(struct mq_ctx *ctx, const char *user_id,
                                              const char *id);

struct mq_scrobble_result {
    const char *source;  /* plex, jellyfin */
    const char *action;  /* played, position, ignored */
    const char *item_id; /* what it was recorded against, or NULL */
    const char *reason;  /* when ignored or unmatched */
    int64_t plays;       /* plays added */
};

/* Takes one webhook for the token's member. MQ_EPERM for a token that is
 * none (or revoked); MQ_EINVAL with *why for a payload of neither kind. */
MQ_MUST_CHECK mq_err mq_scrobble_receive(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                                         json_t *payload, struct mq_scrobble_result *out,
                                         struct mq_refusal *why);

#endif
