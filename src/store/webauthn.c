#include "store/webauthn.h"

#define CRED_COLS                                                                                  \
    "c.id, c.user_id, c.credential_id, c.public_key, c.alg, c.sign_count, c.aaguid, "              \
    "c.transports, c.name, c.attestation_format, c.attestation_type, c.backup_eligible, "          \
    "c.backed_up, c.created_at, c.last_used_at, c.flagged_at"

static const struct mq_sql SQL_HANDLE_SET = {
    "webauthn.handle_set",
    "UPDATE users SET webauthn_handle = COALESCE(webauthn_handle, $2) WHERE id = $1", NULL};
static const struct mq_sql SQL_HANDLE_GET = {
    "webauthn.handle_get", "SELECT webauthn_handle FROM users WHERE id = $1", NULL};
static const struct mq_sql SQL_INSERT = {
    "webauthn.insert",
    "INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, alg, sign_count, "
    "aaguid, transports, name, attestation_format, attestation_type, backup_eligible, backed_up, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    NULL};
static const struct mq_sql SQL_BY_CREDENTIAL = {
    "webauthn.by_credential",
    "SELECT " CRED_COLS ", u.webauthn_handle FROM webauthn_credentials c JOIN users u "
    "ON u.id = c.user_id WHERE c.credential_id = $1",
    NULL};
static const struct mq_sql SQL_LIST = {"webauthn.list",
                                       "SELECT " CRED_COLS
                                       ", NULL FROM webauthn_credentials c WHERE c.user_id = $1 "
                                       "ORDER BY c.created_at, c.id LIMIT $2",
                                       NULL};
static const struct mq_sql SQL_USED = {
    "webauthn.used",
    "UPDATE webauthn_credentials SET sign_count = $2, last_used_at = $3 WHERE id = $1", NULL};
static const struct mq_sql SQL_FLAG = {
    "webauthn.flag",
    "UPDATE webauthn_credentials SET flagged_at = $2 WHERE id = $1 AND flagged_at IS NULL", NULL};
static const struct mq_sql SQL_RENAME = {
    "webauthn.rename", "UPDATE webauthn_credentials SET name = $3 WHERE user_id = $1 AND id = $2",
    NULL};
static const struct mq_sql SQL_DELETE = {
    "webauthn.delete", "DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2", NULL};
static const struct mq_sql SQL_CHALLENGE_INSERT = {
    "webauthn.challenge_insert",
    "INSERT INTO webauthn_challenges (challenge_hash, purpose, user_id, mfa_token_hash, "
    "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    NULL};
static const struct mq_sql SQL_CHALLENGE_USE = {
    "webauthn.challenge_use",
    "UPDATE webauthn_challenges SET used_at = $3 WHERE challenge_hash = $1 AND purpose = $2 "
    "AND used_at IS NULL AND expires_at > $3",
    NULL};
static const struct mq_sql SQL_CHALLENGE_GET = {
    "webauthn.challenge_get",
    "SELECT user_id, mfa_token_hash FROM webauthn_challenges WHERE challenge_hash = $1", NULL};
static const struct mq_sql SQL_CHALLENGES_PURGE = {
    "webauthn.challenges_purge", "DELETE FROM webauthn_challenges WHERE expires_at < $1", NULL};

static void read_credential(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_webauthn_credential *c = dst;
    c->id = mq_rows_dup(rows, 0, a, oom);
    c->user_id = mq_rows_dup(rows, 1, a, oom);
    c->credential_id = mq_rows_dup(rows, 2, a, oom);
    c->public_key = mq_rows_dup(rows, 3, a, oom);
    c->alg = (int)mq_rows_int(rows, 4);
    c->sign_count = mq_rows_int(rows, 5);
    c->aaguid = mq_rows_dup(rows, 6, a, oom);
    c->transports = mq_rows_dup(rows, 7, a, oom);
    c->name = mq_rows_dup(rows, 8, a, oom);
    c->attestation_format = mq_rows_dup(rows, 9, a, oom);
    c->attestation_type = mq_rows_dup(rows, 10, a, oom);
    c->backup_eligible = mq_rows_int(rows, 11) != 0;
    c->backed_up = mq_rows_int(rows, 12) != 0;
    c->created_at = mq_rows_int(rows, 13);
    c->last_used_at = mq_rows_int(rows, 14);
    c->flagged_at = mq_rows_int(rows, 15);
    c->user_handle = mq_rows_dup(rows, 16, a, oom);
}

mq_err mq_store_webauthn_handle(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                const char *fresh, const char **handle)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(fresh)};
    mq_err err = mq_db_exec(db, &SQL_HANDLE_SET, p, 2, NULL);
    if (!err) err = mq_db_query_one(db, &SQL_HANDLE_GET, p, 1, a, mq_read_text, handle);
    return err ? err : *handle ? MQ_OK : MQ_ENOTFOUND;
}

