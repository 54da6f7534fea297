/* The audit chain on SQLite and PostgreSQL: written in batches by several
 * threads, intact when verified; edited, reordered or deleted, broken at the
 * right entry. */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/retention.h"
#include "auth/keyring.h"
#include "core/config.h"
#include "db_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

struct env {
    struct fixture_env f;
};

static int setup(void **state, bool postgres)
{
    *state = fixture_env_open(postgres, 4, sizeof(struct env), FIXTURE_DATA_DIR);
    return 0;
}
FIXTURE_SETUPS(setup)

static int teardown(void **state)
{
    return fixture_teardown(state);
}

static struct mq_audit *writer;

static void *record_many(void *arg)
{
    intptr_t t = (intptr_t)arg;
    for (int i = 0; i < 300; i++) {
        char target[32];
        snprintf(target, sizeof(target), "job-%d-%d", (int)t, i);
        json_t *details = json_pack("{s:i,s:s}", "n", i, "note", "héllo \"quoted\" 'x' <b>");
        struct mq_audit_event ev = {.action = "test.event",
                                    .actor_kind = "system",
                                    .target_type = "job",
                                    .target_id = target,
                                    .ip = "127.0.0.1",
                                    .details = details};
        mq_audit_record(writer, &ev);
        json_decref(details);
    }
    return NULL;
}

/* Statements are cached by address: each must be a static of its own. */
static const struct mq_sql SQL_EDIT = {
    "test.edit", "UPDATE audit_log SET details = '{\"n\":0}' WHERE seq = 700", NULL};
static const struct mq_sql SQL_DELETE = {"test.delete", "DELETE FROM audit_log WHERE seq = 42",
                                         NULL};
static const struct mq_sql SQL_RENUMBER = {
    "test.renumber", "UPDATE audit_log SET seq = seq - 1 WHERE seq = 43", NULL};

static void exec_sql(struct env *e, const struct mq_sql *stmt)
{
    struct mq_db *db = NULL;
    assert_int_equal(mq_store_begin(e->f.db->store, MQ_DB_WRITE, &db), MQ_OK);
    assert_int_equal(mq_store_finish(db, mq_db_exec(db, stmt, NULL, 0, NULL)), MQ_OK);
}

static void test_chain(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct mq_audit_verdict v;
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.entries, 0);
    assert_int_equal(v.broken_at, 0);

    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, record_many, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    assert_int_equal(mq_audit_flush(writer, 20000), MQ_OK);
    mq_audit_stop(writer, 5);

    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.entries, 1200);
    assert_int_equal(v.broken_at, 0);

    exec_sql(e, &SQL_EDIT);
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 700);
    assert_int_equal(v.entries, 699);
    assert_non_null(strstr(v.why, "does not match its hash"));
}

static void test_deletion_and_relinking_are_caught(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    struct mq_audit_verdict v;
    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    record_many((void *)0);
    assert_int_equal(mq_audit_flush(writer, 20000), MQ_OK);
    mq_audit_stop(writer, 5);
    exec_sql(e, &SQL_DELETE);
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 42);
    assert_non_null(strstr(v.why, "missing"));
    /* Renumbering to hide the gap breaks the link instead. */
    exec_sql(e, &SQL_RENUMBER);
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 42);
    assert_non_null(strstr(v.why, "does not link"));
}

static const struct mq_sql SQL_FORGE = {
    "test.forge", "UPDATE audit_checkpoints SET seq = seq + 1, purged = purged + 1", NULL};
static const struct mq_sql SQL_DROP_FIRST = {
    "test.drop_first", "DELETE FROM audit_log WHERE seq = (SELECT MIN(seq) FROM audit_log)", NULL};

static void record_and_flush(struct env *e)
{
    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    record_many((void *)0);
    assert_int_equal(mq_audit_flush(writer, 20000), MQ_OK);
    mq_audit_stop(writer, 5);
}

/* Purging old entries leaves a chain that verifies from a signed
 * checkpoint; a checkpoint moved by hand, or an entry deleted after it, is
 * caught. */
