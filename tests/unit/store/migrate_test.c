/* One migration sequence, two dialects: both reach the same version and
 * the same tables and columns (src/store/migrations/, tools/mq-embed.c). */
#include "test.h"

#include "db_fixture.h"

#include <string.h>

#include "core/buf.h"
#include "store/migrate.h"
#include "store/store.h"

/* The search index is each backend's own (docs/internals/search.md):
 * SQLite's FTS5 tables and PostgreSQL's tsvector column are left out. */
static const struct mq_sql SQL_COLUMNS = {
    "test.columns",
    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'search_fts%' "
    "AND m.name NOT LIKE 'search_terms_tri%' AND m.name <> 'search_vocab' ORDER BY 1, 2",
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = 'public' AND NOT (table_name = 'search_docs' AND column_name = 'doc') "
    "ORDER BY 1, 2"};

/* "table.column\n" for every column of every table, sorted. */
static void schema_of(struct mq_store *store, struct mq_buf *out)
{
    struct mq_db *db = NULL;
    struct mq_rows *rows = NULL;
    assert_int_equal(mq_store_begin(store, MQ_DB_READ, &db), MQ_OK);
    assert_int_equal(mq_db_query(db, &SQL_COLUMNS, NULL, 0, &rows), MQ_OK);
    while (mq_rows_next(rows))
        assert_int_equal(
            mq_buf_printf(out, "%s.%s\n", mq_rows_text(rows, 0), mq_rows_text(rows, 1)), MQ_OK);
    assert_int_equal(mq_rows_close(rows), MQ_OK);
    assert_int_equal(mq_store_finish(db, MQ_OK), MQ_OK);
}

static void test_both_dialects_reach_one_schema(void **state)
{
    (void)state;
    struct db_fixture *pg = fixture_open(true, 2, true);
    if (!pg) skip();
    struct db_fixture *lite = fixture_open(false, 2, true);
    int vl = 0, vp = 0;
    assert_int_equal(mq_migrate_current(lite->store, &vl), MQ_OK);
    assert_int_equal(mq_migrate_current(pg->store, &vp), MQ_OK);
    assert_int_equal(vl, mq_migrate_latest(lite->store));
    assert_int_equal(vp, mq_migrate_latest(pg->store));
    assert_int_equal(vl, vp);
    assert_true(vl >= 12);

    struct mq_buf a, b;
    mq_buf_init(&a, 1 << 20);
    mq_buf_init(&b, 1 << 20);
    schema_of(lite->store, &a);
    schema_of(pg->store, &b);
    assert_true(a.len > 0 && mq_buf_add(&a, "", 1) == MQ_OK && mq_buf_add(&b, "", 1) == MQ_OK);
    assert_non_null(strstr(a.data, "users.email_key\n"));
    assert_string_equal(a.data, b.data);
    mq_buf_cleanup(&a);
    mq_buf_cleanup(&b);
    fixture_close(lite);
    fixture_close(pg);
}

/* The same migration, in both dialects' embedded lists, by name. */
static void test_one_sequence(void **state)
{
    (void)state;
    assert_int_equal(mq_migrations_sqlite_count, mq_migrations_postgres_count);
    for (size_t i = 0; i < mq_migrations_sqlite_count; i++) {
        assert_int_equal(mq_migrations_sqlite[i].version, (int)i + 1);
        assert_int_equal(mq_migrations_postgres[i].version, (int)i + 1);
        assert_string_equal(mq_migrations_sqlite[i].name, mq_migrations_postgres[i].name);
        /* No section markers reach the database. */
        assert_null(strstr(mq_migrations_sqlite[i].sql, "-- @"));
        assert_null(strstr(mq_migrations_postgres[i].sql, "-- @"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_sequence),
        cmocka_unit_test(test_both_dialects_reach_one_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
