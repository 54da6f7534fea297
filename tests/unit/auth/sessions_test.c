/* Sign-in, refresh, sign-out and authentication on SQLite and PostgreSQL,
 * with a fake clock: lockout, rotation, reuse, expiry and the session cap. */
#include "test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "auth/sessions.h"
#include "auth/signin.h"
#include "auth/tokencache.h"
#include "core/config.h"
#include "crypto/password.h"
#include "db_fixture.h"
#include "store/sessions.h"
#include "store/users.h"
#include "users/users.h"

#define PASSWORD "correct horse battery staple"

struct env {
    struct fixture_env f;
    char user[37];
};

static int setup(void **state, bool postgres)
{
    struct env *e = fixture_env_open(postgres, 2, sizeof(*e),
                                     FIXTURE_FAKE_CLOCK | FIXTURE_DATA_DIR | FIXTURE_FAST_HASH);
    *state = e;
    if (!e) return 0;
    fixture_set(&e->f.cfg, "sessions_per_user", "2");
    /* With the cache the server uses: revocation and expiry must get past it. */
    assert_int_equal(mq_token_cache_new(64, &e->f.ctx.token_cache), MQ_OK);
    assert_int_equal(mq_keyring_open(&e->f.ctx, &e->f.ctx.keyring), MQ_OK);
    struct mq_refusal why = {0};
    struct mq_user_new u = {.email = "Ada@example.org",
                            .display_name = "Ada",
                            .password = PASSWORD,
                            .role = "user",
                            .email_verified = true};
    assert_int_equal(mq_users_create(&e->f.ctx, &u, e->user, &why), MQ_OK);
    return 0;
}
FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    return fixture_teardown(state);
}

#define ENV                                                                                        \
    struct env *e = *state;                                                                        \
    if (!e) skip()

static mq_err login(struct env *e, const char *email, const char *password, struct mq_tokens *t,
                    enum mq_login_outcome *outcome)
{
    char who[37];
    struct mq_login in = {
        .email = email, .password = password, .device = {"192.0.2.1", "test/1.0", "laptop"}};
    return mq_signin_password(&e->f.ctx, e->f.arena, &in, t, outcome, who);
}

static bool authenticated(struct env *e, const char *access)
{
    struct mq_principal p;
    const char *why;
    return mq_session_authenticate(&e->f.ctx, e->f.arena, access, &p, &why) == MQ_OK;
}