mq_err mq_store_webauthn_insert(struct mq_db *db, const struct mq_webauthn_credential *c)
{
    struct mq_param p[] = {MQ_P_TEXT(c->id),
                           MQ_P_TEXT(c->user_id),
                           MQ_P_TEXT(c->credential_id),
                           MQ_P_TEXT(c->public_key),
                           MQ_P_INT(c->alg),
                           MQ_P_INT(c->sign_count),
                           MQ_P_TEXT(c->aaguid),
                           MQ_P_TEXT(c->transports),
                           MQ_P_TEXT(c->name),
                           MQ_P_TEXT(c->attestation_format),
                           MQ_P_TEXT(c->attestation_type),
                           MQ_P_INT(c->backup_eligible),
                           MQ_P_INT(c->backed_up),
                           MQ_P_INT(c->created_at)};
    return mq_db_exec(db, &SQL_INSERT, p, 14, NULL);
}

mq_err mq_store_webauthn_by_credential(struct mq_db *db, struct mq_arena *a,
                                       const char *credential_id,
                                       struct mq_webauthn_credential *out)
{
    struct mq_param p[] = {MQ_P_TEXT(credential_id)};
    return mq_db_query_one(db, &SQL_BY_CREDENTIAL, p, 1, a, read_credential, out);
}

mq_err mq_store_webauthn_list(struct mq_db *db, struct mq_arena *a, const char *user_id, int limit,
                              struct mq_webauthn_credential **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_LIST, p, 2, a, read_credential, sizeof(**out), (size_t)limit,
                            out, n);
}

mq_err mq_store_webauthn_used(struct mq_db *db, const char *id, int64_t sign_count, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(sign_count), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_USED, p, 3, NULL);
}

mq_err mq_store_webauthn_flag(struct mq_db *db, const char *id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(id), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_FLAG, p, 2, NULL);
}

mq_err mq_store_webauthn_rename(struct mq_db *db, const char *user_id, const char *id,
                                const char *name, bool *changed)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id), MQ_P_TEXT(name)};
    return mq_db_exec_changed(db, &SQL_RENAME, p, 3, changed);
}

mq_err mq_store_webauthn_delete(struct mq_db *db, const char *user_id, const char *id,
                                bool *deleted)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id)};
    return mq_db_exec_changed(db, &SQL_DELETE, p, 2, deleted);
}

mq_err mq_store_webauthn_challenge_insert(struct mq_db *db, const struct mq_webauthn_challenge *c)
{
    struct mq_param p[] = {MQ_P_TEXT(c->challenge_hash), MQ_P_TEXT(c->purpose),
                           MQ_P_TEXT(c->user_id),        MQ_P_TEXT(c->mfa_token_hash),
                           MQ_P_INT(c->created_at),      MQ_P_INT(c->expires_at)};
    return mq_db_exec(db, &SQL_CHALLENGE_INSERT, p, 6, NULL);
}

mq_err mq_store_webauthn_challenge_use(struct mq_db *db, struct mq_arena *a,
                                       const char *challenge_hash, const char *purpose, int64_t now,
                                       const char **user_id, const char **mfa_token_hash)
{
    struct mq_text_pair got; /* user id, sign-in token hash */
    struct mq_param p[] = {MQ_P_TEXT(challenge_hash), MQ_P_TEXT(purpose), MQ_P_INT(now)};
    mq_err err = mq_db_exec_one(db, &SQL_CHALLENGE_USE, p, 3);
    if (!err) err = mq_db_query_one(db, &SQL_CHALLENGE_GET, p, 1, a, mq_read_text_pair, &got);
    if (err) return err;
    *user_id = got.first;
    *mfa_token_hash = got.second;
    return MQ_OK;
}

mq_err mq_store_webauthn_challenges_purge(struct mq_db *db, int64_t before, int64_t *deleted)
{
    struct mq_param p[] = {MQ_P_INT(before)};
    return mq_db_exec(db, &SQL_CHALLENGES_PURGE, p, 1, deleted);
}

static const struct mq_sql SQL_DELETE_ALL = {
    "webauthn.delete_all", "DELETE FROM webauthn_credentials WHERE user_id = $1", NULL};

mq_err mq_store_webauthn_delete_all(struct mq_db *db, const char *user_id, int64_t *deleted)
{
    int64_t changes = 0;
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    mq_err err = mq_db_exec(db, &SQL_DELETE_ALL, p, 1, &changes);
    if (!err && deleted) *deleted = changes;
    return err;
}
