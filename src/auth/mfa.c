#include "auth/mfa.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/authz.h"
#include "auth/passkeys.h"
#include "auth/rbac.h"
#include "auth/roles.h"
#include "core/uuid.h"
#include "crypto/qr.h"
#include "crypto/secrets.h"
#include "crypto/token.h"
#include "crypto/totp.h"
#include "mail/mail.h"
#include "store/roles.h"
#include "store/sessions.h"
#include "store/settings.h"
#include "store/webauthn.h"

#define POLICY_KEY "mfa.required_roles"
#define QR_SCALE   6
/* Crockford's base32: no I, L, O or U, so codes read back unambiguously. */
#define CODE_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

static int64_t now_ms(const struct mq_ctx *ctx)
{
    return mq_clock_now_ms(ctx->clock);
}

static void totp_context(const char *user_id, char out[64])
{
    snprintf(out, 64, "totp:%s", user_id);
}

static mq_err policy_read(struct mq_db *db, struct mq_arena *a, json_t **roles)
{
    char *text = NULL;
    mq_err err = mq_store_setting_get(db, POLICY_KEY, a, &text);
    if (err == MQ_ENOTFOUND) {
        *roles = json_array();
        return *roles ? MQ_OK : MQ_ENOMEM;
    }
    if (err) return err;
    *roles = json_loads(text, 0, NULL);
    if (!json_is_array(*roles)) {
        json_decref(*roles);
        *roles = json_array();
    }
    return *roles ? MQ_OK : MQ_ENOMEM;
}

/* Whether any of the roles held must have a second factor. */
static mq_err policy_requires(struct mq_db *db, struct mq_arena *a, const char *const *held,
                              size_t nheld, bool *required)
{
    json_t *roles = NULL, *v;
    size_t i;
    *required = false;
    mq_err err = policy_read(db, a, &roles);
    if (err) return err;
    json_array_foreach(roles, i, v)
    {
        for (size_t k = 0; k < nheld && json_is_string(v); k++)
            if (!strcmp(json_string_value(v), held[k])) *required = true;
    }
    json_decref(roles);
    return MQ_OK;
}

mq_err mq_mfa_policy_get_in(struct mq_db *db, struct mq_arena *a, json_t **roles)
{
    return policy_read(db, a, roles);
}

mq_err mq_mfa_policy_get(struct mq_ctx *ctx, struct mq_arena *a, json_t **roles)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, policy_read(db, a, roles));
}

mq_err mq_mfa_policy_set_in(struct mq_db *db, struct mq_arena *a, json_t *roles, int64_t now)
{
    json_t *v, *clean = json_array();
    char *text = NULL;
    size_t i;
    mq_err err = clean ? MQ_OK : MQ_ENOMEM;
    /* Built-in or custom roles, each once, in the order given. */
    json_array_foreach(roles, i, v)
    {
        const char *name = json_string_value(v);
        struct mq_role_row custom;
        bool seen = false;
        if (err) break;
        if (!name) {
            err = MQ_EINVAL;
            break;
        }
        if (!mq_rbac_role_permissions(name)) err = mq_store_role_get(db, a, name, &custom);
        if (err == MQ_ENOTFOUND) err = MQ_EINVAL;
        for (size_t k = 0; !err && k < json_array_size(clean); k++)
            if (!strcmp(json_string_value(json_array_get(clean, k)), name)) seen = true;
        if (!err && !seen && json_array_append_new(clean, json_string(name))) err = MQ_ENOMEM;
    }
    if (!err && !(text = json_dumps(clean, JSON_COMPACT))) err = MQ_ENOMEM;
    if (!err) err = mq_store_setting_put(db, POLICY_KEY, text, now);
    free(text);
    json_decref(clean);
    return err;
}

mq_err mq_mfa_policy_set(struct mq_ctx *ctx, json_t *roles)
{
    struct mq_arena *a = mq_arena_new(0);
    struct mq_db *db = NULL;
    mq_err err = a ? mq_store_begin(ctx->store, MQ_DB_WRITE, &db) : MQ_ENOMEM;
    if (!err) err = mq_store_finish(db, mq_mfa_policy_set_in(db, a, roles, now_ms(ctx)));
    mq_arena_free(a);
    return err;
}

