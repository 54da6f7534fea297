#include "store/mfa.h"

static const struct mq_sql SQL_FACTORS = {
    "mfa.factors",
    "SELECT u.mfa_enabled_at, t.secret, t.confirmed_at, t.last_step, "
    "(SELECT COUNT(*) FROM mfa_backup_codes b WHERE b.user_id = u.id AND b.used_at IS NULL), "
    "(SELECT COUNT(*) FROM mfa_backup_codes b WHERE b.user_id = u.id), "
    "(SELECT COUNT(*) FROM trusted_devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL "
    "AND d.expires_at > $2), "
    "(SELECT COUNT(*) FROM webauthn_credentials w WHERE w.user_id = u.id), "
    "(SELECT COUNT(*) FROM webauthn_credentials w WHERE w.user_id = u.id AND w.flagged_at IS NULL) "
    "FROM users u LEFT JOIN mfa_totp t ON t.user_id = u.id WHERE u.id = $1",
    NULL};
static const struct mq_sql SQL_ENABLED = {
    "mfa.enabled", "UPDATE users SET mfa_enabled_at = $2 WHERE id = $1", NULL};
static const struct mq_sql SQL_TOTP_PENDING = {
    "mfa.totp_pending",
    "INSERT INTO mfa_totp (user_id, secret, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, "
    "created_at = excluded.created_at, last_step = 0 WHERE mfa_totp.confirmed_at IS NULL",
    NULL};
static const struct mq_sql SQL_TOTP_CONFIRM = {
    "mfa.totp_confirm",
    "UPDATE mfa_totp SET last_step = $2, confirmed_at = $3 WHERE user_id = $1 "
    "AND confirmed_at IS NULL AND last_step < $2",
    NULL};
static const struct mq_sql SQL_TOTP_USE = {
    "mfa.totp_use",
    "UPDATE mfa_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL "
    "AND last_step < $2",
    NULL};
static const struct mq_sql SQL_TOTP_DELETE = {"mfa.totp_delete",
                                              "DELETE FROM mfa_totp WHERE user_id = $1", NULL};
static const struct mq_sql SQL_BACKUP_CLEAR = {
    "mfa.backup_clear", "DELETE FROM mfa_backup_codes WHERE user_id = $1", NULL};
static const struct mq_sql SQL_BACKUP_INSERT = {
    "mfa.backup_insert",
    "INSERT INTO mfa_backup_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)", NULL};
static const struct mq_sql SQL_BACKUP_USE = {
    "mfa.backup_use",
    "UPDATE mfa_backup_codes SET used_at = $3, used_ip = $4 WHERE user_id = $1 "
    "AND code_hash = $2 AND used_at IS NULL",
    NULL};
