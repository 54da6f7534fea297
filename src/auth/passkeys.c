#include "auth/passkeys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "core/uuid.h"
#include "crypto/webauthn.h"
#include "store/mfa.h"
#include "store/users.h"
#include "auth/conf.h"
#include "system/conf.h"

#define B64             sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define CHALLENGE_LEN   32
#define CHALLENGE_TTL   (5 * 60 * 1000)
#define MAX_ORIGINS     8
#define MAX_CREDENTIALS 64

struct rp {
    char id[256], origin_buf[2048];
    const char *origins[MAX_ORIGINS];
    size_t norigins;
    struct mq_webauthn_rp view;
};

static int64_t now_ms(const struct mq_ctx *ctx)
{
    return mq_clock_now_ms(ctx->clock);
}

/* The relying party from the configuration: webauthn_rp_id or the host of
 * public_url; webauthn_origins or public_url's origin. */
static void rp_load(const struct mq_config *cfg, struct rp *rp)
{
    const char *url = mq_system_conf(cfg)->public_url ? mq_system_conf(cfg)->public_url : "";
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    size_t origin_len = (size_t)(host - url) + strcspn(host, "/");
    memset(rp, 0, sizeof(*rp));
    if (mq_auth_conf(cfg)->webauthn_rp_id && *mq_auth_conf(cfg)->webauthn_rp_id) {
        snprintf(rp->id, sizeof(rp->id), "%s", mq_auth_conf(cfg)->webauthn_rp_id);
    } else if (*host == '[') {
        snprintf(rp->id, sizeof(rp->id), "%.*s", (int)strcspn(host + 1, "]"), host + 1);
    } else {
        snprintf(rp->id, sizeof(rp->id), "%.*s", (int)strcspn(host, ":/"), host);
    }
    if (mq_auth_conf(cfg)->webauthn_origins && *mq_auth_conf(cfg)->webauthn_origins)
        snprintf(rp->origin_buf, sizeof(rp->origin_buf), "%s", mq_auth_conf(cfg)->webauthn_origins);
    else
        snprintf(rp->origin_buf, sizeof(rp->origin_buf), "%.*s", (int)origin_len, url);
    for (char *save = NULL, *o = strtok_r(rp->origin_buf, ", ", &save);
         o && rp->norigins < MAX_ORIGINS; o = strtok_r(NULL, ", ", &save))
        rp->origins[rp->norigins++] = o;
    rp->view = (struct mq_webauthn_rp){rp->id, rp->origins, rp->norigins};
}

static void hash_hex(const unsigned char *data, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

static char *b64(struct mq_arena *a, const unsigned char *data, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, B64);
    char *out = mq_arena_alloc(a, n);
    if (out) sodium_bin2base64(out, n, data, len, B64);
    return out;
}

/* A new challenge for `purpose`, stored; its base64url in *text. */
static mq_err new_challenge(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                            const char *purpose, const char *user_id, const char *mfa_token_hash,
                            char **text)
{
    unsigned char raw[CHALLENGE_LEN];
    char hash[65];
    mq_rng_fill(ctx->rng, raw, sizeof(raw));
    hash_hex(raw, sizeof(raw), hash);
    *text = b64(a, raw, sizeof(raw));
    if (!*text) return MQ_ENOMEM;
    struct mq_webauthn_challenge c = {.challenge_hash = hash,
                                      .purpose = purpose,
                                      .user_id = user_id,
                                      .mfa_token_hash = mfa_token_hash,
                                      .created_at = now_ms(ctx),
                                      .expires_at = now_ms(ctx) + CHALLENGE_TTL};
    return mq_store_webauthn_challenge_insert(db, &c);
}

/* The challenge a clientDataJSON answers, used up if it is a live one of
 * `purpose`: its bytes (arena), owner and sign-in. */