static void test_login_and_lockout(void **state)
{
    ENV;
    struct mq_tokens t;
    enum mq_login_outcome o;
    struct mq_principal p;
    const char *why;
    assert_int_equal(login(e, "ada@EXAMPLE.org", PASSWORD, &t, &o), MQ_OK);
    assert_int_equal(o, MQ_LOGIN_OK);
    assert_int_equal(strlen(t.refresh_token), MQ_REFRESH_TOKEN_LEN);
    assert_int_equal(t.expires_in, 900);
    assert_int_equal(mq_session_authenticate(&e->f.ctx, e->f.arena, t.access_token, &p, &why),
                     MQ_OK);
    assert_string_equal(p.user_id, e->user);
    assert_string_equal(p.session_id, t.session_id);
    assert_int_equal(p.authz.nroles, 1);
    assert_string_equal(p.authz.roles[0], "user");
    assert_true(mq_principal_allows(&p, "self:write"));
    assert_false(mq_principal_allows(&p, "audit:read"));

    assert_int_equal(login(e, "nobody@example.org", PASSWORD, &t, &o), MQ_EPERM);
    assert_int_equal(o, MQ_LOGIN_UNKNOWN);
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(login(e, "ada@example.org", "wrong password here", &t, &o), MQ_EPERM);
        assert_int_equal(o, MQ_LOGIN_WRONG);
    }
    assert_int_equal(login(e, "ada@example.org", "wrong password here", &t, &o), MQ_EPERM);
    assert_int_equal(o, MQ_LOGIN_LOCKOUT);
    /* Locked: even the right password fails, the same way. */
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_EPERM);
    assert_int_equal(o, MQ_LOGIN_LOCKED);
    e->f.now += 15 * 60 * 1000 + 1;
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_OK);
    /* Success resets the count: four more failures do not lock. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(e, "ada@example.org", "nope nope nope", &t, &o), MQ_EPERM);
    assert_int_equal(o, MQ_LOGIN_WRONG);
}

static void test_refresh_rotation_and_reuse(void **state)
{
    ENV;
    struct mq_tokens first, second, third;
    enum mq_login_outcome o;
    bool reused = false;
    char who[37];
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &first, &o), MQ_OK);
    e->f.now += 60000;
    assert_int_equal(
        mq_session_refresh(&e->f.ctx, e->f.arena, first.refresh_token, &second, &reused, who),
        MQ_OK);
    assert_false(reused);
    assert_string_not_equal(second.refresh_token, first.refresh_token);
    assert_string_equal(second.session_id, first.session_id);
    assert_true(authenticated(e, second.access_token));
    /* The first token again: stolen. The whole session ends. */
    assert_int_equal(
        mq_session_refresh(&e->f.ctx, e->f.arena, first.refresh_token, &third, &reused, who),
        MQ_EPERM);
    assert_true(reused);
    assert_string_equal(who, e->user);
    assert_false(authenticated(e, second.access_token));
    assert_int_equal(
        mq_session_refresh(&e->f.ctx, e->f.arena, second.refresh_token, &third, &reused, who),
        MQ_EPERM);
    assert_int_equal(
        mq_session_refresh(&e->f.ctx, e->f.arena, "mqr_not-a-token-at-all", &third, &reused, who),
        MQ_EPERM);
    assert_false(reused);
}

static void test_logout_and_expiry(void **state)
{
    ENV;
    struct mq_tokens t, r;
    enum mq_login_outcome o;
    bool reused;
    char who[37];
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_OK);
    assert_true(authenticated(e, t.access_token));
    assert_int_equal(mq_session_logout(&e->f.ctx, t.session_id, "logout"), MQ_OK);
    assert_false(authenticated(e, t.access_token)); /* at once, not at expiry */
    assert_int_equal(mq_session_refresh(&e->f.ctx, e->f.arena, t.refresh_token, &r, &reused, who),
                     MQ_EPERM);

    /* Idle: no refresh for 30 days ends the session. */
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_OK);
    e->f.now += 30LL * 86400 * 1000 + 1;
    assert_int_equal(mq_session_refresh(&e->f.ctx, e->f.arena, t.refresh_token, &r, &reused, who),
                     MQ_EPERM);

    /* Absolute: refreshed all along, it still ends 90 days after sign-in. */
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_OK);
    int64_t signed_in = e->f.now;
    for (int day = 20; day <= 80; day += 20) {
        e->f.now = signed_in + day * 86400000LL;
        assert_int_equal(
            mq_session_refresh(&e->f.ctx, e->f.arena, t.refresh_token, &r, &reused, who), MQ_OK);
        t = r;
    }
    e->f.now = signed_in + 89 * 86400000LL; /* 9 days idle: fine */
    assert_int_equal(mq_session_refresh(&e->f.ctx, e->f.arena, t.refresh_token, &r, &reused, who),
                     MQ_OK);
    t = r;
    e->f.now = signed_in + 91 * 86400000LL; /* 2 days idle, but past 90 days */
    assert_int_equal(mq_session_refresh(&e->f.ctx, e->f.arena, t.refresh_token, &r, &reused, who),
                     MQ_EPERM);

    /* An access token outlives nothing: expired past the leeway, refused. */
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &t, &o), MQ_OK);
    assert_true(authenticated(e, t.access_token)); /* now in the cache */
    e->f.now += 15 * 60 * 1000 + 29 * 1000;
    assert_true(authenticated(e, t.access_token)); /* within the leeway */
    e->f.now += 2 * 1000;
    assert_false(authenticated(e, t.access_token));
}