mq_err mq_mfa_notify(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                     const struct mq_mfa_who *who, const char *change)
{
    struct mq_user_row u;
    char when[40];
    mq_err err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (err) return err;
    mq_time_format_rfc3339(now_ms(ctx), when, sizeof(when));
    json_t *vars = json_pack("{s:s,s:s,s:s,s:s}", "name", u.display_name, "time", when, "ip",
                             who->ip ? who->ip : "unknown", "change", change);
    if (!vars) return MQ_ENOMEM;
    struct mq_mail m = {.to = u.email, .template = "mfa-changed", .vars = vars};
    err = mq_mail_enqueue(ctx, db, &m);
    json_decref(vars);
    return err;
}

mq_err mq_mfa_status(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                     struct mq_mfa_status *out)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now_ms(ctx), &f);
    if (!err) err = policy_requires(db, a, who->roles, who->nroles, &out->required);
    err = mq_store_finish(db, err);
    if (err) return err;
    out->totp = f.totp_secret && f.totp_confirmed_at;
    out->totp_pending = f.totp_secret && !f.totp_confirmed_at;
    out->webauthn = f.webauthn;
    out->enabled = (out->totp || f.webauthn) && (f.enabled_at || out->required);
    out->enabled_at = f.enabled_at;
    out->backup_codes_left = f.backup_left;
    out->backup_codes_total = f.backup_total;
    out->trusted_devices = f.trusted_devices;
    return MQ_OK;
}

static bool has_factor(const struct mq_mfa_factors *f)
{
    return (f->totp_secret && f->totp_confirmed_at) || f->webauthn > 0;
}

mq_err mq_mfa_totp_setup(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                         struct mq_totp_setup *out)
{
    unsigned char secret[MQ_TOTP_SECRET_BYTES];
    char context[64], *sealed = NULL;
    struct mq_user_row u;
    struct mq_db *db = NULL;
    mq_rng_fill(ctx->rng, secret, sizeof(secret));
    totp_context(who->user_id, context);
    mq_err err = mq_secrets_seal(ctx->secrets, a, context, secret, sizeof(secret), &sealed);
    if (!err) err = mq_totp_base32(a, secret, sizeof(secret), &out->secret);
    sodium_memzero(secret, sizeof(secret));
    if (!err) err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (!err) err = mq_store_totp_pending(db, who->user_id, sealed, now_ms(ctx));
    err = mq_store_finish(db, err);
    if (!err) err = mq_totp_uri(a, ctx->cfg->server_name, u.email, out->secret, &out->uri);
    if (!err) err = mq_qr_svg(a, out->uri, &out->qr_svg);
    if (!err) err = mq_qr_png(a, out->uri, QR_SCALE, &out->qr_png, &out->qr_png_len);
    return err;
}

/* Checks a TOTP code against the user's secret and, if right, records its
 * step so that it works once only. *ok says whether it was accepted. */
static mq_err check_totp(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                         const char *user_id, const struct mq_mfa_factors *f, const char *code,
                         bool confirm, bool *ok)
{
    char context[64];
    unsigned char *secret = NULL;
    size_t len = 0;
    int64_t step = 0;
    *ok = false;
    if (!f->totp_secret) return MQ_OK;
    totp_context(user_id, context);
    mq_err err = mq_secrets_unseal(ctx->secrets, a, context, f->totp_secret, &secret, &len);
    if (err == MQ_EPERM) {
        mq_log_error(ctx->log, "mfa", "the TOTP secret of user %s does not open", user_id);
        return MQ_EINTERNAL;
    }
    if (err) return err;
    err = mq_totp_check(secret, len, now_ms(ctx) / 1000, code, &step);
    sodium_memzero(secret, len);
    if (err == MQ_EPERM) return MQ_OK;
    if (err) return err;
    return mq_store_totp_accept(db, user_id, step, confirm, now_ms(ctx), ok);
}

bool mq_backup_code_normalise(const char *typed, char out[17])
{
    size_t n = 0;
    if (!typed) return false;
    for (const char *p = typed; *p; p++) {
        int c = toupper((unsigned char)*p);
        if (c == '-' || c == ' ') continue;
        if (c == 'O') c = '0'; /* read as Crockford's base32 reads them */
        if (c == 'I' || c == 'L') c = '1';
        if (n == 16 || !c || !strchr(CODE_ALPHABET, c)) return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n == 16;
}

static void backup_hash(const char *user_id, const char *canonical, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)user_id, strlen(user_id));
    crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)canonical, strlen(canonical));
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

