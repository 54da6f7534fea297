/* Runs every test against a fresh SQLite file and, when
 * MQ_TEST_DATABASE_URL names a PostgreSQL database, against that too (its
 * public schema is emptied first). */
#include "test.h"

#include "db_fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/migrate.h"
#include "store/settings.h"
#include "store/store.h"

static struct mq_log quiet_log;

static int setup_sqlite(void **state)
{
    *state = fixture_open(false, 2, false);
    quiet_log = ((struct db_fixture *)*state)->log;
    return 0;
}

static int setup_pg(void **state)
{
    *state = fixture_open(true, 2, false);
    mq_log_init(&quiet_log, MQ_LOG_ERROR + 1, STDERR_FILENO, &mq_clock_system);
    return 0;
}

static int teardown(void **state)
{
    fixture_close(*state);
    return 0;
}

#define FIXTURE                                                                                    \
    struct db_fixture *f = *state;                                                                 \
    if (!f) skip();                                                                                \
    struct mq_store *s = f->store

static void migrate(struct mq_store *s)
{
    int applied = -1;
    assert_int_equal(mq_migrate_up(s, &mq_clock_system, &quiet_log, &applied), MQ_OK);
}

static void test_migrate(void **state)
{
    FIXTURE;
    int version = -1, applied = -1;
    assert_int_equal(mq_migrate_current(s, &version), MQ_OK);
    assert_int_equal(version, 0);
    assert_int_equal(mq_migrate_up(s, &mq_clock_system, &quiet_log, &applied), MQ_OK);
    assert_int_equal(applied, mq_migrate_latest(s));
    assert_true(applied >= 1);
    assert_int_equal(mq_migrate_up(s, &mq_clock_system, &quiet_log, &applied), MQ_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(mq_migrate_current(s, &version), MQ_OK);
    assert_int_equal(version, mq_migrate_latest(s));
}

static const struct mq_sql SQL_FORGE_VERSION = {
    "test.forge", "INSERT INTO schema_migrations VALUES ($1, 'future', 'x', 0)", NULL};
static const struct mq_sql SQL_FORGE_SUM = {
    "test.sum", "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", NULL};

static void test_refuses_newer_schema(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    migrate(s);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    struct mq_param p[] = {MQ_P_INT(9999)};
    assert_int_equal(mq_db_exec(db, &SQL_FORGE_VERSION, p, 1, NULL), MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_int_equal(mq_migrate_up(s, &mq_clock_system, &quiet_log, NULL), MQ_ESCHEMA);
}

static void test_refuses_edited_migration(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    migrate(s);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_exec(db, &SQL_FORGE_SUM, NULL, 0, NULL), MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_int_equal(mq_migrate_up(s, &mq_clock_system, &quiet_log, NULL), MQ_ESCHEMA);
}

static void test_settings_and_rollback(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char *v = NULL;
    bool inserted = false;
    migrate(s);

    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_setting_add(db, "k", "v1", 1, &inserted), MQ_OK);
    assert_true(inserted);
    assert_int_equal(mq_store_setting_add(db, "k", "v2", 2, &inserted), MQ_OK);
    assert_false(inserted);
    assert_int_equal(mq_store_commit(db), MQ_OK);

    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_setting_add(db, "gone", "x", 1, &inserted), MQ_OK);
    mq_store_rollback(db);

    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_setting_get(db, "k", a, &v), MQ_OK);
    assert_string_equal(v, "v1");
    assert_int_equal(mq_store_setting_get(db, "gone", a, &v), MQ_ENOTFOUND);
    /* A value that would be SQL if it were pasted into the statement. */
    assert_int_equal(mq_store_setting_get(db, "k' OR '1'='1", a, &v), MQ_ENOTFOUND);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    mq_arena_free(a);
}

/* What a subscriber of the store test heard, and whether the data it was
 * told of could be read by then. */
struct heard {
    struct mq_store *store;
    int n;
    bool visible;
    char kinds[128];
};