static void test_session_cap_and_rehash(void **state)
{
    ENV;
    struct mq_tokens a, b, c;
    enum mq_login_outcome o;
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &a, &o), MQ_OK);
    e->f.now += 1000;
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &b, &o), MQ_OK);
    e->f.now += 1000;
    fixture_set(&e->f.cfg, "argon2_iterations", "2"); /* stronger parameters from now on */
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &c, &o), MQ_OK);
    assert_false(authenticated(e, a.access_token)); /* the oldest made room */
    assert_true(authenticated(e, b.access_token));
    assert_true(authenticated(e, c.access_token));
    struct mq_db *db = NULL;
    struct mq_user_row row;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(
        mq_store_finish(db, mq_store_user_by_email(db, e->f.arena, "ada@example.org", &row)),
        MQ_OK);
    assert_non_null(strstr(row.password_hash, "t=2"));
    assert_false(mq_password_needs_rehash(&e->f.cfg, row.password_hash));
}

static size_t open_sessions(struct env *e, const char *user)
{
    struct mq_db *db = NULL;
    struct mq_session_row *rows;
    size_t n = 0;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_store_sessions_list(db, e->f.arena, user, e->f.now,
                                                                NULL, 10, &rows, &n)),
                     MQ_OK);
    return n;
}

static void test_end_own_sessions(void **state)
{
    ENV;
    struct mq_tokens a, b, c, x;
    enum mq_login_outcome o;
    struct mq_refusal why = {0};
    char bob[37];
    int64_t ended = 0;
    struct mq_user_new u = {.email = "bob@example.org",
                            .display_name = "Bob",
                            .password = PASSWORD,
                            .role = "user",
                            .email_verified = true};
    assert_int_equal(mq_users_create(&e->f.ctx, &u, bob, &why), MQ_OK);
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &a, &o), MQ_OK);
    assert_int_equal(login(e, "ada@example.org", PASSWORD, &b, &o), MQ_OK);
    assert_int_equal(login(e, "bob@example.org", PASSWORD, &x, &o), MQ_OK);
    assert_int_equal(open_sessions(e, e->user), 2);

    /* Nobody ends another's session. */
    assert_int_equal(mq_session_end(&e->f.ctx, e->f.arena, e->user, x.session_id, "revoked"),
                     MQ_ENOTFOUND);
    assert_int_equal(mq_session_end(&e->f.ctx, e->f.arena, e->user, a.session_id, "revoked"),
                     MQ_OK);
    assert_false(authenticated(e, a.access_token));
    assert_int_equal(mq_session_end(&e->f.ctx, e->f.arena, e->user, a.session_id, "revoked"),
                     MQ_ENOTFOUND);

    assert_int_equal(login(e, "ada@example.org", PASSWORD, &c, &o), MQ_OK);
    assert_int_equal(mq_sessions_end_others(&e->f.ctx, e->user, c.session_id, "revoked", &ended),
                     MQ_OK);
    assert_int_equal(ended, 1);
    assert_false(authenticated(e, b.access_token));
    assert_true(authenticated(e, c.access_token));
    assert_true(authenticated(e, x.access_token));
    assert_int_equal(open_sessions(e, e->user), 1);
    assert_int_equal(open_sessions(e, bob), 1);

    /* An idle-expired session is no longer listed, nor can it be ended. */
    e->f.now += 30LL * 86400 * 1000 + 1;
    assert_int_equal(open_sessions(e, e->user), 0);
    assert_int_equal(mq_session_end(&e->f.ctx, e->f.arena, e->user, c.session_id, "revoked"),
                     MQ_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_login_and_lockout), BOTH(test_refresh_rotation_and_reuse),
        BOTH(test_logout_and_expiry), BOTH(test_session_cap_and_rehash),
        BOTH(test_end_own_sessions),
    };
    return RUN(tests);
}