static mq_err take_challenge(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                             const char *purpose, struct mq_webauthn_blob client_data,
                             struct mq_webauthn_blob *challenge, const char **user_id,
                             const char **mfa_token_hash)
{
    char hash[65];
    json_t *doc = json_loadb((const char *)client_data.data, client_data.len, 0, NULL);
    const char *c = json_string_value(json_object_get(doc, "challenge"));
    bool ok = c && mq_webauthn_b64url(a, c, challenge) && challenge->len == CHALLENGE_LEN;
    json_decref(doc);
    if (!ok) return MQ_ENOTFOUND;
    hash_hex(challenge->data, challenge->len, hash);
    return mq_store_webauthn_challenge_use(db, a, hash, purpose, now_ms(ctx), user_id,
                                           mfa_token_hash);
}

static bool response_blob(struct mq_arena *a, json_t *cred, const char *field,
                          struct mq_webauthn_blob *out)
{
    json_t *response = json_object_get(cred, "response");
    return mq_webauthn_b64url(a, json_string_value(json_object_get(response, field)), out);
}

static json_t *credential_descriptors(struct mq_webauthn_credential *rows, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        if (rows[i].flagged_at) continue;
        json_t *t = json_loads(rows[i].transports, 0, NULL);
        json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "type", "public-key", "id",
                                              rows[i].credential_id, "transports",
                                              json_is_array(t) ? t : json_array()));
        if (!json_is_array(t)) json_decref(t);
    }
    return list;
}

static bool name_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (!len || len > MQ_PASSKEY_NAME_MAX * 4 || !mq_utf8_valid(name, len)) return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* Known transports only, as a JSON array text (arena). */
static const char *transports_text(struct mq_arena *a, json_t *cred)
{
    static const char *const known[] = {"usb", "nfc", "ble", "smart-card", "hybrid", "internal"};
    json_t *given = json_object_get(json_object_get(cred, "response"), "transports"), *v;
    json_t *clean = json_array();
    size_t i;
    json_array_foreach(given, i, v)
    {
        for (size_t k = 0; json_is_string(v) && k < sizeof(known) / sizeof(known[0]); k++)
            if (!strcmp(json_string_value(v), known[k]))
                json_array_append_new(clean, json_string(known[k]));
    }
    char *text = json_dumps(clean, JSON_COMPACT);
    json_decref(clean);
    const char *out = text ? mq_arena_strdup(a, text) : NULL;
    free(text);
    return out;
}

mq_err mq_passkeys_register_begin(struct mq_ctx *ctx, struct mq_arena *a,
                                  const struct mq_mfa_who *who, json_t **options)
{
    struct rp rp;
    struct mq_user_row u;
    struct mq_webauthn_credential *rows = NULL;
    unsigned char raw[32];
    const char *handle = NULL;
    char *challenge = NULL, *fresh;
    size_t n = 0;
    struct mq_db *db = NULL;
    rp_load(ctx->cfg, &rp);
    mq_rng_fill(ctx->rng, raw, sizeof(raw));
    fresh = b64(a, raw, sizeof(raw));
    if (!fresh) return MQ_ENOMEM;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_user_by_id(db, a, who->user_id, &u);
    if (!err) err = mq_store_webauthn_handle(db, a, who->user_id, fresh, &handle);
    if (!err) err = mq_store_webauthn_list(db, a, who->user_id, MAX_CREDENTIALS, &rows, &n);
    if (!err && n >= MAX_CREDENTIALS) err = MQ_ETOOBIG;
    if (!err) err = new_challenge(ctx, db, a, "register", who->user_id, NULL, &challenge);
    err = mq_store_finish(db, err);
    if (err) return err;
    /* EdDSA first, then ES256 and RS256: the authenticator picks the first
     * it supports. Attestation "none": without a metadata service to anchor
     * it, asking for more would only make browsers ask the member's consent
     * for nothing; a statement sent anyway (packed) is still checked. */
    *options = json_pack(
        "{s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:i},{s:s,s:i},{s:s,s:i}],s:i,s:o,"
        "s:{s:s,s:b,s:s},s:s,s:{s:b}}",
        "challenge", challenge, "rp", "id", rp.id, "name", mq_system_conf(ctx->cfg)->server_name,
        "user", "id", handle, "name", u.email, "displayName", u.display_name, "pubKeyCredParams",
        "type", "public-key", "alg", -8, "type", "public-key", "alg", -7, "type", "public-key",
        "alg", -257, "timeout", CHALLENGE_TTL, "excludeCredentials",
        credential_descriptors(rows, n), "authenticatorSelection", "residentKey", "preferred",
        "requireResidentKey", 0, "userVerification", "preferred", "attestation", "none",
        "extensions", "credProps", 1);
    return *options ? MQ_OK : MQ_ENOMEM;
}

