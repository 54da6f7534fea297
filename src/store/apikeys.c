#include "store/apikeys.h"

#include <stdio.h>
#include <string.h>

#define COLS                                                                                       \
    "k.id, k.user_id, k.name, k.secret_hash, k.scopes, k.rate_limit, k.created_at, "               \
    "k.expires_at, k.last_used_at, k.revoked_at, k.last_used_ip"

static const struct mq_sql SQL_INSERT = {
    "api_keys.insert",
    "INSERT INTO api_keys (id, user_id, name, secret_hash, scopes, rate_limit, created_at, "
    "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    NULL};
static const struct mq_sql SQL_LIST = {"api_keys.list",
                                       "SELECT " COLS " FROM api_keys k WHERE k.user_id = $1 AND "
                                       "k.revoked_at IS NULL ORDER BY k.id DESC",
                                       NULL};
static const struct mq_sql SQL_GET = {"api_keys.get",
                                      "SELECT " COLS " FROM api_keys k WHERE k.user_id = $1 AND "
                                      "k.id = $2 AND k.revoked_at IS NULL",
                                      NULL};
static const struct mq_sql SQL_AUTH = {
    "api_keys.auth",
    "SELECT " COLS ", u.authz_version, "
    "CASE WHEN u.suspended_at IS NULL AND u.deleted_at IS NULL THEN 1 ELSE 0 END "
    "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1",
    NULL};
static const struct mq_sql SQL_UPDATE = {
    "api_keys.update",
    "UPDATE api_keys SET name = $3, scopes = $4, expires_at = $5, rate_limit = $6 "
    "WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL",
    NULL};
static const struct mq_sql SQL_REVOKE = {
    "api_keys.revoke",
    "UPDATE api_keys SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL",
    NULL};
static const struct mq_sql SQL_REVOKE_ALL = {
    "api_keys.revoke_all",
    "UPDATE api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", NULL};
static const struct mq_sql SQL_USED = {
    "api_keys.used", "UPDATE api_keys SET last_used_at = $2, last_used_ip = $3 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_COUNT = {
    "api_keys.count", "SELECT COUNT(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
    NULL};

static void read_key(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_apikey_row *k = dst;
    snprintf(k->id, sizeof(k->id), "%s", mq_rows_text(rows, 0));
    k->user_id = mq_rows_dup(rows, 1, a, oom);
    k->name = mq_rows_dup(rows, 2, a, oom);
    k->secret_hash = mq_rows_dup(rows, 3, a, oom);
    k->scopes = mq_rows_dup(rows, 4, a, oom);
    k->rate_limit = mq_rows_dup(rows, 5, a, oom);
    k->created_at = mq_rows_int(rows, 6);
    k->expires_at = mq_rows_int(rows, 7);
    k->last_used_at = mq_rows_int(rows, 8);
    k->revoked_at = mq_rows_int(rows, 9);
    k->last_used_ip = mq_rows_dup(rows, 10, a, oom);
}

mq_err mq_store_apikey_insert(struct mq_db *db, const struct mq_apikey_row *k)
{
    struct mq_param p[] = {
        MQ_P_TEXT(k->id),        MQ_P_TEXT(k->user_id),
        MQ_P_TEXT(k->name),      MQ_P_TEXT(k->secret_hash),
        MQ_P_TEXT(k->scopes),    k->rate_limit ? MQ_P_TEXT(k->rate_limit) : MQ_P_NULL,
        MQ_P_INT(k->created_at), MQ_P_INT_OR_NULL(k->expires_at)};
    return mq_db_exec(db, &SQL_INSERT, p, 8, NULL);
}

mq_err mq_store_apikeys_list(struct mq_db *db, struct mq_arena *a, const char *user_id,
                             struct mq_apikey_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_LIST, p, 1, a, read_key, sizeof(**out), 0, out, n);
}

mq_err mq_store_apikey_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                           const char *id, struct mq_apikey_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_GET, p, 2, a, read_key, out);
}

static void read_auth(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_apikey_auth *out = dst;
    read_key(rows, a, &out->key, oom);
    out->authz_version = mq_rows_int(rows, 11);
    out->owner_active = mq_rows_int(rows, 12) != 0;
}

mq_err mq_store_apikey_auth(struct mq_db *db, struct mq_arena *a, const char *id,
                            struct mq_apikey_auth *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_AUTH, p, 1, a, read_auth, out);
}

mq_err mq_store_apikey_update(struct mq_db *db, const struct mq_apikey_row *k)
{
    struct mq_param p[] = {MQ_P_TEXT(k->user_id),
                           MQ_P_TEXT(k->id),
                           MQ_P_TEXT(k->name),
                           MQ_P_TEXT(k->scopes),
                           MQ_P_INT_OR_NULL(k->expires_at),
                           k->rate_limit ? MQ_P_TEXT(k->rate_limit) : MQ_P_NULL};
    return mq_db_exec_one(db, &SQL_UPDATE, p, 6);
}

mq_err mq_store_apikey_revoke(struct mq_db *db, const char *user_id, const char *id, int64_t now,
                              bool *revoked)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec_changed(db, &SQL_REVOKE, p, 3, revoked);
}

mq_err mq_store_apikeys_revoke_all(struct mq_db *db, const char *user_id, int64_t now, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_REVOKE_ALL, p, 2, n);
}

mq_err mq_store_apikey_used(struct mq_db *db, const char *id, int64_t now, const char *ip)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now), ip ? MQ_P_TEXT(ip) : MQ_P_NULL};
    return mq_db_exec(db, &SQL_USED, p, 3, NULL);
}

mq_err mq_store_apikeys_count(struct mq_db *db, const char *user_id, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_int(db, &SQL_COUNT, p, 1, n);
}