static void heard(const struct mq_event *e, void *arg)
{
    struct heard *h = arg;
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char *v = NULL;
    h->n++;
    snprintf(h->kinds + strlen(h->kinds), sizeof(h->kinds) - strlen(h->kinds), "%s%s",
             *h->kinds ? " " : "", e->kind);
    /* Only for this test: a subscriber must not open transactions. */
    if (!mq_store_begin(h->store, MQ_DB_READ, &db)) {
        h->visible = mq_store_setting_get(db, "evt", a, &v) == MQ_OK;
        mq_store_rollback(db);
    }
    mq_arena_free(a);
}

/* Events published in a transaction reach the bus after it commits, with
 * its data visible, in the order published; never when it rolls back or
 * fails. */
static void test_events_after_commit(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    struct mq_events *bus = NULL;
    struct heard h = {.store = s};
    bool inserted = false;
    migrate(s);
    assert_int_equal(mq_events_new(&bus), MQ_OK);
    assert_int_equal(mq_events_subscribe(bus, "*", heard, &h), MQ_OK);

    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "test.rolled_back"}), MQ_OK);
    mq_store_rollback(db);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "test.failed"}), MQ_OK);
    assert_int_equal(mq_store_finish(db, MQ_EIO), MQ_EIO);
    assert_int_equal(h.n, 0);

    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_setting_add(db, "evt", "1", 1, &inserted), MQ_OK);
    assert_int_equal(mq_db_publish(db, bus,
                                   &(struct mq_event){.kind = "test.first",
                                                      .subject = "a",
                                                      .user_id = "u",
                                                      .detail = "{\"x\":1}"}),
                     MQ_OK);
    assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "test.second"}), MQ_OK);
    assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "not valid"}), MQ_EINVAL);
    assert_int_equal(mq_db_publish(db, NULL, &(struct mq_event){.kind = "test.nobus"}), MQ_OK);
    assert_int_equal(h.n, 0); /* nothing before the commit */
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.kinds, "test.first test.second");
    assert_true(h.visible);

    /* A transaction holds a bounded number. */
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    for (int i = 0; i < MQ_DB_EVENTS_MAX; i++)
        assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "test.many"}), MQ_OK);
    assert_int_equal(mq_db_publish(db, bus, &(struct mq_event){.kind = "test.many"}), MQ_ETOOBIG);
    mq_store_rollback(db);
    assert_int_equal(h.n, 2);
    mq_events_free(bus);
}

static const struct mq_sql SQL_PLAIN_INSERT = {
    "test.insert", "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", NULL};

static void test_conflict_and_read_only(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    migrate(s);
    struct mq_param p[] = {MQ_P_TEXT("dup"), MQ_P_TEXT("1"), MQ_P_INT(1)};
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_exec(db, &SQL_PLAIN_INSERT, p, 3, NULL), MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_exec(db, &SQL_PLAIN_INSERT, p, 3, NULL), MQ_ECONFLICT);
    mq_store_rollback(db);

    struct mq_param q[] = {MQ_P_TEXT("ro"), MQ_P_TEXT("1"), MQ_P_INT(1)};
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_db_exec(db, &SQL_PLAIN_INSERT, q, 3, NULL), MQ_EDB);
    mq_store_rollback(db);
}

static const struct mq_sql SQL_SYNC_COMMIT = {"test.sync_commit", "SELECT 'n/a'",
                                              "SELECT current_setting('synchronous_commit')"};

/* The tests' server runs with it off: on, for this transaction, first. */
static const struct mq_sql SQL_SYNC_ON = {"test.sync_on", "SELECT 1",
                                          "SET LOCAL synchronous_commit = on"};

static const char *sync_commit(struct mq_db *db, struct mq_arena *a)
{
    const char *v = NULL;
    assert_int_equal(mq_db_query_one(db, &SQL_SYNC_COMMIT, NULL, 0, a, mq_read_text, &v), MQ_OK);
    return v;
}

/* A redoable transaction commits what it wrote, without waiting for the
 * disk on PostgreSQL, and only that transaction. */