/* A registration that does not verify: 422 invalid_credential. */
static mq_err not_verified(struct mq_refusal *why, const char *reason)
{
    return mq_refuse(why, MQ_EINVAL, "invalid_credential", NULL, "%s", reason);
}

mq_err mq_passkeys_register_finish(struct mq_ctx *ctx, struct mq_arena *a,
                                   const struct mq_mfa_who *who, json_t *credential,
                                   const char *name, const char **id, struct mq_refusal *why)
{
    const char *reason = NULL;
    struct rp rp;
    struct mq_webauthn_blob cd, att, challenge;
    struct mq_webauthn_registration r;
    struct mq_mfa_factors f;
    const char *owner = NULL, *sign_in = NULL;
    char uuid[37], aaguid[33];
    struct mq_db *db = NULL;
    int64_t now = now_ms(ctx);
    rp_load(ctx->cfg, &rp);
    if (!name) name = "Passkey";
    if (!name_valid(name))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", NULL,
                         "a credential's name is 1 to 64 characters, without control characters");
    if (!json_is_object(credential) || !json_is_string(json_object_get(credential, "id")) ||
        !response_blob(a, credential, "clientDataJSON", &cd) ||
        !response_blob(a, credential, "attestationObject", &att))
        return not_verified(why, "credential is not a RegistrationResponseJSON (id, "
                                 "response.clientDataJSON, response.attestationObject)");
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = take_challenge(ctx, db, a, "register", cd, &challenge, &owner, &sign_in);
    if (!err && (!owner || strcmp(owner, who->user_id))) err = MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND) {
        reason = "no registration of yours waits for this challenge (expired or used?)";
        err = MQ_EPERM;
    }
    if (!err)
        err = mq_webauthn_verify_registration(a, &rp.view, challenge.data, challenge.len, cd, att,
                                              false, &r, &reason);
    const char *cred_id = err ? NULL : b64(a, r.cred_id, r.cred_id_len);
    if (!err &&
        (!cred_id || strcmp(cred_id, json_string_value(json_object_get(credential, "id"))))) {
        reason = "the credential's id is not the one its authenticator data names";
        err = MQ_EPERM;
    }
    if (!err) {
        mq_uuid7_new(ctx->clock, ctx->rng, uuid);
        sodium_bin2hex(aaguid, sizeof(aaguid), r.aaguid, sizeof(r.aaguid));
        struct mq_webauthn_credential c = {.id = uuid,
                                           .user_id = who->user_id,
                                           .credential_id = cred_id,
                                           .public_key = b64(a, r.cose_key, r.cose_key_len),
                                           .alg = r.alg,
                                           .sign_count = r.sign_count,
                                           .aaguid = aaguid,
                                           .transports = transports_text(a, credential),
                                           .name = name,
                                           .attestation_format = r.fmt,
                                           .attestation_type = r.attestation_type,
                                           .backup_eligible = r.backup_eligible,
                                           .backed_up = r.backed_up,
                                           .created_at = now};
        err = c.public_key && c.transports ? mq_store_webauthn_insert(db, &c) : MQ_ENOMEM;
        if (err == MQ_ECONFLICT)
            mq_refuse(why, err, "credential_exists", NULL, "this credential is registered already");
    }
    if (!err) err = mq_store_mfa_factors(db, a, who->user_id, now, &f);
    if (!err)
        err = mq_mfa_policy_factor_added(ctx, db, a, who, &f, "webauthn",
                                         "A security key or passkey was added.");
    if (err == MQ_EPERM) {
        /* The challenge stays used: a new attempt starts with new options. */
        mq_err ferr = mq_store_finish(db, MQ_OK);
        return ferr ? ferr : not_verified(why, reason ? reason : "it does not verify");
    }
    err = mq_store_finish(db, err);
    if (!err) *id = mq_arena_strdup(a, uuid);
    return err;
}