static void test_purge_keeps_the_chain_verifiable(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    int64_t purged = 0;
    assert_int_equal(mq_audit_purge(&e->f.ctx, 0, &purged), MQ_EUNAVAILABLE); /* no key */
    assert_int_equal(mq_keyring_open(&e->f.ctx, &e->f.ctx.keyring), MQ_OK);

    record_and_flush(e);
    int64_t later = mq_clock_now_ms(&mq_clock_system) + 60000;
    assert_int_equal(mq_audit_purge(&e->f.ctx, later, &purged), MQ_OK);
    assert_int_equal(purged, 299); /* all but the newest, which appends link to */
    struct mq_audit_verdict v;
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 0);
    assert_int_equal(v.checkpoint_seq, 299);
    assert_int_equal(v.entries, 1);

    record_and_flush(e); /* the chain goes on from the kept head */
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 0);
    assert_int_equal(v.entries, 301);
    assert_int_equal(mq_audit_purge(&e->f.ctx, 0, &purged), MQ_OK); /* nothing that old */
    assert_int_equal(purged, 0);

    exec_sql(e, &SQL_DROP_FIRST);
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 300);
    exec_sql(e, &SQL_FORGE); /* hiding it needs a signature nobody has */
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 300);
    assert_non_null(strstr(v.why, "not signed"));
}

static void test_hash_encoding(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    struct mq_audit_row r = {.seq = 1,
                             .id = "x",
                             .at = 1,
                             .action = "a",
                             .actor_kind = "system",
                             .details = "{}",
                             .prev_hash = "0"};
    mq_audit_hash(&r, a);
    r.actor_id = ""; /* empty is not the same as absent */
    mq_audit_hash(&r, b);
    assert_string_not_equal(a, b);
    r.actor_id = NULL;
    r.action = "ab"; /* moving a byte between fields changes the hash */
    r.actor_kind = "ystem";
    mq_audit_hash(&r, c);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 64);
}

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(mq_time_parse_rfc3339("2026-11-22T01:02:03Z", &ms), MQ_OK);
    assert_int_equal(ms, 1795309323000);
    assert_int_equal(mq_time_parse_rfc3339("2026-11-22T01:02:03.25Z", &ms), MQ_OK);
    assert_int_equal(ms, 1795309323250);
    assert_int_equal(mq_time_parse_rfc3339("2026-11-22T02:02:03+01:00", &ms), MQ_OK);
    assert_int_equal(ms, 1795309323000);
    char round[32];
    mq_time_format_rfc3339(ms, round, sizeof(round));
    assert_string_equal(round, "2026-11-22T01:02:03.000Z");
    const char *bad[] = {"",
                         "2026-11-22",
                         "2026-11-22T01:02:03",
                         "2026-13-01T00:00:00Z",
                         "2026-11-22T25:00:00Z",
                         "2026-11-22T01:02:03.Z",
                         "2026-11-22T01:02:03+1:00",
                         "2026-11-22T01:02:03Zjunk",
                         "20261122T010203Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_time_parse_rfc3339(bad[i], &ms), MQ_EINVAL);
}

/* A flood folds: 20,000 events under three keys become three entries with
 * their counts, written when the window closes; past 1,024 keys at once,
 * the rest fold under "*". The chain stays intact. */
/* Time for the folds: moved by hand, so that a slow machine cannot close a
 * window in the middle of the flood. Read by the writer thread. */
static atomic_llong fold_now;

static int64_t fold_clock_now(void *cls)
{
    (void)cls;
    return atomic_load(&fold_now);
}

static const struct mq_clock fold_clock = {fold_clock_now, NULL};