static void test_redoable(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    bool pg = mq_store_backend(s) == MQ_STORE_POSTGRES;
    migrate(s);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_db_redoable(db), MQ_EINVAL);
    const char *usual = sync_commit(db, a);
    mq_store_rollback(db);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_db_exec(db, &SQL_SYNC_ON, NULL, 0, NULL), MQ_OK);
    assert_int_equal(mq_db_redoable(db), MQ_OK);
    assert_string_equal(sync_commit(db, a), pg ? "off" : "n/a");
    struct mq_param p[] = {MQ_P_TEXT("redo"), MQ_P_TEXT("1"), MQ_P_INT(1)};
    assert_int_equal(mq_db_exec(db, &SQL_PLAIN_INSERT, p, 3, NULL), MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_string_equal(sync_commit(db, a), usual);
    assert_int_equal(mq_db_exec(db, &SQL_PLAIN_INSERT, p, 3, NULL), MQ_ECONFLICT);
    mq_store_rollback(db);
    mq_arena_free(a);
}

static void test_pool_timeout(void **state)
{
    FIXTURE;
    struct mq_db *held[2] = {NULL, NULL}, *db = NULL;
    struct mq_store_stats st;
    migrate(s);
    /* SQLite: two readers; PostgreSQL: two connections in all. */
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &held[0]), MQ_OK);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &held[1]), MQ_OK);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_ETIMEOUT);
    mq_store_stats(s, &st);
    assert_true(st.timeouts_total >= 1);
    assert_int_equal(st.in_use, 2);
    mq_store_rollback(held[0]);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_OK);
    mq_store_rollback(db);
    mq_store_rollback(held[1]);
    mq_store_stats(s, &st);
    assert_int_equal(st.in_use, 0);
}

static const struct mq_sql SQL_BUMP = {
    "test.bump",
    "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'n'", NULL};

static void *bump_many(void *arg)
{
    struct mq_store *s = arg;
    for (int i = 0; i < 50; i++) {
        struct mq_db *db = NULL;
        mq_err err;
        while ((err = mq_store_begin(s, MQ_DB_WRITE, &db)) == MQ_ETIMEOUT) {
        }
        assert_int_equal(err, MQ_OK);
        assert_int_equal(mq_store_finish(db, mq_db_exec(db, &SQL_BUMP, NULL, 0, NULL)), MQ_OK);
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    FIXTURE;
    struct mq_db *db = NULL;
    struct mq_arena *a = mq_arena_new(0);
    char *v = NULL;
    bool ins;
    pthread_t t[4];
    migrate(s);
    assert_int_equal(mq_store_begin(s, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_setting_add(db, "n", "0", 0, &ins), MQ_OK);
    assert_int_equal(mq_store_commit(db), MQ_OK);
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, bump_many, s);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_setting_get(db, "n", a, &v), MQ_OK);
    assert_string_equal(v, "100");
    mq_store_rollback(db);
    mq_arena_free(a);
}

static void test_unreachable_postgres(void **state)
{
    (void)state;
    struct mq_store *s = NULL;
    struct mq_db *db = NULL;
    mq_log_init(&quiet_log, MQ_LOG_ERROR + 1, STDERR_FILENO, &mq_clock_system);
    /* Port 1 on loopback: nothing listens there. */
    struct mq_store_opts opts = {.database_url = "postgres://nobody@127.0.0.1:1/none",
                                 .pool_size = 1,
                                 .acquire_timeout_ms = 100,
                                 .log = &quiet_log};
    assert_int_equal(mq_store_open(&opts, &s), MQ_OK);
    assert_int_equal(mq_store_begin(s, MQ_DB_READ, &db), MQ_EUNAVAILABLE);
    int v;
    assert_int_equal(mq_migrate_current(s, &v), MQ_EUNAVAILABLE);
    mq_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_migrate),
        BOTH(test_refuses_newer_schema),
        BOTH(test_refuses_edited_migration),
        BOTH(test_settings_and_rollback),
        BOTH(test_events_after_commit),
        BOTH(test_conflict_and_read_only),
        BOTH(test_redoable),
        BOTH(test_pool_timeout),
        BOTH(test_concurrent_writers),
        cmocka_unit_test(test_unreachable_postgres),
    };
    return RUN(tests);
}