mq_err mq_passkeys_assert_begin(struct mq_ctx *ctx, struct mq_arena *a, const char *purpose,
                                const char *user_id, const char *mfa_token_hash, json_t **options)
{
    struct rp rp;
    struct mq_webauthn_credential *rows = NULL;
    size_t n = 0;
    char *challenge = NULL;
    struct mq_db *db = NULL;
    bool passkey = !strcmp(purpose, "passkey");
    rp_load(ctx->cfg, &rp);
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    if (!passkey) err = mq_store_webauthn_list(db, a, user_id, MAX_CREDENTIALS, &rows, &n);
    if (!err) err = new_challenge(ctx, db, a, purpose, user_id, mfa_token_hash, &challenge);
    err = mq_store_finish(db, err);
    if (err) return err;
    *options = json_pack("{s:s,s:s,s:i,s:o,s:s}", "challenge", challenge, "rpId", rp.id, "timeout",
                         CHALLENGE_TTL, "allowCredentials",
                         passkey ? json_array() : credential_descriptors(rows, n),
                         "userVerification", passkey ? "required" : "preferred");
    return *options ? MQ_OK : MQ_ENOMEM;
}

mq_err mq_passkeys_check(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                         const char *purpose, const char *user_id, const char *mfa_token_hash,
                         json_t *assertion, enum mq_passkey_verdict *verdict, const char **user_out,
                         const char **credential, const char **why)
{
    struct rp rp;
    struct mq_webauthn_assertion in;
    struct mq_webauthn_blob challenge, key, handle = {0};
    struct mq_webauthn_credential c;
    const char *owner = NULL, *sign_in = NULL;
    uint32_t count = 0;
    bool uv = false, passkey = !strcmp(purpose, "passkey");
    *verdict = MQ_PASSKEY_REFUSED;
    *user_out = NULL;
    *credential = NULL;
    rp_load(ctx->cfg, &rp);
    const char *id = json_string_value(json_object_get(assertion, "id"));
    if (!json_is_object(assertion) || !id ||
        !response_blob(a, assertion, "clientDataJSON", &in.client_data) ||
        !response_blob(a, assertion, "authenticatorData", &in.authenticator_data) ||
        !response_blob(a, assertion, "signature", &in.signature)) {
        *why = "assertion is not an AuthenticationResponseJSON (id, response.clientDataJSON, "
               "response.authenticatorData, response.signature)";
        return MQ_OK;
    }
    mq_err err = take_challenge(ctx, db, a, purpose, in.client_data, &challenge, &owner, &sign_in);
    if (err == MQ_ENOTFOUND) {
        *why = "no ceremony waits for this challenge (expired, used, or for something else)";
        return MQ_OK;
    }
    if (err) return err;
    if ((user_id && (!owner || strcmp(owner, user_id))) ||
        (mfa_token_hash && (!sign_in || strcmp(sign_in, mfa_token_hash)))) {
        *why = "the challenge was made for another user or sign-in";
        return MQ_OK;
    }
    err = mq_store_webauthn_by_credential(db, a, id, &c);
    if (err == MQ_ENOTFOUND || (!err && user_id && strcmp(c.user_id, user_id))) {
        *why = "unknown credential";
        return MQ_OK;
    }
    if (err) return err;
    *credential = c.id;
    *user_out = c.user_id;
    if (passkey) {
        /* A discoverable credential names its user: it must be its owner. */
        struct mq_webauthn_blob mine;
        if (!response_blob(a, assertion, "userHandle", &handle) || !c.user_handle ||
            !mq_webauthn_b64url(a, c.user_handle, &mine) || mine.len != handle.len ||
            sodium_memcmp(mine.data, handle.data, handle.len)) {
            *why = "the user handle is not the credential owner's";
            return MQ_OK;
        }
    }
    if (c.flagged_at) {
        *verdict = MQ_PASSKEY_FLAGGED;
        *why = "this credential was flagged as possibly cloned; register it again";
        return MQ_OK;
    }
    if (!mq_webauthn_b64url(a, c.public_key, &key)) return MQ_EINTERNAL;
    err = mq_webauthn_verify_assertion(&rp.view, challenge.data, challenge.len, &in, key.data,
                                       key.len, (uint32_t)c.sign_count, passkey, &count, &uv, why);
    if (err == MQ_EPERM) return MQ_OK;
    if (err == MQ_ECONFLICT) {
        *verdict = MQ_PASSKEY_CLONED;
        return mq_store_webauthn_flag(db, c.id, now_ms(ctx));
    }
    if (err) return err;
    *verdict = MQ_PASSKEY_OK;
    return mq_store_webauthn_used(db, c.id, count, now_ms(ctx));
}

