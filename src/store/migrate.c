#include "store/migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct mq_sql SQL_CREATE_TABLE = {
    "migrations.create",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)",
    NULL,
};

/* Serialises migrating instances on PostgreSQL; released at commit. The key
 * is an arbitrary constant that spells "marquee" in ASCII. */
static const struct mq_sql SQL_PG_LOCK = {"migrations.lock",
                                          "SELECT pg_advisory_xact_lock(31084672573891941)", NULL};

static const struct mq_sql SQL_LIST = {
    "migrations.list", "SELECT version, checksum FROM schema_migrations ORDER BY version", NULL};

static const struct mq_sql SQL_MAX = {
    "migrations.max", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL};

static const struct mq_sql SQL_RECORD = {
    "migrations.record",
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
    NULL,
};

static void dialect(const struct mq_store *store, const struct mq_migration **list, size_t *n)
{
    if (mq_store_backend(store) == MQ_STORE_POSTGRES) {
        *list = mq_migrations_postgres;
        *n = mq_migrations_postgres_count;
    } else {
        *list = mq_migrations_sqlite;
        *n = mq_migrations_sqlite_count;
    }
}

int mq_migrate_latest(const struct mq_store *store)
{
    const struct mq_migration *list;
    size_t n;
    dialect(store, &list, &n);
    return n ? list[n - 1].version : 0;
}

static void checksum(const char *sql, char out[33])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)sql, strlen(sql), NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof(h));
}

mq_err mq_migrate_current(struct mq_store *store, int *version)
{
    struct mq_db *db = NULL;
    struct mq_rows *rows = NULL;
    mq_err err = mq_store_begin(store, MQ_DB_READ, &db);
    if (err) return err;
    *version = 0;
    err = mq_db_query(db, &SQL_MAX, NULL, 0, &rows);
    if (err) {
        /* No schema_migrations table yet: an empty database. */
        mq_store_rollback(db);
        return err == MQ_EDB ? MQ_OK : err;
    }
    if (mq_rows_next(rows)) *version = (int)mq_rows_int(rows, 0);
    err = mq_rows_close(rows);
    return mq_store_finish(db, err);
}

mq_err mq_migrate_up(struct mq_store *store, const struct mq_clock *clock, const struct mq_log *log,
                     int *applied)
{
    const struct mq_migration *list;
    size_t n, done = 0;
    struct mq_db *db = NULL;
    struct mq_rows *rows = NULL;
    char sum[33];
    int current = 0;
    mq_err err;

    dialect(store, &list, &n);
    if (applied) *applied = 0;
    err = mq_store_begin(store, MQ_DB_WRITE, &db);
    if (err) return err;
    if (mq_store_backend(store) == MQ_STORE_POSTGRES) {
        err = mq_db_query(db, &SQL_PG_LOCK, NULL, 0, &rows);
        if (err) goto out;
        err = mq_rows_close(rows);
        if (err) goto out;
    }
    err = mq_db_exec(db, &SQL_CREATE_TABLE, NULL, 0, NULL);
    if (err) goto out;

    err = mq_db_query(db, &SQL_LIST, NULL, 0, &rows);
    if (err) goto out;
    while (mq_rows_next(rows)) {
        int version = (int)mq_rows_int(rows, 0);
        const char *have = mq_rows_text(rows, 1);
        current = version;
        size_t i = 0;
        while (i < n && list[i].version != version) i++;
        if (i == n) {
            mq_log_error(log, "store",
                         "database schema version %d is newer than this marquee (knows up to %d); "
                         "refusing to touch it: run a newer marquee",
                         version, n ? list[n - 1].version : 0);
            err = MQ_ESCHEMA;
            break;
        }
        checksum(list[i].sql, sum);
        if (!have || strcmp(have, sum)) {
            mq_log_error(log, "store",
                         "migration %04d_%s differs from the one applied to this database", version,
                         list[i].name);
            err = MQ_ESCHEMA;
            break;
        }
    }
    mq_err rerr = mq_rows_close(rows);
    if (!err) err = rerr;
    if (err) goto out;

    for (size_t i = 0; i < n; i++) {
        if (list[i].version <= current) continue;
        err = mq_db_exec_script(db, list[i].sql);
        if (err) {
            mq_log_error(log, "store", "migration %04d_%s failed", list[i].version, list[i].name);
            goto out;
        }
        checksum(list[i].sql, sum);
        struct mq_param p[] = {MQ_P_INT(list[i].version), MQ_P_TEXT(list[i].name), MQ_P_TEXT(sum),
                               MQ_P_INT(mq_clock_now_ms(clock))};
        err = mq_db_exec(db, &SQL_RECORD, p, 4, NULL);
        if (err) goto out;
        mq_log_info(log, "store", "applied migration %04d_%s", list[i].version, list[i].name);
        done++;
    }
out:
    err = mq_store_finish(db, err);
    if (!err && applied) *applied = (int)done;
    return err;
}