static const struct mq_sql SQL_CHALLENGE_INSERT = {
    "mfa.challenge_insert",
    "INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at, restore, ip, "
    "user_agent, device_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    NULL};
static const struct mq_sql SQL_CHALLENGE_ATTEMPT = {
    "mfa.challenge_attempt",
    "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = $1 "
    "AND used_at IS NULL AND expires_at > $2 AND attempts < $3",
    NULL};
static const struct mq_sql SQL_CHALLENGE_GET = {
    "mfa.challenge_get",
    "SELECT user_id, created_at, expires_at, attempts, restore, ip, user_agent, device_name "
    "FROM mfa_challenges WHERE token_hash = $1",
    NULL};
static const struct mq_sql SQL_CHALLENGE_PEEK = {
    "mfa.challenge_peek",
    "SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND used_at IS NULL "
    "AND expires_at > $2 AND attempts < $3",
    NULL};
static const struct mq_sql SQL_CHALLENGE_USE = {
    "mfa.challenge_use",
    "UPDATE mfa_challenges SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL", NULL};
static const struct mq_sql SQL_CHALLENGES_PURGE = {
    "mfa.challenges_purge", "DELETE FROM mfa_challenges WHERE expires_at < $1", NULL};
static const struct mq_sql SQL_DEVICE_INSERT = {
    "mfa.device_insert",
    "INSERT INTO trusted_devices (id, user_id, token_hash, created_at, expires_at, ip, "
    "user_agent, device_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    NULL};
static const struct mq_sql SQL_DEVICE_USE = {
    "mfa.device_use",
    "UPDATE trusted_devices SET last_used_at = $3 WHERE user_id = $1 AND token_hash = $2 "
    "AND revoked_at IS NULL AND expires_at > $3",
    NULL};
static const struct mq_sql SQL_DEVICES_LIST = {
    "mfa.devices_list",
    "SELECT id, created_at, expires_at, last_used_at, ip, user_agent, device_name "
    "FROM trusted_devices WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
    "ORDER BY created_at DESC, id DESC LIMIT $3",
    NULL};
static const struct mq_sql SQL_DEVICE_REVOKE = {
    "mfa.device_revoke",
    "UPDATE trusted_devices SET revoked_at = $3 WHERE user_id = $1 AND id = $2 "
    "AND revoked_at IS NULL AND expires_at > $3",
    NULL};
static const struct mq_sql SQL_DEVICES_REVOKE = {
    "mfa.devices_revoke",
    "UPDATE trusted_devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", NULL};

static void read_factors(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_mfa_factors *out = dst;
    out->enabled_at = mq_rows_int(rows, 0);
    out->totp_secret = mq_rows_dup(rows, 1, a, oom);
    out->totp_confirmed_at = mq_rows_int(rows, 2);
    out->totp_last_step = mq_rows_int(rows, 3);
    out->backup_left = (int)mq_rows_int(rows, 4);
    out->backup_total = (int)mq_rows_int(rows, 5);
    out->trusted_devices = (int)mq_rows_int(rows, 6);
    out->webauthn = (int)mq_rows_int(rows, 7);
    out->webauthn_usable = (int)mq_rows_int(rows, 8);
}

mq_err mq_store_mfa_factors(struct mq_db *db, struct mq_arena *a, const char *user_id, int64_t now,
                            struct mq_mfa_factors *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now)};
    return mq_db_query_one(db, &SQL_FACTORS, p, 2, a, read_factors, out);
}

mq_err mq_store_mfa_enabled(struct mq_db *db, const char *user_id, int64_t at)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), at ? MQ_P_INT(at) : MQ_P_NULL};
    return mq_db_exec(db, &SQL_ENABLED, p, 2, NULL);
}

mq_err mq_store_totp_pending(struct mq_db *db, const char *user_id, const char *sealed, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(sealed), MQ_P_INT(now)};
    mq_err err = mq_db_exec_one(db, &SQL_TOTP_PENDING, p, 3);
    return err == MQ_ENOTFOUND ? MQ_ECONFLICT : err; /* a confirmed secret stays */
}

mq_err mq_store_totp_accept(struct mq_db *db, const char *user_id, int64_t step, bool confirm,
                            int64_t now, bool *accepted)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(step), MQ_P_INT(now)};
    return confirm ? mq_db_exec_changed(db, &SQL_TOTP_CONFIRM, p, 3, accepted)
                   : mq_db_exec_changed(db, &SQL_TOTP_USE, p, 2, accepted);
}

mq_err mq_store_totp_delete(struct mq_db *db, const char *user_id, bool *deleted)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_exec_changed(db, &SQL_TOTP_DELETE, p, 1, deleted);
}

mq_err mq_store_backup_codes_clear(struct mq_db *db, const char *user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_exec(db, &SQL_BACKUP_CLEAR, p, 1, NULL);
}

mq_err mq_store_backup_code_insert(struct mq_db *db, const char *user_id, const char *hash,
                                   int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(hash), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_BACKUP_INSERT, p, 3, NULL);
}

mq_err mq_store_backup_code_use(struct mq_db *db, const char *user_id, const char *hash,
                                int64_t now, const char *ip, bool *used)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(hash), MQ_P_INT(now), MQ_P_TEXT(ip)};
    return mq_db_exec_changed(db, &SQL_BACKUP_USE, p, 4, used);
}

mq_err mq_store_challenge_insert(struct mq_db *db, const struct mq_mfa_challenge *c)
{
    struct mq_param p[] = {MQ_P_TEXT(c->token_hash), MQ_P_TEXT(c->user_id),
                           MQ_P_INT(c->created_at),  MQ_P_INT(c->expires_at),
                           MQ_P_INT(c->restore),     MQ_P_TEXT(c->ip),
                           MQ_P_TEXT(c->user_agent), MQ_P_TEXT(c->device_name)};
    return mq_db_exec(db, &SQL_CHALLENGE_INSERT, p, 8, NULL);
}

