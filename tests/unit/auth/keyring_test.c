/* Signing keys on SQLite and PostgreSQL: two instances with their own key
 * files share one database and verify each other's tokens. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "core/config.h"
#include "db_fixture.h"
#include "auth/conf.h"

/* Instance a is the environment itself; b shares its database only. */
struct env {
    struct fixture_env a;
    struct fixture_env b;
};

static int setup(void **state, bool postgres)
{
    struct env *e = fixture_env_open(postgres, 2, sizeof(*e), FIXTURE_DATA_DIR);
    *state = e;
    if (e) fixture_env_peer(&e->a, &e->b, FIXTURE_DATA_DIR, "b");
    return 0;
}
FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    struct env *e = *state;
    if (e) fixture_env_cleanup(&e->b);
    return fixture_teardown(state);
}

static void test_instances_verify_each_other(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct mq_keyring *ka = NULL, *kb = NULL;
    struct mq_arena *arena = mq_arena_new(0);
    assert_int_equal(mq_keyring_open(&e->a.ctx, &ka), MQ_OK);
    assert_int_equal(mq_keyring_open(&e->b.ctx, &kb), MQ_OK);
    const struct mq_signing_key *sa = mq_keyring_signer(ka), *sb = mq_keyring_signer(kb);
    assert_string_not_equal(sa->kid, sb->kid);

    /* The key file is the owner's alone. */
    char path[128];
    struct stat st;
    snprintf(path, sizeof(path), "%s/signing-key.ed25519", e->a.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* A token from b verifies on a, whose key list has to learn b's kid. */
    struct mq_jwt_claims c = {
        .iss = "i", .aud = "marquee", .sub = "u", .iat = 1795000000, .exp = 1795000900};
    struct mq_jwt_expect want = {"i", "marquee", 1795000100, 30};
    char *token = NULL;
    const char *why = NULL;
    assert_int_equal(mq_jwt_issue(arena, sb, &c, &token), MQ_OK);
    usleep(150 * 1000); /* past the reload interval: a may look b's key up */
    struct mq_jwt_claims got;
    assert_int_equal(mq_jwt_verify(arena, token, mq_keyring_public, ka, &want, &got, &why), MQ_OK);
    assert_string_equal(got.sub, "u");

    json_t *jwks = NULL;
    assert_int_equal(mq_keyring_jwks(ka, &jwks), MQ_OK);
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
    json_t *k0 = json_array_get(json_object_get(jwks, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k0, "kty")), "OKP");
    assert_null(json_object_get(k0, "d")); /* never the private part */
    json_decref(jwks);

    /* The same data directory keeps its key. */
    char kid[MQ_KID_LEN + 1];
    memcpy(kid, sa->kid, sizeof(kid));
    mq_keyring_free(ka);
    assert_int_equal(mq_keyring_open(&e->a.ctx, &ka), MQ_OK);
    assert_string_equal(mq_keyring_signer(ka)->kid, kid);
    mq_keyring_free(ka);
    mq_keyring_free(kb);

    /* A damaged key file stops the instance rather than minting a new key. */
    FILE *f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    assert_int_equal(mq_keyring_open(&e->a.ctx, &ka), MQ_EINVAL);
    mq_arena_free(arena);
}

static const struct mq_sql SQL_FORGE = {
    "test.forge_key",
    "INSERT INTO signing_keys (kid, alg, public_key, created_at) VALUES "
    "('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', 'EdDSA', "
    "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 0)",
    NULL};

static void test_forged_rows_are_ignored(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct mq_keyring *ka = NULL;
    struct mq_db *db = NULL;
    /* A row whose kid does not name its key (someone wrote the table). */
    assert_int_equal(mq_store_begin(e->a.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_db_exec(db, &SQL_FORGE, NULL, 0, NULL)), MQ_OK);
    assert_int_equal(mq_keyring_open(&e->a.ctx, &ka), MQ_OK);
    assert_null(mq_keyring_public(ka, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
    assert_non_null(mq_keyring_public(ka, mq_keyring_signer(ka)->kid));
    mq_keyring_free(ka);
}

static bool jwks_has(struct mq_keyring *kr, const char *kid)
{
    json_t *doc = NULL, *k;
    size_t i;
    bool found = false;
    assert_int_equal(mq_keyring_jwks(kr, &doc), MQ_OK);
    json_array_foreach(json_object_get(doc, "keys"), i, k)
    {
        if (!strcmp(json_string_value(json_object_get(k, "kid")), kid)) found = true;
    }
    json_decref(doc);
    return found;
}

static void test_rotation_retires_the_old_key(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct fixture_env c; /* an instance with a fake clock */
    struct mq_keyring *ka = NULL;
    char old_kid[MQ_KID_LEN + 1], new_kid[MQ_KID_LEN + 1], first[MQ_KID_LEN + 1];
    fixture_env_peer(&e->a, &c, FIXTURE_FAKE_CLOCK | FIXTURE_DATA_DIR, "c");
    int64_t *now = &c.now;
    assert_int_equal(mq_keyring_open(&c.ctx, &ka), MQ_OK);
    c.ctx.keyring = ka;
    memcpy(first, mq_keyring_signer(ka)->kid, sizeof(first));

    assert_int_equal(mq_keyring_rotate(&c.ctx, old_kid, new_kid), MQ_OK);
    assert_string_equal(old_kid, first);
    assert_string_not_equal(new_kid, first);
    /* The running keyring signs with the new key within a second. */
    *now += 1500;
    assert_string_equal(mq_keyring_signer(ka)->kid, new_kid);
    assert_non_null(mq_keyring_public(ka, new_kid));
    assert_non_null(mq_keyring_public(ka, old_kid));
    assert_true(jwks_has(ka, old_kid) && jwks_has(ka, new_kid));
    /* Once the old key's last tokens have expired it is gone. */
    *now += mq_auth_conf(&c.cfg)->access_token_ttl + 61000;
    assert_null(mq_keyring_public(ka, old_kid));
    assert_false(jwks_has(ka, old_kid));
    assert_true(jwks_has(ka, new_kid));
    fixture_env_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_rotation_retires_the_old_key),
        BOTH(test_instances_verify_each_other),
        BOTH(test_forged_rows_are_ignored),
    };
    return RUN(tests);
}