mq_err mq_passkeys_list(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                        struct mq_passkey **out, size_t *n)
{
    struct mq_webauthn_credential *rows = NULL;
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_finish(db, mq_store_webauthn_list(db, a, user_id, MAX_CREDENTIALS, &rows, n));
    if (err) return err;
    *out = mq_arena_calloc(a, *n ? *n : 1, sizeof(**out));
    if (!*out) return MQ_ENOMEM;
    for (size_t i = 0; i < *n; i++) {
        const struct mq_webauthn_credential *c = &rows[i];
        (*out)[i] = (struct mq_passkey){.id = c->id,
                                        .name = c->name,
                                        .credential_id = c->credential_id,
                                        .aaguid = c->aaguid,
                                        .transports = c->transports,
                                        .attestation_format = c->attestation_format,
                                        .attestation_type = c->attestation_type,
                                        .alg = c->alg,
                                        .backup_eligible = c->backup_eligible,
                                        .backed_up = c->backed_up,
                                        .created_at = c->created_at,
                                        .last_used_at = c->last_used_at,
                                        .flagged_at = c->flagged_at};
    }
    return MQ_OK;
}

mq_err mq_passkeys_rename(struct mq_ctx *ctx, const char *user_id, const char *id, const char *name)
{
    struct mq_db *db = NULL;
    bool changed = false;
    if (!name_valid(name)) return MQ_EINVAL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_webauthn_rename(db, user_id, id, name, &changed);
    if (!err && !changed) err = MQ_ENOTFOUND;
    return mq_store_finish(db, err);
}

static mq_err remove_credential(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                                const struct mq_mfa_who *who, const struct mq_mfa_factors *f,
                                void *id)
{
    bool deleted = false;
    mq_err err = mq_store_webauthn_delete(db, who->user_id, id, &deleted);
    if (!err && !deleted) err = MQ_ENOTFOUND;
    bool last = !(f->totp_secret && f->totp_confirmed_at) && f->webauthn <= 1;
    if (!err)
        err = mq_mfa_policy_factor_removed(ctx, db, a, who, last, "A security key or passkey");
    return err;
}

mq_err mq_passkeys_delete(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_mfa_who *who,
                          const char *id)
{
    return mq_mfa_policy_change(ctx, a, who, remove_credential, (void *)id);
}
