/* db_fixture.h - a fresh database per test: a new SQLite file, or, when
 * MQ_TEST_DATABASE_URL names one, a PostgreSQL database with its public schema
 * emptied. Setups return with *state NULL (and tests skip) when PostgreSQL is
 * not configured. */
#ifndef MQ_TEST_DB_FIXTURE_H
#define MQ_TEST_DB_FIXTURE_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"
#include "store/migrate.h"
#include "store/store.h"

struct db_fixture {
    struct mq_store *store;
    struct mq_log log;
    char path[64];
};

static inline const char *fixture_pg_url(void)
{
    const char *u = getenv("MQ_TEST_DATABASE_URL");
    return u && *u ? u : NULL;
}

static inline void fixture_pg_reset(const char *url)
{
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SET client_min_messages = warning; DROP SCHEMA public CASCADE; "
                            "CREATE SCHEMA public;");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static inline struct db_fixture *fixture_open(bool postgres, int pool_size, bool migrated)
{
    struct db_fixture *f = calloc(1, sizeof(*f));
    /* Above every level: the tests provoke errors on purpose. */
    mq_log_init(&f->log, MQ_LOG_ERROR + 1, STDERR_FILENO, &mq_clock_system);
    struct mq_store_opts opts = {.pool_size = pool_size, .acquire_timeout_ms = 200, .log = &f->log};
    if (postgres) {
        if (!fixture_pg_url()) {
            free(f);
            return NULL;
        }
        fixture_pg_reset(fixture_pg_url());
        opts.database_url = fixture_pg_url();
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/mq-unit-%d.db", (int)getpid());
        unlink(f->path);
        opts.sqlite_path = f->path;
    }
    assert_int_equal(mq_store_open(&opts, &f->store), MQ_OK);
    if (migrated) assert_int_equal(mq_migrate_up(f->store, &mq_clock_system, &f->log, NULL), MQ_OK);
    return f;
}

static inline void fixture_close(struct db_fixture *f)
{
    if (!f) return;
    mq_store_close(f->store);
    if (f->path[0]) {
        char p[80];
        unlink(f->path);
        snprintf(p, sizeof(p), "%s-wal", f->path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", f->path);
        unlink(p);
    }
    free(f);
}

/* Test time, for fixture_ctx's fake clock: Unix ms the test moves by hand. */
static inline int64_t fixture_fake_now(void *cls)
{
    return *(int64_t *)cls;
}

/* Fills a context around the fixture's store, with default configuration
 * (change cfg afterwards) and the system's randomness. With `clock`, time is
 * the fake clock reading *now, which starts at a fixed instant; without, the
 * system's. */
static inline void fixture_ctx(struct db_fixture *db, struct mq_config *cfg, struct mq_clock *clock,
                               int64_t *now, struct mq_ctx *ctx)
{
    assert_int_equal(mq_config_init(cfg), MQ_OK);
    if (clock) {
        *now = 1795000000000;
        *clock = (struct mq_clock){fixture_fake_now, now};
    }
    *ctx = (struct mq_ctx){.cfg = cfg,
                           .log = &db->log,
                           .store = db->store,
                           .clock = clock ? clock : &mq_clock_system,
                           .rng = &mq_rng_system};
}

/* setup_sqlite and setup_pg from one `int setup(void **state, bool postgres)`. */
#define FIXTURE_SETUPS(setup)                                                                      \
    static int setup_sqlite(void **state)                                                          \
    {                                                                                              \
        return setup(state, false);                                                                \
    }                                                                                              \
    static int setup_pg(void **state)                                                              \
    {                                                                                              \
        return setup(state, true);                                                                 \
    }

/* A test run on each backend, with the file's setups and `teardown`. */
#define BOTH(fn)                                                                                   \
    cmocka_unit_test_setup_teardown(fn, setup_sqlite, teardown),                                   \
        cmocka_unit_test_setup_teardown(fn, setup_pg, teardown)

#endif
