#include "auth/mfa.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/passkeys.h"
#include "auth/roles.h"
#include "core/uuid.h"
#include "crypto/qr.h"
#include "crypto/secrets.h"
#include "crypto/token.h"
#include "crypto/totp.h"
#include "store/webauthn.h"
#include "system/conf.h"

#define QR_SCALE 6
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

mq_err mq_mfa_status(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                     struct mq_mfa_status *out)
{
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    memset(out, 0, sizeof(*out));
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_mfa_factors(db, a, who->user_id, now_ms(ctx), &f);
    if (!err) err = mq_mfa_policy_requires(db, a, who->roles, who->nroles, &out->required);
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
    if (!err)
        err =
            mq_totp_uri(a, mq_system_conf(ctx->cfg)->server_name, u.email, out->secret, &out->uri);
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

mq_err mq_mfa_check(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a, const char *user_id,
                    const struct mq_mfa_factors *f, const char *method, const char *code,
                    json_t *assertion, const char *ip, struct mq_mfa_check *chk, bool *ok)
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

unsigned mq_mfa_methods(const struct mq_mfa_factors *f)
{
    return (f->totp_secret && f->totp_confirmed_at ? MQ_MFA_TOTP : 0) |
           (f->backup_left ? MQ_MFA_BACKUP_CODE : 0) | (f->webauthn_usable ? MQ_MFA_WEBAUTHN : 0);
}

static mq_err confirm_totp(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                           const struct mq_mfa_who *who, const struct mq_mfa_factors *f, void *code)
{
    bool ok = false;
    if (!f->totp_secret || f->totp_confirmed_at) return MQ_ENOTFOUND;
    mq_err err = check_totp(ctx, db, a, who->user_id, f, code, true, &ok);
    if (!err && !ok) err = MQ_EPERM;
    if (!err)
        err = mq_mfa_policy_factor_added(
            ctx, db, a, who, f, "totp",
            "An authenticator app was added; signing in now asks for its code.");
    return err;
}

mq_err mq_mfa_totp_confirm(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                           const char *code)
{
    return mq_mfa_policy_change(ctx, a, who, confirm_totp, (void *)code);
}

static mq_err remove_totp(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                          const struct mq_mfa_who *who, const struct mq_mfa_factors *f, void *arg)
{
    bool deleted = false;
    (void)arg;
    mq_err err = mq_store_totp_delete(db, who->user_id, &deleted);
    if (!err && !deleted) err = MQ_ENOTFOUND;
    /* A pending authenticator was no factor yet. */
    if (!err && f->totp_confirmed_at)
        err = mq_mfa_policy_factor_removed(ctx, db, a, who, !f->webauthn, "The authenticator app");
    return err;
}

mq_err mq_mfa_totp_remove(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    return mq_mfa_policy_change(ctx, a, who, remove_totp, NULL);
}

/* Every factor gone; *removed counts those that were confirmed. */
static mq_err reset_factors(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                            const struct mq_mfa_who *who, const struct mq_mfa_factors *f,
                            int *removed)
{
    int64_t keys = 0;
    bool totp = false;
    mq_err err = mq_store_totp_delete(db, who->user_id, &totp);
    if (!err) err = mq_store_webauthn_delete_all(db, who->user_id, &keys);
    if (!err) err = mq_store_backup_codes_clear(db, who->user_id);
    if (!err) err = mq_store_devices_revoke(db, who->user_id, NULL, now_ms(ctx), NULL);
    if (!err) err = mq_store_mfa_enabled(db, who->user_id, 0);
    *removed = (totp && f->totp_confirmed_at ? 1 : 0) + (int)keys;
    if (!err && (*removed || f->enabled_at))
        err = mq_mfa_policy_notify(
            ctx, db, a, who,
            "An administrator removed your second factors (authenticator app, security keys "
            "and backup codes), as asked when they are lost. Signing in no longer asks for one "
            "until you set one up again.");
    return err;
}

mq_err mq_mfa_admin_reset(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_authz *actor,
                          const char *user_id, const char *ip, int *removed, struct mq_refusal *why)
{
    struct mq_mfa_who who = {.user_id = user_id, .ip = ip};
    struct mq_mfa_factors f;
    struct mq_db *db = NULL;
    int n = 0;
    *removed = 0;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_roles_check_target(db, a, actor, user_id, why);
    if (!err) err = mq_store_mfa_factors(db, a, user_id, now_ms(ctx), &f);
    if (!err) err = reset_factors(ctx, db, a, &who, &f, &n);
    err = mq_store_finish(db, err);
    if (!err) *removed = n;
    return err;
}

/* Ten new backup codes, as asked. */
struct codes {
    bool only_if_none;
    char **out;
};

static mq_err new_codes(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                        const struct mq_mfa_who *who, const struct mq_mfa_factors *f, void *arg)
{
    struct codes *c = arg;
    int64_t now = now_ms(ctx);
    if (c->only_if_none && f->backup_left) return MQ_ECONFLICT;
    mq_err err = mq_store_backup_codes_clear(db, who->user_id);
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
        c->out[i] = code;
        sodium_memzero(raw, sizeof(raw));
        sodium_memzero(canonical, sizeof(canonical));
    }
    if (!err)
        err = mq_mfa_policy_notify(
            ctx, db, a, who,
            "New backup codes were made; any earlier backup codes no longer work.");
    return err;
}