static mq_err check_backup(struct mq_ctx *ctx, struct mq_db *db, const char *user_id,
                           const char *code, const char *ip, bool *ok)
{
    char canonical[17], hash[65];
    *ok = false;
    if (!mq_backup_code_normalise(code, canonical)) return MQ_OK;
    backup_hash(user_id, canonical, hash);
    sodium_memzero(canonical, sizeof(canonical));
    return mq_store_backup_code_use(db, user_id, hash, now_ms(ctx), ip, ok);
}

/* What a factor check amounted to beyond right or wrong. */
struct check {
    const char *purpose;        /* of a WebAuthn challenge: "mfa" or "reauth" */
    const char *mfa_token_hash; /* the sign-in a WebAuthn challenge must belong to */
    bool cloned;                /* a WebAuthn counter went backwards */
};

/* Checks a code (or assertion) of a method: MQ_EINVAL for a method the
 * user lacks. */
static mq_err check_code(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                         const char *user_id, const struct mq_mfa_factors *f, const char *method,
                         const char *code, json_t *assertion, const char *ip, struct check *chk,
                         bool *ok)
{
    *ok = false;
    if (!strcmp(method, "webauthn")) {
        enum mq_passkey_verdict v;
        const char *owner = NULL, *credential = NULL, *why = NULL;
        if (!f->webauthn_usable) return MQ_EINVAL;
        mq_err err = mq_passkeys_check(ctx, db, a, chk->purpose, user_id, chk->mfa_token_hash,
                                       assertion, &v, &owner, &credential, &why);
        if (err) return err;
        *ok = v == MQ_PASSKEY_OK;
        chk->cloned = v == MQ_PASSKEY_CLONED;
        if (!*ok) mq_log_info(ctx->log, "mfa", "WebAuthn refused for user %s: %s", user_id, why);
        return MQ_OK;
    }
    if (!strcmp(method, "totp")) {
        if (!(f->totp_secret && f->totp_confirmed_at)) return MQ_EINVAL;
        return check_totp(ctx, db, a, user_id, f, code, false, ok);
    }
    if (!strcmp(method, "backup_code")) {
        if (!f->backup_left) return MQ_EINVAL;
        return check_backup(ctx, db, user_id, code, ip, ok);
    }
    return MQ_EINVAL;
}

mq_err mq_mfa_totp_confirm(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                           const char *code)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    bool ok = false;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err && (!f.totp_secret || f.totp_confirmed_at)) err = MQ_ENOTFOUND;
    if (!err) err = check_totp(ctx, db, a, who->user_id, &f, code, true, &ok);
    if (!err && !ok) err = MQ_EPERM;
    if (!err && !f.enabled_at) err = mq_store_mfa_enabled(db, who->user_id, now);
    /* This session has just proven the factor. */
    if (!err && who->session_id) err = mq_store_session_mfa(db, who->session_id, "totp", now);
    if (!err)
        err = mq_mfa_notify(ctx, db, a, who,
                            "An authenticator app was added; signing in now asks for its code.");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_totp_remove(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    bool deleted = false;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err) err = mq_store_totp_delete(db, who->user_id, &deleted);
    if (!err && !deleted) err = MQ_ENOTFOUND;
    /* A pending authenticator was no factor yet. */
    if (!err && f.totp_confirmed_at)
        err = mq_mfa_factor_removed(ctx, db, a, who, !f.webauthn, "The authenticator app");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_factor_removed(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                             const struct mq_mfa_who *who, bool last, const char *what)
{
    char change[256];
    bool required = false;
    mq_err err = last ? policy_requires(db, a, who->roles, who->nroles, &required) : MQ_OK;
    if (err) return err;
    /* The last factor of a role that must have one stays. */
    if (required) return MQ_EPERM;
    if (last) {
        /* No factor left: sign-in stops asking, and remembered devices and
         * backup codes mean nothing any more. */
        err = mq_store_mfa_enabled(db, who->user_id, 0);
        if (!err) err = mq_store_devices_revoke(db, who->user_id, NULL, now_ms(ctx), NULL);
        if (!err) err = mq_store_backup_codes_clear(db, who->user_id);
        snprintf(change, sizeof(change),
                 "%s was removed; it was the last second factor, so signing in no longer asks "
                 "for one, and the backup codes no longer work.",
                 what);
    } else {
        snprintf(change, sizeof(change), "%s was removed.", what);
    }
    return err ? err : mq_mfa_notify(ctx, db, a, who, change);
}