static void read_challenge(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_mfa_challenge *out = dst;
    out->user_id = mq_rows_dup(rows, 0, a, oom);
    out->created_at = mq_rows_int(rows, 1);
    out->expires_at = mq_rows_int(rows, 2);
    out->attempts = (int)mq_rows_int(rows, 3);
    out->restore = mq_rows_int(rows, 4) != 0;
    out->ip = mq_rows_dup(rows, 5, a, oom);
    out->user_agent = mq_rows_dup(rows, 6, a, oom);
    out->device_name = mq_rows_dup(rows, 7, a, oom);
}

mq_err mq_store_challenge_attempt(struct mq_db *db, struct mq_arena *a, const char *token_hash,
                                  int64_t now, int max_attempts, struct mq_mfa_challenge *out)
{
    struct mq_param p[] = {MQ_P_TEXT(token_hash), MQ_P_INT(now), MQ_P_INT(max_attempts)};
    mq_err err = mq_db_exec_one(db, &SQL_CHALLENGE_ATTEMPT, p, 3);
    if (!err) err = mq_db_query_one(db, &SQL_CHALLENGE_GET, p, 1, a, read_challenge, out);
    if (!err) out->token_hash = token_hash;
    return err;
}

mq_err mq_store_challenge_use(struct mq_db *db, const char *token_hash, int64_t now, bool *won)
{
    struct mq_param p[] = {MQ_P_TEXT(token_hash), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_CHALLENGE_USE, p, 2, won);
}

mq_err mq_store_challenges_purge(struct mq_db *db, int64_t before, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_CHALLENGES_PURGE, p, 1, deleted);
}

mq_err mq_store_device_insert(struct mq_db *db, const struct mq_trusted_device *d)
{
    struct mq_param p[] = {MQ_P_TEXT(d->id),         MQ_P_TEXT(d->user_id),
                           MQ_P_TEXT(d->token_hash), MQ_P_INT(d->created_at),
                           MQ_P_INT(d->expires_at),  MQ_P_TEXT(d->ip),
                           MQ_P_TEXT(d->user_agent), MQ_P_TEXT(d->device_name)};
    return mq_db_exec(db, &SQL_DEVICE_INSERT, p, 8, NULL);
}

mq_err mq_store_device_use(struct mq_db *db, const char *user_id, const char *token_hash,
                           int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(token_hash), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_DEVICE_USE, p, 3);
}

static void read_device(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_trusted_device *d = dst;
    d->id = mq_rows_dup(rows, 0, a, oom);
    d->created_at = mq_rows_int(rows, 1);
    d->expires_at = mq_rows_int(rows, 2);
    d->last_used_at = mq_rows_int(rows, 3);
    d->ip = mq_rows_dup(rows, 4, a, oom);
    d->user_agent = mq_rows_dup(rows, 5, a, oom);
    d->device_name = mq_rows_dup(rows, 6, a, oom);
}

mq_err mq_store_devices_list(struct mq_db *db, struct mq_arena *a, const char *user_id, int64_t now,
                             int limit, struct mq_trusted_device **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now), MQ_P_INT(limit)};
    mq_err err = mq_db_query_list(db, &SQL_DEVICES_LIST, p, 3, a, read_device, sizeof(**out),
                                  (size_t)limit, out, n);
    for (size_t i = 0; !err && i < *n; i++) (*out)[i].user_id = user_id;
    return err;
}

mq_err mq_store_devices_revoke(struct mq_db *db, const char *user_id, const char *id, int64_t now,
                               int64_t *revoked)
{
    if (!id) {
        struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now)};
        return mq_db_exec(db, &SQL_DEVICES_REVOKE, p, 2, revoked);
    }
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_DEVICE_REVOKE, p, 3, revoked);
}

mq_err mq_store_challenge_peek(struct mq_db *db, struct mq_arena *a, const char *token_hash,
                               int64_t now, int max_attempts, const char **user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(token_hash), MQ_P_INT(now), MQ_P_INT(max_attempts)};
    return mq_db_query_one(db, &SQL_CHALLENGE_PEEK, p, 3, a, mq_read_text, user_id);
}