mq_err mq_mfa_backup_codes_new(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                               bool only_if_none, char *codes[MQ_BACKUP_CODES])
{
    struct codes c = {only_if_none, codes};
    return mq_mfa_policy_change(ctx, a, who, new_codes, &c);
}

static mq_err turn_on(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                      const struct mq_mfa_who *who, const struct mq_mfa_factors *f, void *arg)
{
    (void)arg;
    if (!mq_mfa_policy_has_factor(f)) return MQ_EINVAL;
    if (f->enabled_at) return MQ_OK;
    mq_err err = mq_store_mfa_enabled(db, who->user_id, now_ms(ctx));
    if (!err)
        err = mq_mfa_policy_notify(
            ctx, db, a, who,
            "Two-step sign-in was turned on; signing in asks for a second factor.");
    return err;
}

mq_err mq_mfa_enable(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    return mq_mfa_policy_change(ctx, a, who, turn_on, NULL);
}

static mq_err turn_off(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                       const struct mq_mfa_who *who, const struct mq_mfa_factors *f, void *arg)
{
    bool required = false;
    (void)arg;
    mq_err err = mq_mfa_policy_requires(db, a, who->roles, who->nroles, &required);
    if (!err && required) return MQ_EPERM;
    if (err || !f->enabled_at) return err;
    err = mq_store_mfa_enabled(db, who->user_id, 0);
    if (!err) err = mq_store_devices_revoke(db, who->user_id, NULL, now_ms(ctx), NULL);
    if (!err)
        err = mq_mfa_policy_notify(
            ctx, db, a, who,
            "Two-step sign-in was turned off; signing in asks only for the password.");
    return err;
}

mq_err mq_mfa_disable(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who)
{
    return mq_mfa_policy_change(ctx, a, who, turn_off, NULL);
}

mq_err mq_mfa_devices_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                           struct mq_mfa_device **out, size_t *n)
{
    struct mq_trusted_device *rows = NULL;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_devices_list(db, a, user_id, now_ms(ctx), 100, &rows, n));
    if (err) return err;
    *out = mq_arena_calloc(a, *n ? *n : 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (struct mq_mfa_device){
            rows[i].id,         rows[i].ip,         rows[i].user_agent,  rows[i].device_name,
            rows[i].created_at, rows[i].expires_at, rows[i].last_used_at};
    return MQ_OK;
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
