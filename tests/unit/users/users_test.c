/* Accounts on SQLite and PostgreSQL: validation, verbatim storage, one
 * account per address whatever its case, passwords stored only as hashes. */
#include "test.h"

#include <string.h>

#include "core/config.h"
#include "crypto/password.h"
#include "db_fixture.h"
#include "store/roles.h"
#include "users/users.h"

struct env {
    struct fixture_env f;
};

static int setup(void **state, bool postgres)
{
    *state = fixture_env_open(postgres, 2, sizeof(struct env), FIXTURE_FAST_HASH);
    return 0;
}
FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    return fixture_teardown(state);
}

static void test_create(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37], other[37];
    struct mq_refusal why = {0};
    const char *name = "Robert'); DROP TABLE users;-- <script>alert(1)</script> Ünïcødé ✨";
    struct mq_user_new u = {.email = "Ada.Lovelace@Example.org",
                            .display_name = name,
                            .password = "correct horse battery staple",
                            .role = "admin"};
    assert_int_equal(mq_users_create(&e->f.ctx, &u, id, &why), MQ_OK);

    struct mq_db *db = NULL;
    struct mq_user_row row;
    struct mq_arena *a = mq_arena_new(0);
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_user_by_email(db, a, "ada.lovelace@example.org", &row), MQ_OK);
    bool admin = false, user = true;
    assert_int_equal(mq_store_user_has_role(db, row.id, "admin", &admin), MQ_OK);
    assert_int_equal(mq_store_user_has_role(db, row.id, "user", &user), MQ_OK);
    mq_store_rollback(db);
    assert_true(admin);
    assert_false(user);
    assert_string_equal(row.id, id);
    assert_string_equal(row.email, "Ada.Lovelace@Example.org"); /* as given */
    assert_string_equal(row.display_name, name);                /* verbatim */
    assert_null(strstr(row.password_hash, "correct horse"));
    bool ok = false;
    assert_int_equal(mq_password_verify(row.password_hash, "correct horse battery staple", &ok),
                     MQ_OK);
    assert_true(ok);
    assert_int_equal(row.email_verified_at, 0);

    /* The same address in other case is the same account. */
    u.email = "ADA.LOVELACE@example.ORG";
    assert_int_equal(mq_users_create(&e->f.ctx, &u, other, &why), MQ_ECONFLICT);
    assert_string_equal(why.code, "email_taken");
    mq_arena_free(a);
}

static void test_validation(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    char id[37];
    struct mq_refusal why = {0};
    const struct {
        const char *email, *name, *password, *role, *code;
    } bad[] = {
        {"no-at-sign", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a@b", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a b@example.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a@-example.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a@exa_mple.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a@@example.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a\n@example.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"\xff@example.org", NULL, "correct horse battery staple", "user", "invalid_email"},
        {"a@example.org", "", "correct horse battery staple", "user", "invalid_name"},
        {"a@example.org", "tab\there", "correct horse battery staple", "user", "invalid_name"},
        {"a@example.org", NULL, "correct horse battery staple", "root", "invalid_role"},
        {"a@example.org", NULL, "short", "user", "password_too_short"},
        {"a@example.org", NULL, "qwertyuiop123456", "user", "weak_password"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mq_user_new u = {.email = bad[i].email,
                                .display_name = bad[i].name,
                                .password = bad[i].password,
                                .role = bad[i].role};
        why = (struct mq_refusal){0};
        assert_int_equal(mq_users_create(&e->f.ctx, &u, id, &why), MQ_EINVAL);
        assert_string_equal(why.code, bad[i].code);
        assert_true(why.detail[0] != 0);
    }
    /* Internationalised addresses are accepted and kept as given. */
    struct mq_user_new u = {.email = "jörg@bücher.example",
                            .password = "correct horse battery staple",
                            .role = "user",
                            .email_verified = true};
    assert_int_equal(mq_users_create(&e->f.ctx, &u, id, &why), MQ_OK);
    int64_t n = 0;
    struct mq_db *db = NULL;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_user_count(db, &n)), MQ_OK);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_create),
        BOTH(test_validation),
    };
    return RUN(tests);
}
