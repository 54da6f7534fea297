/* Secrets sealed at rest: the key file, what opens and what does not, and
 * rotation re-sealing every value, on SQLite and PostgreSQL. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/masterkey.h"
#include "crypto/secrets.h"
#include "db_fixture.h"
#include "store/mfa.h"
#include "store/users.h"

struct env {
    struct fixture_env f;
    char key_file[96];
};

static int setup(void **state, bool postgres)
{
    struct env *e = fixture_env_open(postgres, 2, sizeof(*e), FIXTURE_DATA_DIR);
    *state = e;
    if (!e) return 0;
    snprintf(e->key_file, sizeof(e->key_file), "%s/master.key", e->f.dir);
    assert_int_equal(mq_secrets_open(e->key_file, &e->f.db->log, &mq_rng_system, &e->f.ctx.secrets),
                     MQ_OK);
    return 0;
}
FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    return fixture_teardown(state);
}

static void test_seal_and_open(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct stat st;
    assert_int_equal(stat(e->key_file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    char *sealed = NULL;
    unsigned char *plain = NULL;
    size_t len = 0;
    assert_int_equal(
        mq_secrets_seal(e->f.ctx.secrets, e->f.arena, "totp:u1", "hunter2", 7, &sealed), MQ_OK);
    assert_true(!strncmp(sealed, "mqs1.", 5));
    assert_null(strstr(sealed, "hunter2"));
    assert_int_equal(
        mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, "totp:u1", sealed, &plain, &len), MQ_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(plain, "hunter2", 7);

    /* Bound to its place: another user's row does not open it. */
    assert_int_equal(
        mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, "totp:u2", sealed, &plain, &len), MQ_EPERM);
    /* One character changed anywhere fails. */
    for (size_t i = 0; sealed[i]; i++) {
        char *copy = mq_arena_strdup(e->f.arena, sealed);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(
            mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, "totp:u1", copy, &plain, &len), MQ_OK);
    }
    assert_int_equal(
        mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, "totp:u1", "hunter2", &plain, &len),
        MQ_EPERM);
    assert_int_equal(mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, "totp:u1", "", &plain, &len),
                     MQ_EPERM);
    /* Another key file (another installation) cannot open it. */
    char path[128];
    snprintf(path, sizeof(path), "%s/other.key", e->f.dir);
    struct mq_secrets *s2 = NULL;
    assert_int_equal(mq_secrets_open(path, &e->f.db->log, &mq_rng_system, &s2), MQ_OK);
    assert_int_equal(mq_secrets_unseal(s2, e->f.arena, "totp:u1", sealed, &plain, &len), MQ_EPERM);
    mq_secrets_free(s2);
    unlink(path);
}

static void put_user(struct env *e, const char *id, const char *email)
{
    struct mq_db *db = NULL;
    struct mq_user_row u = {.email = email,
                            .email_key = email,
                            .display_name = "x",
                            .password_hash = "x",
                            .password_changed_at = 1,
                            .created_at = 1,
                            .updated_at = 1};
    memcpy(u.id, id, sizeof(u.id));
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_user_insert(db, &u)), MQ_OK);
}

static void test_rotation_reseals_everything(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char ids[3][37] = {"00000000-0000-7000-8000-000000000001",
                       "00000000-0000-7000-8000-000000000002",
                       "00000000-0000-7000-8000-000000000003"};
    struct mq_db *db = NULL;
    for (int i = 0; i < 3; i++) {
        char email[32], context[128], *sealed = NULL;
        snprintf(email, sizeof(email), "u%d@example.org", i);
        put_user(e, ids[i], email);
        snprintf(context, sizeof(context), "totp:%s", ids[i]);
        assert_int_equal(
            mq_secrets_seal(e->f.ctx.secrets, e->f.arena, context, ids[i], 36, &sealed), MQ_OK);
        assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
        assert_int_equal(mq_store_finish(db, mq_store_totp_pending(db, ids[i], sealed, 1)), MQ_OK);
    }
    struct mq_masterkey_rotation r;
    assert_int_equal(mq_masterkey_rotate(&e->f.ctx, &r), MQ_OK);
    assert_int_equal(r.resealed, 3);
    assert_int_equal(r.retired, 1);
    assert_int_equal(r.unreadable, 0);
    /* Again: a new key, all three move to it, and the previous key retires. */
    assert_int_equal(mq_masterkey_rotate(&e->f.ctx, &r), MQ_OK);
    assert_int_equal(r.resealed, 3);
    assert_int_equal(r.retired, 1);
    /* Every value opens, under the current key. */
    for (int i = 0; i < 3; i++) {
        struct mq_mfa_factors f;
        char context[128];
        unsigned char *plain = NULL;
        size_t len = 0;
        assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
        assert_int_equal(mq_store_finish(db, mq_store_mfa_factors(db, e->f.arena, ids[i], 1, &f)),
                         MQ_OK);
        assert_non_null(strstr(f.totp_secret, r.kid));
        snprintf(context, sizeof(context), "totp:%s", ids[i]);
        assert_int_equal(
            mq_secrets_unseal(e->f.ctx.secrets, e->f.arena, context, f.totp_secret, &plain, &len),
            MQ_OK);
        assert_memory_equal(plain, ids[i], 36);
    }
    /* The file holds the current key only. */
    FILE *fp = fopen(e->key_file, "r");
    char line[256];
    int lines = 0;
    while (fgets(line, sizeof(line), fp)) lines++;
    fclose(fp);
    assert_int_equal(lines, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_seal_and_open),
        BOTH(test_rotation_reseals_everything),
    };
    return RUN(tests);
}
