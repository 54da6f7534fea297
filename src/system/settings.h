/* settings.h - server settings an admin changes while the server runs.
 *
 * A setting is a live configuration key (src/core/config.h) whose value is
 * stored in the database, in table server_settings, or a setting a module
 * declares that is no key at all (the MFA policy), which that module stores.
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
 * never shown whole. The API renders what these functions give
 * (src/api/settings.c). */
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

/* A setting's value as an admin sees it, secrets masked. */
struct mq_setting_value {
    enum {
        MQ_SETTING_VALUE_NULL,   /* unset */
        MQ_SETTING_VALUE_BOOL,   /* number is 0 or 1 */
        MQ_SETTING_VALUE_NUMBER, /* number (bytes for sizes, ms for durations) */
        MQ_SETTING_VALUE_TEXT,   /* text (a choice's name, a URL, a rate...) */
        MQ_SETTING_VALUE_JSON,   /* json: a setting only the admin API holds */
    } kind;
    long number;
    const char *text; /* arena or static */
    json_t *json;     /* released with the arena */
};

/* One setting, as the admin settings list it. */
struct mq_setting_state {
    struct mq_config_key_info info;     /* name, type, description, flags, range, choices */
    const struct mq_live_setting *live; /* for a setting that is no configuration key */
    struct mq_setting_value value, def;
    enum mq_config_source source;
    bool locked; /* set by the operator: the admin API cannot change it */
};

/* Every setting: the live configuration keys, then the settings only the
 * admin API holds, with the version of the stored settings. In the arena. */
MQ_MUST_CHECK mq_err mq_settings_list(struct mq_ctx *ctx, struct mq_arena *a, int64_t *version,
                                      struct mq_setting_state **out, size_t *n);

/* The settings anyone may read (a sign-in page's needs), in the arena. */
MQ_MUST_CHECK mq_err mq_settings_public(struct mq_ctx *ctx, struct mq_arena *a,
                                        struct mq_setting_state **out, size_t *n);

/* What a change did to one setting. */
struct mq_setting_change {
    const char *name;
    struct mq_setting_value before, after;
};

/* Applies `changes` ({"key": value or null for the default, ...}) all or
 * nothing, as user `by` (NULL: the bootstrap token), and takes them up on
 * this instance at once. *changed (arena) lists each setting it changed,
 * with its before and after, secrets masked. A refusal fills *why with the
 * setting it is about as its field: MQ_EINVAL unknown_setting,
 * setting_not_live or invalid_setting, MQ_ECONFLICT setting_locked. */
MQ_MUST_CHECK mq_err mq_settings_update(struct mq_ctx *ctx, struct mq_arena *a, json_t *changes,
                                        const char *by, struct mq_refusal *why,
                                        struct mq_setting_change **changed, size_t *n);

#endif