mq_err mq_mfa_admin_reset(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                          const char *user_id, const char *ip, int *removed, const char **code,
                          const char **why)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    struct mq_mfa_who who = {.user_id = user_id, .ip = ip};
    int64_t now = now_ms(ctx), keys = 0;
    bool totp = false;
    *removed = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_roles_check_target(db, a, actor, user_id, code, why);
    if (!err) err = mq_store_mfa_factors(db, a, user_id, now, &f);
    if (!err) err = mq_store_totp_delete(db, user_id, &totp);
    if (!err) err = mq_store_webauthn_delete_all(db, user_id, &keys);
    if (!err) err = mq_store_backup_codes_clear(db, user_id);
    if (!err) err = mq_store_devices_revoke(db, user_id, NULL, now, NULL);
    if (!err) err = mq_store_mfa_enabled(db, user_id, 0);
    *removed = (totp && f.totp_confirmed_at ? 1 : 0) + (int)keys;
    if (!err && (*removed || f.enabled_at))
        err = mq_mfa_notify(ctx, db, a, &who,
                            "An administrator removed your second factors (authenticator app, "
                            "security keys and backup codes), as asked when they are lost. "
                            "Signing in no longer asks for one until you set one up again.");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_backup_codes_new(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                               bool only_if_none, char *codes[MQ_BACKUP_CODES])
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err && only_if_none && f.backup_left) err = MQ_ECONFLICT;
    if (!err) err = mq_store_backup_codes_clear(db, who->user_id);
    for (int i = 0; !err && i < MQ_BACKUP_CODES; i++) {
        unsigned char raw[16];
        char canonical[17], hash[65];
        char *code = mq_arena_alloc(a, MQ_BACKUP_CODE_LEN + 1);
        if (!code) {
            err = MQ_ENOMEM;
            break;
        }
        /* 32 symbols: the low five bits of a uniform byte are uniform. */
        mq_rng_fill(ctx->rng, raw, sizeof(raw));
        for (int j = 0, k = 0; j < 16; j++) {
            canonical[j] = CODE_ALPHABET[raw[j] & 31];
            if (j && j % 4 == 0) code[k++] = '-';
            code[k++] = canonical[j];
        }
        canonical[16] = '\0';
        code[MQ_BACKUP_CODE_LEN] = '\0';
        backup_hash(who->user_id, canonical, hash);
        err = mq_store_backup_code_insert(db, who->user_id, hash, now);
        codes[i] = code;
        sodium_memzero(raw, sizeof(raw));
        sodium_memzero(canonical, sizeof(canonical));
    }
    if (!err)
        err = mq_mfa_notify(ctx, db, a, who,
                            "New backup codes were made; any earlier backup codes no longer work.");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_enable(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err && !has_factor(&f)) err = MQ_EINVAL;
    if (!err && f.enabled_at) return mq_store_finish(db, MQ_OK);
    if (!err) err = mq_store_mfa_enabled(db, who->user_id, now);
    if (!err)
        err = mq_mfa_notify(ctx, db, a, who,
                            "Two-step sign-in was turned on; signing in asks for a second factor.");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_disable(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    bool required = false;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err) err = policy_requires(db, a, who->roles, who->nroles, &required);
    if (!err && required) err = MQ_EPERM;
    if (!err && !f.enabled_at) return mq_store_finish(db, MQ_OK);
    if (!err) err = mq_store_mfa_enabled(db, who->user_id, 0);
    if (!err) err = mq_store_devices_revoke(db, who->user_id, NULL, now, NULL);
    if (!err)
        err = mq_mfa_notify(
            ctx, db, a, who,
            "Two-step sign-in was turned off; signing in asks only for the password.");
    return mq_store_finish(db, err);
}

mq_err mq_mfa_devices_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                           struct mq_trusted_device **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    return mq_store_finish(db, mq_store_devices_list(db, a, user_id, now_ms(ctx), 100, out, n));
}