static void test_floods_fold_into_counted_entries(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    atomic_store(&fold_now, 1795000000000);
    e->f.ctx.clock = &fold_clock;
    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    const char *keys[] = {"login ip:192.0.2.1", "login ip:192.0.2.2", "default ip:2001:db8::/64"};
    for (int i = 0; i < 20000; i++) {
        json_t *d = json_pack("{s:s}", "path", "/api/v1/auth/login");
        struct mq_audit_event ev = {.action = "rate_limit.rejected",
                                    .actor_kind = "anonymous",
                                    .ip = "192.0.2.1",
                                    .details = d};
        mq_audit_record_folded(writer, &ev, keys[i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 2], 500);
        json_decref(d);
    }
    for (int i = 0; i < 1100; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%d", i);
        struct mq_audit_event ev = {.action = "admin.auth_failed", .actor_kind = "anonymous"};
        mq_audit_record_folded(writer, &ev, key, 500);
    }
    assert_int_equal(mq_audit_flush(writer, 5000), MQ_OK);
    struct mq_arena *a = mq_arena_new(0);
    struct mq_audit_entry out[1200];
    size_t n = 0;
    struct mq_audit_filter f = {.action = "rate_limit.rejected", .limit = 1200};
    assert_int_equal(mq_audit_list(&e->f.ctx, a, &f, out, &n), MQ_OK);
    assert_int_equal(n, 0); /* the window is still open */
    atomic_fetch_add(&fold_now, 500);
    assert_int_equal(mq_audit_flush(writer, 5000), MQ_OK);
    assert_int_equal(mq_audit_list(&e->f.ctx, a, &f, out, &n), MQ_OK);
    assert_int_equal(n, 3);
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_loads(out[i].details, 0, NULL);
        assert_non_null(d);
        long long c = (long long)json_integer_value(json_object_get(d, "count"));
        assert_true(c == 6667 || c == 6666);
        assert_string_equal(json_string_value(json_object_get(d, "path")), "/api/v1/auth/login");
        assert_true(json_integer_value(json_object_get(d, "first_at")) <=
                    json_integer_value(json_object_get(d, "last_at")));
        total += c;
        json_decref(d);
    }
    assert_int_equal(total, 20000);
    f.action = "admin.auth_failed";
    assert_int_equal(mq_audit_list(&e->f.ctx, a, &f, out, &n), MQ_OK);
    /* 1,024 keys at once, three of them the rate limits': 1,021 here, then
     * "*" for the other 79. */
    assert_int_equal(n, 1022);
    bool star = false;
    for (size_t i = 0; i < n; i++)
        if (strstr(out[i].details, "\"count\":79")) star = true;
    assert_true(star);
    mq_arena_free(a);
    mq_audit_stop(writer, 5);
    struct mq_audit_verdict v;
    assert_int_equal(mq_audit_verify(e->f.db->store, &v), MQ_OK);
    assert_int_equal(v.broken_at, 0);
    assert_int_equal(v.entries, 3 + 1022);
}

/* Events still folding when the writer stops are written, with their count. */
static void test_stop_writes_open_folds(void **state)
{
    struct env *e = *state;
    if (!e) skip();
    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    struct mq_audit_event ev = {.action = "rate_limit.rejected", .actor_kind = "anonymous"};
    for (int i = 0; i < 5; i++) mq_audit_record_folded(writer, &ev, "k", 3600000);
    mq_audit_stop(writer, 5);
    assert_int_equal(mq_audit_start(&e->f.ctx, &writer), MQ_OK);
    struct mq_arena *a = mq_arena_new(0);
    struct mq_audit_entry out[4];
    size_t n = 0;
    struct mq_audit_filter f = {.action = "rate_limit.rejected", .limit = 4};
    assert_int_equal(mq_audit_list(&e->f.ctx, a, &f, out, &n), MQ_OK);
    assert_int_equal(n, 1);
    assert_non_null(strstr(out[0].details, "\"count\":5"));
    mq_arena_free(a);
    mq_audit_stop(writer, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_chain),
        BOTH(test_deletion_and_relinking_are_caught),
        BOTH(test_purge_keeps_the_chain_verifiable),
        BOTH(test_floods_fold_into_counted_entries),
        BOTH(test_stop_writes_open_folds),
        cmocka_unit_test(test_hash_encoding),
        cmocka_unit_test(test_rfc3339),
    };
    return RUN(tests);
}
