/* settings.h - server settings an admin changes while the server runs.
 *
 * A setting is a live configuration key (src/core/config.h) whose value is
 * stored in the database, in table server_settings, plus the MFA policy.
 * The configuration in force is the operator's (defaults, file,
 * environment, flags) with the stored values on top, except where the
 * operator set the key: such a key is locked, and the API says so.
 *
 * Each instance keeps the configuration in force as an immutable snapshot
 * behind ctx->cfg. A change makes a new snapshot and swaps the pointer: on
 * the instance that made it at once, on the others within a second (they
 * watch server_settings_version). Readers never wait and never see half a
 * change. Old snapshots are kept until the process ends, as a request may
 * still be reading one; each is about three kilobytes, and only an admin's
 * change makes one.
 *
 * Secret settings (smtp_url) are sealed at rest (src/crypto/secrets.h) and
 * never shown whole. */
#ifndef MQ_SYSTEM_SETTINGS_H
#define MQ_SYSTEM_SETTINGS_H

#include <jansson.h>

#include "core/arena.h"
#include "core/ctx.h"

struct mq_settings;

/* Builds the configuration in force from `base` (which must outlive the
 * result) and what the database holds, and points ctx->cfg at it. Stored
 * values this binary rejects, or cannot unseal (ctx->secrets NULL: secrets
 * are skipped), are logged and left out. */
MQ_MUST_CHECK mq_err mq_settings_open(struct mq_ctx *ctx, const struct mq_config *base,
                                      struct mq_settings **out);

/* Starts a thread that looks at the settings version every second and
 * takes up changes made elsewhere. */
MQ_MUST_CHECK mq_err mq_settings_watch(struct mq_settings *s);

/* Stops watching, points ctx->cfg back at the base and frees every
 * snapshot. Only when nothing reads the configuration any more. */
void mq_settings_free(struct mq_settings *s);

/* Takes up what the database holds now, if its version moved. */
MQ_MUST_CHECK mq_err mq_settings_reload(struct mq_settings *s);

/* Every setting with its type, value, default, where the value comes from
 * and whether it is locked; secrets masked. A new reference. */
MQ_MUST_CHECK mq_err mq_settings_describe(struct mq_ctx *ctx, struct mq_arena *a, json_t **out);

/* The settings anyone may read (a sign-in page's needs). A new reference. */
MQ_MUST_CHECK mq_err mq_settings_public(struct mq_ctx *ctx, json_t **out);

/* Applies `changes` ({"key": value or null for the default, ...}) all or
 * nothing, as user `by` (NULL: the bootstrap token), and takes them up on
 * this instance at once. *audit (a new reference, may be NULL when nothing
 * changed) holds the before and after of each change, secrets masked.
 * A refusal fills *why with the setting it is about as its field:
 * MQ_EINVAL unknown_setting, setting_not_live or invalid_setting,
 * MQ_ECONFLICT setting_locked. */
MQ_MUST_CHECK mq_err mq_settings_update(struct mq_ctx *ctx, struct mq_arena *a, json_t *changes,
                                        const char *by, struct mq_refusal *why, json_t **audit);

#endif