mq_err mq_mfa_device_revoke(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    int64_t revoked = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_devices_revoke(db, user_id, id, now_ms(ctx), &revoked);
    if (!err && !revoked) err = MQ_ENOTFOUND;
    return mq_store_finish(db, err);
}

mq_err mq_mfa_gate(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                   const struct mq_user_row *user, const struct mq_login *in, struct mq_tokens *out,
                   struct mq_session_factor *factor, bool *pending)
{
    struct mq_mfa_factors f;
    bool required = false;
    int64_t now = now_ms(ctx);
    *pending = false;
    factor->method = NULL;
    factor->enrol_only = false;
    out->mfa_token = NULL;
    out->mfa_methods = 0;
    out->device_token = NULL;
    mq_err err = mq_store_mfa_factors(db, a, user->id, now, &f);
    struct mq_role_grant grants[MQ_AUTHZ_MAX_ROLES];
    const char *held[MQ_AUTHZ_MAX_ROLES];
    size_t nheld = 0;
    if (!err) err = mq_store_user_roles(db, a, user->id, grants, MQ_AUTHZ_MAX_ROLES, &nheld);
    for (size_t i = 0; !err && i < nheld; i++) held[i] = grants[i].role;
    if (!err) err = policy_requires(db, a, held, nheld, &required);
    if (err) return err;
    if (!has_factor(&f)) {
        factor->enrol_only = required;
        return MQ_OK;
    }
    if (!f.enabled_at && !required) return MQ_OK;

    if (in->device_token && mq_secret_token_shaped(in->device_token, "mqd_")) {
        char hash[65];
        mq_secret_token_hash(in->device_token, hash);
        err = mq_store_device_use(db, user->id, hash, now);
        if (!err) {
            factor->method = "trusted_device";
            return MQ_OK;
        }
        if (err != MQ_ENOTFOUND) return err;
    }

    char hash[65];
    char *token = mq_secret_token_new(ctx->rng, a, "mqm_", hash);
    if (!token) return MQ_ENOMEM;
    struct mq_mfa_challenge c = {.token_hash = hash,
                                 .user_id = user->id,
                                 .ip = in->ip,
                                 .user_agent = in->user_agent,
                                 .device_name = in->device_name,
                                 .created_at = now,
                                 .expires_at = now + MQ_MFA_CHALLENGE_TTL_MS,
                                 .restore = in->restore && user->deleted_at};
    err = mq_store_challenge_insert(db, &c);
    if (err) return err;
    out->mfa_token = token;
    out->mfa_methods = (f.totp_secret && f.totp_confirmed_at ? MQ_MFA_TOTP : 0) |
                       (f.backup_left ? MQ_MFA_BACKUP_CODE : 0) |
                       (f.webauthn_usable ? MQ_MFA_WEBAUTHN : 0);
    *pending = true;
    return MQ_OK;
}

