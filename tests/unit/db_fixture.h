/* db_fixture.h - a fresh database per test: a new SQLite file, or, when
 * MQ_TEST_DATABASE_URL names one, a PostgreSQL database with its public schema
 * emptied. Setups return with *state NULL (and tests skip) when PostgreSQL is
 * not configured. */
#ifndef MQ_TEST_DB_FIXTURE_H
#define MQ_TEST_DB_FIXTURE_H

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/authz.h"
#include "auth/keyring.h"
#include "auth/tokencache.h"
#include "config_fixture.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/events.h"
#include "core/log.h"
#include "crypto/secrets.h"
#include "store/migrate.h"
#include "store/store.h"
#include "system/conf.h"

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

/* What most tests need around the database: a context with its own
 * configuration and, on request, a fake clock, a data directory of its
 * own and password hashing at its cheapest. A test's own environment is a
 * struct whose first member is a struct fixture_env. */
enum {
    FIXTURE_FAKE_CLOCK = 1, /* ctx.clock reads now, which the test moves by hand */
    FIXTURE_DATA_DIR = 2,  /* mq_system_conf(&cfg)->data_dir is dir, emptied and removed at close */
    FIXTURE_FAST_HASH = 4, /* argon2id at its minimum (8 MiB, one pass) */
};

struct fixture_env {
    struct db_fixture *db;
    struct mq_config cfg;
    int64_t now;
    struct mq_clock clock;
    struct mq_ctx ctx;
    struct mq_arena *arena;
    char dir[64];
};

static inline void fixture_env_init(struct db_fixture *db, struct fixture_env *f, unsigned flags,
                                    const char *tag)
{
    f->db = db;
    fixture_ctx(db, &f->cfg, flags & FIXTURE_FAKE_CLOCK ? &f->clock : NULL, &f->now, &f->ctx);
    f->arena = mq_arena_new(0);
    assert_non_null(f->arena);
    assert_int_equal(mq_events_new(&f->ctx.events), MQ_OK);
    if (flags & FIXTURE_FAST_HASH) {
        fixture_set(&f->cfg, "argon2_memory", "8MiB");
        fixture_set(&f->cfg, "argon2_iterations", "1");
    }
    if (flags & FIXTURE_DATA_DIR) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/mq-unit-%d-%s", (int)getpid(), tag);
        mkdir(f->dir, 0700);
        fixture_set(&f->cfg, "data_dir", f->dir);
    }
}

/* A new environment of `size` bytes (zeroed) over a fresh, migrated
 * database with `pool` connections; NULL for PostgreSQL when it is not
 * configured (the tests then skip). */
static inline void *fixture_env_open(bool postgres, int pool, size_t size, unsigned flags)
{
    struct db_fixture *db = fixture_open(postgres, pool, true);
    if (!db) return NULL;
    struct fixture_env *f = calloc(1, size);
    assert_non_null(f);
    fixture_env_init(db, f, flags, "a");
    return f;
}

/* A second instance over the same database, as another process would be:
 * its own configuration and context (`tag` names its data directory). */
static inline void fixture_env_peer(struct fixture_env *f, struct fixture_env *peer, unsigned flags,
                                    const char *tag)
{
    memset(peer, 0, sizeof(*peer));
    fixture_env_init(f->db, peer, flags, tag);
}

/* Frees what an environment holds but the database: the services left in
 * its context, its arena and configuration, and its data directory with
 * the files in it. */
static inline void fixture_env_cleanup(struct fixture_env *f)
{
    mq_keyring_free(f->ctx.keyring);
    mq_token_cache_free(f->ctx.token_cache);
    mq_authz_cache_free(f->ctx.authz_cache);
    mq_secrets_free(f->ctx.secrets);
    mq_events_free(f->ctx.events);
    mq_arena_free(f->arena);
    mq_config_cleanup(&f->cfg);
    if (f->dir[0]) {
        DIR *d = opendir(f->dir);
        struct dirent *de;
        char path[sizeof(f->dir) + 260];
        while (d && (de = readdir(d)))
            if (de->d_name[0] != '.') {
                snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
                unlink(path);
            }
        if (d) closedir(d);
        rmdir(f->dir);
    }
}

/* The environment and its database. Accepts NULL. */
static inline void fixture_env_close(void *env)
{
    struct fixture_env *f = env;
    if (!f) return;
    fixture_env_cleanup(f);
    fixture_close(f->db);
    free(f);
}

/* A teardown for files whose environment holds nothing fixture_env_close
 * does not free. */
static inline int fixture_teardown(void **state)
{
    fixture_env_close(*state);
    return 0;
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