mq_err mq_mfa_verify(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_answer *in,
                     struct mq_tokens *out, enum mq_mfa_outcome *outcome, char user_id[37])
{
    char hash[65];
    struct mq_mfa_challenge c;
    struct mq_user_row u;
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    bool ok = false, won = false, locked = false;
    int64_t now = now_ms(ctx);
    *outcome = MQ_MFA_BAD_TOKEN;
    user_id[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (!in->mfa_token || !mq_secret_token_shaped(in->mfa_token, "mqm_")) return MQ_EPERM;
    mq_secret_token_hash(in->mfa_token, hash);

    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_challenge_attempt(db, a, hash, now, MQ_MFA_CHALLENGE_ATTEMPTS, &c);
    if (err == MQ_ENOTFOUND) {
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_user_by_id(db, a, c.user_id, &u);
    if (err) return mq_store_finish(db, err);
    snprintf(user_id, 37, "%s", u.id);
    if (u.suspended_at || u.locked_until > now || (u.deleted_at && !c.restore)) {
        /* The attempt counts; the code is not even looked at. */
        *outcome = MQ_MFA_LOCKED;
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    struct check chk = {.purpose = "mfa", .mfa_token_hash = hash};
    err = mq_store_mfa_factors(db, a, u.id, now, &f);
    if (!err)
        err = check_code(ctx, db, a, u.id, &f, in->method, in->code, in->assertion, in->ip, &chk,
                         &ok);
    if (err == MQ_EINVAL) {
        /* A method the user lacks: the attempt counts all the same. */
        mq_err ferr = mq_store_finish(db, MQ_OK);
        return ferr ? ferr : MQ_EINVAL;
    }
    if (!err && !ok) {
        err = mq_auth_count_failure(ctx, db, &u, in->ip, &locked);
        *outcome = locked ? MQ_MFA_LOCKOUT : chk.cloned ? MQ_MFA_CLONED : MQ_MFA_WRONG;
        err = mq_store_finish(db, err);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_challenge_use(db, hash, now, &won);
    if (!err && !won) {
        err = mq_store_finish(db, MQ_OK);
        return err ? err : MQ_EPERM;
    }
    if (!err) err = mq_store_user_login_ok(db, u.id, NULL, now);
    if (!err && c.restore && u.deleted_at) err = mq_store_user_restore(db, u.id, now);
    struct mq_login device = {.ip = c.ip, .user_agent = c.user_agent, .device_name = c.device_name};
    struct mq_session_factor factor = {.method = in->method};
    if (!err) err = mq_auth_session_open(ctx, db, a, u.id, &device, &factor, out);
    if (!err && in->remember_device && ctx->cfg->mfa_remember_device > 0) {
        char dhash[65], id[37];
        char *token = mq_secret_token_new(ctx->rng, a, "mqd_", dhash);
        mq_uuid7_new(ctx->clock, ctx->rng, id);
        struct mq_trusted_device d = {.id = id,
                                      .user_id = u.id,
                                      .token_hash = dhash,
                                      .created_at = now,
                                      .expires_at = now + ctx->cfg->mfa_remember_device,
                                      .ip = c.ip,
                                      .user_agent = c.user_agent,
                                      .device_name = c.device_name};
        err = token ? mq_store_device_insert(db, &d) : MQ_ENOMEM;
        out->device_token = token;
    }
    err = mq_store_finish(db, err);
    if (err) return err;
    *outcome = MQ_MFA_OK;
    return MQ_OK;
}

mq_err mq_mfa_reauth(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                     const char *method, const char *code, json_t *assertion)
{
    struct check chk = {.purpose = "reauth"};
    struct mq_mfa_factors f;
    struct mq_user_row u;
    struct mq_db *db = NULL;
    bool ok = false, locked = false;
    int64_t now = now_ms(ctx);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (!err && u.locked_until > now) {
        mq_store_rollback(db);
        return MQ_EPERM;
    }
    if (!err) err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err)
        err = check_code(ctx, db, a, who->user_id, &f, method, code, assertion, who->ip, &chk, &ok);
    if (!err && !ok) {
        err = mq_auth_count_failure(ctx, db, &u, who->ip, &locked);
        err = mq_store_finish(db, err);
        return err ? err : chk.cloned ? MQ_ECONFLICT : MQ_EPERM;
    }
    if (!err) err = mq_store_session_reauth(db, who->session_id, now);
    return mq_store_finish(db, err);
}

bool mq_mfa_recent(const struct mq_ctx *ctx, const struct mq_principal *who)
{
    return who->auth_at && now_ms(ctx) - who->auth_at <= ctx->cfg->reauth_window;
}

bool mq_mfa_token_hash(const char *mfa_token, char hash[65])
{
    if (!mfa_token || !mq_secret_token_shaped(mfa_token, "mqm_")) return false;
    mq_secret_token_hash(mfa_token, hash);
    return true;
}

mq_err mq_mfa_webauthn_options(struct mq_ctx *ctx, struct mq_arena *a, const char *mfa_token,
                               json_t **options)
{
    char hash[65];
    const char *user_id = NULL;
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    int64_t now = now_ms(ctx);
    if (!mq_mfa_token_hash(mfa_token, hash)) return MQ_EPERM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_challenge_peek(db, a, hash, now, MQ_MFA_CHALLENGE_ATTEMPTS, &user_id);
    if (!err) err = mq_store_mfa_factors(db, a, user_id, now, &f);
    err = mq_store_finish(db, err);
    if (err == MQ_ENOTFOUND) return MQ_EPERM;
    if (err) return err;
    if (!f.webauthn_usable) return MQ_EINVAL;
    return mq_passkeys_assert_begin(ctx, a, "mfa", user_id, hash, options);
}
