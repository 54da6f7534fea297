#include "store/monitor.h"

#include <string.h>

#include "store/catalog_sql.h"

/* What a member finished: a play, or "completed" in their own library. */
#define CONSUMED(U)                                                                                \
    "(SELECT item_id FROM track_plays WHERE user_id = " U " AND item_id IS NOT NULL UNION SELECT " \
    "item_id FROM track_library WHERE user_id = " U " AND status = 'completed')"

/* An admin's relation from a work overrides the others of its kind from
 * the same work: "Dune: Part Two follows Dune", not a pattern's guess. */
#define NOT_OVERRIDDEN(R)                                                                          \
    "(" R ".source = 'admin' OR NOT EXISTS (SELECT 1 FROM media_relations x WHERE x.to_id = " R    \
    ".to_id AND x.kind = " R ".kind AND x.source = 'admin' AND x.deleted_at IS NULL AND "          \
    "x.from_id <> " R ".from_id))"

#define HAS_FILE(E)                                                                                \
    "EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = " E ".id AND f.role = 'main' AND "      \
    "f.state = 'ok')"

#define RCOLS                                                                                      \
    "r.from_id, r.to_id, r.kind, r.source, r.confidence, r.created_at, o.id, o.title, o.kind, "    \
    "COALESCE(o.year, 0)"

static const struct mq_sql SQL_OF = {
    "media_relations.of",
    "SELECT " RCOLS ", CASE WHEN r.from_id = o.id THEN 1 ELSE 0 END, NULL, o.library_id FROM "
    "media_relations r "
    "JOIN media_items o ON o.id = CASE WHEN r.from_id = $1 THEN r.to_id ELSE r.from_id END WHERE "
    "(r.from_id = $1 OR r.to_id = $1) AND r.deleted_at IS NULL AND o.deleted_at IS NULL AND "
    "r.from_id <> r.to_id AND " NOT_OVERRIDDEN("r") " ORDER BY r.kind, COALESCE(o.year, 0), "
                                                    "o.sort_title, o.id LIMIT 500",
    NULL};
static const struct mq_sql SQL_LIST = {
    "media_relations.list",
    "SELECT " RCOLS ", 0, f.title, o.library_id FROM media_relations r JOIN media_items o ON "
    "o.id = r.to_id "
    "JOIN media_items f ON f.id = r.from_id WHERE r.deleted_at IS NULL AND ($1 = '' OR r.from_id "
    "= $1 OR r.to_id = $1) AND ($2 = '' OR r.source = $2) AND (r.from_id > $3 OR (r.from_id = $3 "
    "AND (r.to_id > $4 OR (r.to_id = $4 AND r.kind > $5)))) ORDER BY r.from_id, r.to_id, r.kind "
    "LIMIT $6",
    NULL};
static const struct mq_sql SQL_ADMIN_PUT = {
    "media_relations.admin_put",
    "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at, "
    "deleted_at) VALUES ($1, $2, $3, 'admin', 1000, $4, NULL) ON CONFLICT (from_id, to_id, kind) "
    "DO UPDATE SET source = 'admin', confidence = 1000, deleted_at = NULL",
    NULL};
static const struct mq_sql SQL_DELETE = {
    "media_relations.delete",
    "UPDATE media_relations SET deleted_at = $4 WHERE from_id = $1 AND to_id = $2 AND kind = $3 "
    "AND deleted_at IS NULL",
    NULL};
/* Derived pairs ([from, to], a JSON array of them) in one statement: a
 * catalogue of 200,000 titles gives tens of thousands, each a round trip
 * to PostgreSQL if sent alone. The WHERE is SQLite's, as below. */
static const struct mq_sql SQL_DERIVE = {
    "media_relations.derive",
    "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
    "json_extract(value, '$[0]'), json_extract(value, '$[1]'), $2, 'derived', $3, $4 FROM "
    "json_each($1) WHERE 1 ON CONFLICT DO NOTHING",
    "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
    "x->>0, x->>1, $2, 'derived', $3, $4 FROM jsonb_array_elements($1::jsonb) AS x ON CONFLICT "
    "DO NOTHING"};

/* The catalogue's shape. SQLite reads "INSERT ... SELECT ... ON CONFLICT"
 * only with a WHERE in the SELECT: each has one. */
static const struct mq_sql SQL_SHAPE[] = {
    {"media_relations.derive_seasons",
     "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
     "id, parent_id, 'season_of', 'derived', 900, $1 FROM media_items WHERE kind = 'season' AND "
     "parent_id IS NOT NULL AND deleted_at IS NULL ON CONFLICT DO NOTHING",
     NULL},
    {"media_relations.derive_episodes",
     "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
     "id, parent_id, 'episode_of', 'derived', 900, $1 FROM media_items WHERE kind = 'episode' AND "
     "parent_id IS NOT NULL AND deleted_at IS NULL ON CONFLICT DO NOTHING",
     NULL},
    {"media_relations.derive_collections",
     "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
     "item_id, prev_id, 'part_of', 'derived', 700, $1 FROM (SELECT ci.item_id, LAG(ci.item_id) "
     "OVER (PARTITION BY ci.collection_id ORDER BY COALESCE(m.release_date, ''), "
     "COALESCE(m.year, 0), ci.position, ci.item_id) AS prev_id FROM collection_items ci JOIN "
     "collections c ON c.id = ci.collection_id JOIN media_items m ON m.id = ci.item_id WHERE "
     "c.kind = 'collection' AND m.deleted_at IS NULL) t WHERE prev_id IS NOT NULL ON CONFLICT DO "
     "NOTHING",
     NULL},
    {"media_relations.derive_book_series",
     "INSERT INTO media_relations (from_id, to_id, kind, source, confidence, created_at) SELECT "
     "item_id, prev_id, 'next_in_series', 'derived', 800, $1 FROM (SELECT ci.item_id, "
     "LAG(ci.item_id) OVER (PARTITION BY ci.collection_id ORDER BY ci.position, ci.item_id) AS "
     "prev_id FROM collection_items ci JOIN collections c ON c.id = ci.collection_id JOIN "
     "media_items m ON m.id = ci.item_id WHERE c.kind = 'series' AND m.deleted_at IS NULL) t "
     "WHERE prev_id IS NOT NULL ON CONFLICT DO NOTHING",
     NULL},
};

static const struct mq_sql SQL_TITLES = {
    "media_items.titles",
    "SELECT id, title, COALESCE(year, 0) FROM media_items WHERE kind = $1 AND deleted_at IS NULL "
    "ORDER BY sort_title, id",
    NULL};

static void read_relation(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_relation_row *r = dst;
    r->from_id = mq_rows_dup(rows, 0, a, oom);
    r->to_id = mq_rows_dup(rows, 1, a, oom);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->source = mq_rows_dup(rows, 3, a, oom);
    r->confidence = mq_rows_int(rows, 4);
    r->created_at = mq_rows_int(rows, 5);
    r->other_id = mq_rows_dup(rows, 6, a, oom);
    r->other_title = mq_rows_dup(rows, 7, a, oom);
    r->other_kind = mq_rows_dup(rows, 8, a, oom);
    r->other_year = mq_rows_int(rows, 9);
    r->other_follows = mq_rows_int(rows, 10) != 0;
    r->from_title = mq_rows_dup(rows, 11, a, oom);
    r->other_library_id = mq_rows_dup(rows, 12, a, oom);
}

mq_err mq_store_relations_of(struct mq_db *db, struct mq_arena *a, const char *item_id,
                             struct mq_relation_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id)};
    return mq_db_query_list(db, &SQL_OF, p, 1, a, read_relation, sizeof(**out), 0, out, n);
}

mq_err mq_store_relations_list(struct mq_db *db, struct mq_arena *a, const char *item_id,
                               const char *source, const char *after_from, const char *after_to,
                               const char *after_kind, int limit, struct mq_relation_row **out,
                               size_t *n)
{
    struct mq_param p[] = {
        MQ_P_TEXT(item_id ? item_id : ""),       MQ_P_TEXT(source ? source : ""),
        MQ_P_TEXT(after_from ? after_from : ""), MQ_P_TEXT(after_to ? after_to : ""),
        MQ_P_TEXT(after_kind ? after_kind : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_LIST, p, 6, a, read_relation, sizeof(**out), 0, out, n);
}

mq_err mq_store_relation_admin_put(struct mq_db *db, const char *from_id, const char *to_id,
                                   const char *kind, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(from_id), MQ_P_TEXT(to_id), MQ_P_TEXT(kind), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_ADMIN_PUT, p, 4, NULL);
}

mq_err mq_store_relation_delete(struct mq_db *db, const char *from_id, const char *to_id,
                                const char *kind, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(from_id), MQ_P_TEXT(to_id), MQ_P_TEXT(kind), MQ_P_INT(now)};
    return mq_db_exec_one(db, &SQL_DELETE, p, 4);
}

mq_err mq_store_relations_derive(struct mq_db *db, const char *pairs, const char *kind,
                                 int64_t confidence, int64_t now, int64_t *made)
{
    struct mq_param p[] = {MQ_P_TEXT(pairs), MQ_P_TEXT(kind), MQ_P_INT(confidence), MQ_P_INT(now)};
    int64_t changes = 0;
    mq_err err = mq_db_exec(db, &SQL_DERIVE, p, 4, &changes);
    *made = err ? 0 : changes;
    return err;
}

mq_err mq_store_relations_derive_shape(struct mq_db *db, int64_t now, int64_t *made)
{
    struct mq_param p[] = {MQ_P_INT(now)};
    mq_err err = MQ_OK;
    *made = 0;
    for (size_t i = 0; !err && i < sizeof(SQL_SHAPE) / sizeof(*SQL_SHAPE); i++) {
        int64_t changes = 0;
        err = mq_db_exec(db, &SQL_SHAPE[i], p, 1, &changes);
        *made += changes;
    }
    return err;
}

static void read_titled(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_titled_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->title = mq_rows_dup(rows, 1, a, oom);
    r->year = mq_rows_int(rows, 2);
}

mq_err mq_store_titles(struct mq_db *db, struct mq_arena *a, const char *kind,
                       struct mq_titled_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(kind)};
    return mq_db_query_list(db, &SQL_TITLES, p, 1, a, read_titled, sizeof(**out), 0, out, n);
}

/* ---- follows -------------------------------------------------------------- */

static const struct mq_sql SQL_F_PUT = {
    "track_follows.put",
    "INSERT INTO track_follows (user_id, kind, target_id, created_at) VALUES ($1, $2, $3, $4) ON "
    "CONFLICT DO NOTHING",
    NULL};
static const struct mq_sql SQL_F_DELETE = {
    "track_follows.delete",
    "DELETE FROM track_follows WHERE user_id = $1 AND kind = $2 AND target_id = $3", NULL};
static const struct mq_sql SQL_F_LIST = {
    "track_follows.list",
    "SELECT f.kind, f.target_id, COALESCE((SELECT title FROM media_items WHERE id = f.target_id "
    "AND deleted_at IS NULL), (SELECT name FROM collections WHERE id = f.target_id), (SELECT name "
    "FROM people WHERE id = f.target_id)), f.created_at FROM track_follows f WHERE f.user_id = $1 "
    "ORDER BY f.created_at DESC, f.target_id LIMIT 1000",
    NULL};
static const struct mq_sql SQL_F_TARGET = {
    "track_follows.target",
    "SELECT CASE WHEN $1 = 'series' THEN (SELECT COUNT(*) FROM media_items WHERE id = $2 AND "
    "kind = 'series' AND deleted_at IS NULL) WHEN $1 = 'collection' THEN (SELECT COUNT(*) FROM "
    "collections WHERE id = $2 AND kind = 'collection') WHEN $1 = 'book_series' THEN (SELECT "
    "COUNT(*) FROM collections WHERE id = $2 AND kind = 'series') WHEN $1 = 'person' THEN "
    "(SELECT COUNT(*) FROM people WHERE id = $2) ELSE 0 END",
    NULL};

static void read_follow(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_follow_row *r = dst;
    r->kind = mq_rows_dup(rows, 0, a, oom);
    r->target_id = mq_rows_dup(rows, 1, a, oom);
    r->name = mq_rows_dup(rows, 2, a, oom);
    r->created_at = mq_rows_int(rows, 3);
}

mq_err mq_store_follow_put(struct mq_db *db, const char *user_id, const char *kind,
                           const char *target_id, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(kind), MQ_P_TEXT(target_id),
                           MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_F_PUT, p, 4, NULL);
}

mq_err mq_store_follow_delete(struct mq_db *db, const char *user_id, const char *kind,
                              const char *target_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(kind), MQ_P_TEXT(target_id)};
    return mq_db_exec_one(db, &SQL_F_DELETE, p, 3);
}

mq_err mq_store_follows(struct mq_db *db, struct mq_arena *a, const char *user_id,
                        struct mq_follow_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_F_LIST, p, 1, a, read_follow, sizeof(**out), 0, out, n);
}

mq_err mq_store_follow_target(struct mq_db *db, const char *kind, const char *id, bool *exists)
{
    struct mq_param p[] = {MQ_P_TEXT(kind), MQ_P_TEXT(id)};
    int64_t n = 0;
    mq_err err = mq_db_query_int(db, &SQL_F_TARGET, p, 2, &n);
    *exists = !err && n > 0;
    return err;
}

/* ---- what the monitor reads --------------------------------------------------- */

/* A playable work's reach in the same row (the common case: films and
 * books), so that only series need asking after: units (1, or 0 for a
 * series: not known here), released, in a library the member may see
 * ($2, a JSON array; $3 today). */
#define ITEM_REACH(I, LIST)                                                                        \
    "CASE WHEN " I ".kind IN ('movie', 'episode', 'book', 'audiobook') THEN 1 ELSE 0 END, CASE "   \
    "WHEN (" I ".release_date IS NOT NULL AND " I                                                  \
    ".release_date <= $3) OR " HAS_FILE(I) " THEN "                                                \
                                           "1 ELSE 0 END, CASE WHEN " I ".library_id IN " LIST     \
                                           " AND " HAS_FILE(I) " THEN 1 ELSE 0 END"
#define NEXT_FROM                                                                                  \
    " FROM media_relations r JOIN media_items i ON i.id = r.from_id JOIN media_items p ON p.id = " \
    "r.to_id WHERE r.deleted_at IS NULL AND i.deleted_at IS NULL AND r.kind IN ('sequel_of', "     \
    "'prequel_of', 'part_of', 'next_in_series') AND r.to_id IN " CONSUMED("$1")
#define NEXT(LIST)                                                                                 \
    "SELECT r.from_id, r.kind, r.to_id, i.title, p.title, i.kind, (SELECT c.name FROM "            \
    "collection_items x1 JOIN collection_items x2 ON x2.collection_id = x1.collection_id JOIN "    \
    "collections c ON c.id = x1.collection_id WHERE x1.item_id = r.from_id AND x2.item_id = "      \
    "r.to_id ORDER BY c.id LIMIT 1), " ITEM_REACH("i", LIST) NEXT_FROM                             \
        " AND r.from_id NOT IN " CONSUMED("$1") " AND " NOT_OVERRIDDEN(                            \
            "r") " ORDER BY r.from_id, "                                                           \
                 "r.kind"
static const struct mq_sql SQL_NEXT = {"monitor.next", NEXT(STORE_IDS_LITE("$2")),
                                       NEXT(STORE_IDS_PG("$2"))};
/* Driven from the member's series (CROSS JOIN fixes SQLite's order),
 * not from every season there is. */
static const struct mq_sql SQL_SEASONS = {
    "monitor.seasons",
    "SELECT s.id, s.parent_id, w.title, s.title, COALESCE(s.position, 0), COUNT(e.id), "
    "COALESCE(SUM(CASE WHEN e.id IN " CONSUMED(
        "$1") " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.release_date IS NOT NULL AND "
              "e.release_date <= $2 THEN 1 ELSE 0 END), 0) FROM (SELECT work_id AS id FROM "
              "track_plays WHERE user_id = $1 AND kind = 'episode' AND work_id IS NOT NULL UNION "
              "SELECT target_id FROM track_follows WHERE user_id = $1 AND kind = 'series') ser "
              "CROSS JOIN media_items s JOIN media_items w ON w.id = s.parent_id LEFT JOIN "
              "media_items e ON e.parent_id = s.id AND e.kind = 'episode' AND e.deleted_at IS "
              "NULL WHERE s.parent_id = ser.id AND s.kind = 'season' AND s.deleted_at IS NULL "
              "GROUP BY s.id, s.parent_id, w.title, s.title, s.position ORDER BY s.parent_id, "
              "COALESCE(s.position, 0)",
    NULL};
static const struct mq_sql SQL_NEXT_EPISODE = {
    "monitor.next_episode",
    "SELECT e.id, e.title, COALESCE(e.position, 0) FROM media_items e WHERE e.parent_id = $2 AND "
    "e.kind = 'episode' AND e.deleted_at IS NULL AND e.position > (SELECT MAX(x.position) FROM "
    "media_items x WHERE x.parent_id = $2 AND x.kind = 'episode' AND x.deleted_at IS NULL AND "
    "x.id IN " CONSUMED("$1") ") AND e.id NOT IN " CONSUMED(
        "$1") " AND (e.release_date >= $3 OR (e.release_date IS NULL AND e.added_at >= $4)) "
              "ORDER BY e.position LIMIT 1",
    NULL};
#define FOLLOWED(LIST)                                                                             \
    "SELECT i.id, f.kind, f.target_id, i.title, pp.name, i.kind, pp.name, " ITEM_REACH(            \
        "i", LIST) " FROM track_follows f JOIN media_credits c ON c.person_id = f.target_id JOIN " \
                   "media_items i ON i.id = c.item_id JOIN people pp ON pp.id = f.target_id "      \
                   "WHERE f.user_id = $1 AND f.kind = 'person' AND i.added_at > f.created_at AND " \
                   "i.deleted_at IS NULL AND i.kind IN ('movie', 'series', 'book', 'audiobook') "  \
                   "AND i.id NOT IN " CONSUMED(                                                    \
                       "$1") " UNION SELECT i.id, f.kind, f.target_id, i.title, c.name, i.kind, "  \
                             "c.name, " ITEM_REACH(                                                \
                                 "i", LIST) " FROM track_follows f JOIN collection_items ci ON "   \
                                            "ci.collection_id = f.target_id JOIN collections c "   \
                                            "ON c.id = f.target_id JOIN media_items i ON i.id = "  \
                                            "ci.item_id WHERE f.user_id = $1 AND f.kind IN "       \
                                            "('collection', 'book_series') AND i.added_at > "      \
                                            "f.created_at AND i.deleted_at IS NULL AND i.id NOT "  \
                                            "IN " CONSUMED("$1")
static const struct mq_sql SQL_FOLLOWED = {"monitor.followed", FOLLOWED(STORE_IDS_LITE("$2")),
                                           FOLLOWED(STORE_IDS_PG("$2"))};

/* How far items can be had, by item: the units of each (itself when
 * playable, a season's episodes, a series' episodes through its seasons),
 * in three indexed branches rather than one OR, which SQLite would answer
 * by reading every episode; the list joined first (catalog_sql.h). */
#define ROOTS_OF(EACH)                                                                             \
    "(SELECT j.value AS root, i.id, i.library_id, i.release_date, i.deleted_at FROM " EACH         \
    " CROSS JOIN media_items i WHERE i.id = j.value AND i.kind IN ('movie', 'episode', 'book', "   \
    "'audiobook') UNION ALL SELECT j.value, i.id, i.library_id, i.release_date, i.deleted_at "     \
    "FROM " EACH " CROSS JOIN media_items i WHERE i.parent_id = j.value AND i.kind = 'episode' "   \
    "UNION ALL SELECT j.value, e.id, e.library_id, e.release_date, e.deleted_at FROM " EACH        \
    " CROSS JOIN media_items s JOIN media_items e ON e.parent_id = s.id WHERE s.parent_id = "      \
    "j.value AND s.kind = 'season')"
#define REACH_MANY(EACH, LIST)                                                                     \
    "SELECT e.root, COUNT(*), COALESCE(SUM(CASE WHEN (e.release_date IS NOT NULL AND "             \
    "e.release_date <= $3) OR " HAS_FILE(                                                          \
        "e") " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN "                                    \
             "e.library_id IN " LIST                                                               \
             " AND " HAS_FILE("e") " THEN 1 ELSE 0 END), 0) FROM " ROOTS_OF(                       \
                 EACH) " e WHERE e.deleted_at IS NULL GROUP BY "                                   \
                       "e.root"
static const struct mq_sql SQL_REACH_MANY = {
    "monitor.reach_many", REACH_MANY(STORE_EACH_LITE("$1"), STORE_IDS_LITE("$2")),
    REACH_MANY(STORE_EACH_PG("$1"), STORE_IDS_PG("$2"))};

#define OFFER_NOW(A)                                                                               \
    A ".region = $2 AND " A ".kind IN ('flatrate', 'free', 'ads') AND (" A                         \
      ".available_from IS NULL OR " A ".available_from <= $3) AND (" A ".available_until IS NULL " \
      "OR " A ".available_until > $3)"
/* Works (what follows a work is one: a film, a series, a book) have no
 * parent whose offers would count: the item's own suffice. */
#define OFFERS_MANY(EACH)                                                                          \
    "SELECT j.value, a.platform, a.url FROM " EACH " CROSS JOIN media_availability a WHERE "       \
    "a.item_id = j.value AND " OFFER_NOW("a") " ORDER BY 1, 2"
static const struct mq_sql SQL_OFFERS_MANY = {
    "monitor.offers_many", OFFERS_MANY(STORE_EACH_LITE("$1")), OFFERS_MANY(STORE_EACH_PG("$1"))};

static const struct mq_sql SQL_OFFERS = {
    "monitor.offers",
    "SELECT a.platform, a.url FROM media_availability a WHERE a.item_id IN (SELECT CAST($1 AS "
    "TEXT) UNION SELECT parent_id FROM media_items WHERE id = $1 AND parent_id IS NOT NULL UNION "
    "SELECT p.parent_id FROM media_items c JOIN media_items p ON p.id = c.parent_id WHERE c.id = "
    "$1 AND p.parent_id IS NOT NULL) AND " OFFER_NOW("a") " ORDER BY a.platform LIMIT 50",
    NULL};
static const struct mq_sql SQL_PLATFORMS = {
    "monitor.platforms",
    "SELECT platform FROM track_plays WHERE user_id = $1 AND platform <> 'marquee' UNION SELECT "
    "platform FROM track_library WHERE user_id = $1 AND platform IS NOT NULL AND platform <> "
    "'marquee'",
    NULL};

static void read_next(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_next_row *r = dst;
    r->item_id = mq_rows_dup(rows, 0, a, oom);
    r->relation = mq_rows_dup(rows, 1, a, oom);
    r->after_id = mq_rows_dup(rows, 2, a, oom);
    r->title = mq_rows_dup(rows, 3, a, oom);
    r->after_title = mq_rows_dup(rows, 4, a, oom);
    r->kind = mq_rows_dup(rows, 5, a, oom);
    r->group_name = mq_rows_dup(rows, 6, a, oom);
    r->reach.units = mq_rows_int(rows, 7);
    r->reach.released = mq_rows_int(rows, 8);
    r->reach.in_library = mq_rows_int(rows, 9);
}

mq_err mq_store_monitor_next(struct mq_db *db, struct mq_arena *a, const char *user_id,
                             const char *visible, const char *today, struct mq_next_row **out,
                             size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(visible), MQ_P_TEXT(today)};
    return mq_db_query_list(db, &SQL_NEXT, p, 3, a, read_next, sizeof(**out), 0, out, n);
}

mq_err mq_store_monitor_followed_works(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                       const char *visible, const char *today,
                                       struct mq_next_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(visible), MQ_P_TEXT(today)};
    return mq_db_query_list(db, &SQL_FOLLOWED, p, 3, a, read_next, sizeof(**out), 0, out, n);
}

static void read_season(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_season_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->series_id = mq_rows_dup(rows, 1, a, oom);
    r->series_title = mq_rows_dup(rows, 2, a, oom);
    r->title = mq_rows_dup(rows, 3, a, oom);
    r->position = mq_rows_int(rows, 4);
    r->episodes = mq_rows_int(rows, 5);
    r->watched = mq_rows_int(rows, 6);
    r->aired = mq_rows_int(rows, 7);
}

mq_err mq_store_monitor_seasons(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                const char *today, struct mq_season_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(today)};
    return mq_db_query_list(db, &SQL_SEASONS, p, 2, a, read_season, sizeof(**out), 0, out, n);
}

static void read_episode(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_next_episode_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->title = mq_rows_dup(rows, 1, a, oom);
    r->position = mq_rows_int(rows, 2);
}

mq_err mq_store_monitor_next_episode(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                     const char *season_id, const char *since_day, int64_t since_ms,
                                     struct mq_next_episode_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(season_id), MQ_P_TEXT(since_day),
                           MQ_P_INT(since_ms)};
    return mq_db_query_one(db, &SQL_NEXT_EPISODE, p, 4, a, read_episode, out);
}

static void read_offer(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_offer_row *r = dst;
    r->item_id = NULL;
    r->platform = mq_rows_dup(rows, 0, a, oom);
    r->url = mq_rows_dup(rows, 1, a, oom);
}

mq_err mq_store_monitor_offers(struct mq_db *db, struct mq_arena *a, const char *item_id,
                               const char *region, int64_t now, struct mq_offer_row **out,
                               size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(item_id), MQ_P_TEXT(region), MQ_P_INT(now)};
    return mq_db_query_list(db, &SQL_OFFERS, p, 3, a, read_offer, sizeof(**out), 0, out, n);
}

static void read_reach_of(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_reach_of *r = dst;
    r->item_id = mq_rows_dup(rows, 0, a, oom);
    r->reach.units = mq_rows_int(rows, 1);
    r->reach.released = mq_rows_int(rows, 2);
    r->reach.in_library = mq_rows_int(rows, 3);
}

mq_err mq_store_monitor_reach_many(struct mq_db *db, struct mq_arena *a, const char *ids,
                                   const char *visible, const char *today, struct mq_reach_of **out,
                                   size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(ids), MQ_P_TEXT(visible), MQ_P_TEXT(today)};
    return mq_db_query_list(db, &SQL_REACH_MANY, p, 3, a, read_reach_of, sizeof(**out), 0, out, n);
}

static void read_offer_of(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_offer_row *r = dst;
    r->item_id = mq_rows_dup(rows, 0, a, oom);
    r->platform = mq_rows_dup(rows, 1, a, oom);
    r->url = mq_rows_dup(rows, 2, a, oom);
}

mq_err mq_store_monitor_offers_many(struct mq_db *db, struct mq_arena *a, const char *ids,
                                    const char *region, int64_t now, struct mq_offer_row **out,
                                    size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(ids), MQ_P_TEXT(region), MQ_P_INT(now)};
    return mq_db_query_list(db, &SQL_OFFERS_MANY, p, 3, a, read_offer_of, sizeof(**out), 0, out, n);
}

mq_err mq_store_monitor_platforms(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                  const char ***out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_PLATFORMS, p, 1, a, mq_read_text, sizeof(**out), 0, out, n);
}

/* ---- upcoming ---------------------------------------------------------------- */

#define WATCHED_SERIES(U)                                                                          \
    "(SELECT work_id FROM track_plays WHERE user_id = " U " AND kind = 'episode' AND work_id IS "  \
    "NOT NULL UNION SELECT target_id FROM track_follows WHERE user_id = " U " AND kind = "         \
    "'series')"

#define UPCOMING(VIS)                                                                              \
    "SELECT i.id, i.kind, i.title, i.release_date, (SELECT w.title FROM media_items s JOIN "       \
    "media_items w ON w.id = s.parent_id WHERE s.id = i.parent_id AND i.kind = 'episode'), "       \
    "CASE WHEN i.kind = 'episode' THEN (SELECT s.position FROM media_items s WHERE s.id = "        \
    "i.parent_id) END, CASE WHEN i.kind = 'episode' THEN i.position END, i.updated_at FROM "       \
    "media_items i WHERE i.deleted_at IS NULL AND i.release_date IS NOT NULL AND i.release_date "  \
    ">= $3 AND " VIS " AND " STORE_LEVEL_OK(                                                       \
        "$4",                                                                                      \
        "$5") " AND (i.id IN (SELECT r.from_id FROM media_relations r WHERE r.deleted_at "         \
              "IS NULL AND r.kind IN ('sequel_of', 'prequel_of', 'part_of', "                      \
              "'next_in_series') AND r.to_id IN " CONSUMED(                                        \
                  "$1") ") OR (i.kind = 'episode' AND i.parent_id IN (SELECT id FROM "             \
                        "media_items WHERE kind = 'season' AND parent_id IN " WATCHED_SERIES(      \
                            "$1") ")) OR i.id IN (SELECT ci.item_id FROM collection_items "        \
                                  "ci JOIN track_follows f ON f.target_id = "                      \
                                  "ci.collection_id WHERE f.user_id = $1 AND f.kind IN "           \
                                  "('collection', 'book_series')) OR i.id IN (SELECT "             \
                                  "c.item_id FROM media_credits c JOIN track_follows f ON "        \
                                  "f.target_id = c.person_id WHERE f.user_id = $1 AND "            \
                                  "f.kind = 'person')) AND i.id NOT IN " CONSUMED(                 \
                                      "$1") " AND (i.release_date > $6 OR (i.release_date "        \
                                            "= $6 AND i.id > $7)) ORDER BY i.release_date, "       \
                                            "i.id LIMIT $8"

static const struct mq_sql SQL_UPCOMING = {"monitor.upcoming", UPCOMING(STORE_VIS_LITE("$2")),
                                           UPCOMING(STORE_VIS_PG("$2"))};
static const struct mq_sql SQL_CAL_PUT = {
    "calendar_tokens.put",
    "INSERT INTO calendar_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) ON "
    "CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = "
    "excluded.created_at",
    NULL};
static const struct mq_sql SQL_CAL_DELETE = {
    "calendar_tokens.delete", "DELETE FROM calendar_tokens WHERE user_id = $1", NULL};
static const struct mq_sql SQL_CAL_OF = {
    "calendar_tokens.of", "SELECT created_at FROM calendar_tokens WHERE user_id = $1", NULL};
static const struct mq_sql SQL_CAL_USER = {
    "calendar_tokens.user", "SELECT user_id FROM calendar_tokens WHERE token_hash = $1", NULL};

static void read_upcoming(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_upcoming_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->kind = mq_rows_dup(rows, 1, a, oom);
    r->title = mq_rows_dup(rows, 2, a, oom);
    r->release_date = mq_rows_dup(rows, 3, a, oom);
    r->series_title = mq_rows_dup(rows, 4, a, oom);
    r->season = mq_rows_null(rows, 5) ? -1 : mq_rows_int(rows, 5);
    r->episode = mq_rows_null(rows, 6) ? -1 : mq_rows_int(rows, 6);
    r->updated_at = mq_rows_int(rows, 7);
}

mq_err mq_store_upcoming(struct mq_db *db, struct mq_arena *a, const struct mq_upcoming_query *q,
                         struct mq_upcoming_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(q->user_id),
                           MQ_P_TEXT(q->visible),
                           MQ_P_TEXT(q->from),
                           MQ_P_INT(q->max_level),
                           MQ_P_INT(q->block_unrated),
                           MQ_P_TEXT(q->after_date ? q->after_date : ""),
                           MQ_P_TEXT(q->after_id ? q->after_id : ""),
                           MQ_P_INT(q->limit)};
    return mq_db_query_list(db, &SQL_UPCOMING, p, 8, a, read_upcoming, sizeof(**out), 0, out, n);
}

mq_err mq_store_calendar_token_put(struct mq_db *db, const char *user_id, const char *hash,
                                   int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(hash), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_CAL_PUT, p, 3, NULL);
}

mq_err mq_store_calendar_token_delete(struct mq_db *db, const char *user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_exec_one(db, &SQL_CAL_DELETE, p, 1);
}

static void read_int(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    (void)a;
    (void)oom;
    *(int64_t *)dst = mq_rows_int(rows, 0);
}

mq_err mq_store_calendar_token_of(struct mq_db *db, const char *user_id, int64_t *created_at)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_one(db, &SQL_CAL_OF, p, 1, NULL, read_int, created_at);
}

mq_err mq_store_calendar_token_user(struct mq_db *db, struct mq_arena *a, const char *hash,
                                    const char **user_id)
{
    struct mq_param p[] = {MQ_P_TEXT(hash)};
    return mq_db_query_one(db, &SQL_CAL_USER, p, 1, a, mq_read_text, user_id);
}

/* ---- runs ------------------------------------------------------------------- */

#define RUNCOLS                                                                                    \
    "id, job_id, state, members, candidates, notified, relations_derived, error, started_at, "     \
    "finished_at"

static const struct mq_sql SQL_RUN_INSERT = {
    "monitor_runs.insert",
    "INSERT INTO monitor_runs (" RUNCOLS ") VALUES ($1, $2, $3, 0, 0, 0, 0, NULL, $4, NULL)", NULL};
static const struct mq_sql SQL_RUN_UPDATE = {
    "monitor_runs.update",
    "UPDATE monitor_runs SET state = $2, members = $3, candidates = $4, notified = $5, "
    "relations_derived = $6, error = $7, finished_at = $8 WHERE id = $1",
    NULL};
static const struct mq_sql SQL_RUNS = {"monitor_runs.list",
                                       "SELECT " RUNCOLS " FROM monitor_runs WHERE ($1 = '' OR "
                                       "id < $1) ORDER BY id DESC LIMIT $2",
                                       NULL};

static void read_run(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_monitor_run_row *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->job_id = mq_rows_dup(rows, 1, a, oom);
    r->state = mq_rows_dup(rows, 2, a, oom);
    r->members = mq_rows_int(rows, 3);
    r->candidates = mq_rows_int(rows, 4);
    r->notified = mq_rows_int(rows, 5);
    r->relations_derived = mq_rows_int(rows, 6);
    r->error = mq_rows_dup(rows, 7, a, oom);
    r->started_at = mq_rows_int(rows, 8);
    r->finished_at = mq_rows_null(rows, 9) ? 0 : mq_rows_int(rows, 9);
}

mq_err mq_store_monitor_run_insert(struct mq_db *db, const struct mq_monitor_run_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id), r->job_id ? MQ_P_TEXT(r->job_id) : MQ_P_NULL,
                           MQ_P_TEXT(r->state), MQ_P_INT(r->started_at)};
    return mq_db_exec(db, &SQL_RUN_INSERT, p, 4, NULL);
}

mq_err mq_store_monitor_run_update(struct mq_db *db, const struct mq_monitor_run_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),
                           MQ_P_TEXT(r->state),
                           MQ_P_INT(r->members),
                           MQ_P_INT(r->candidates),
                           MQ_P_INT(r->notified),
                           MQ_P_INT(r->relations_derived),
                           r->error ? MQ_P_TEXT(r->error) : MQ_P_NULL,
                           MQ_P_INT_OR_NULL(r->finished_at)};
    return mq_db_exec(db, &SQL_RUN_UPDATE, p, 8, NULL);
}

mq_err mq_store_monitor_runs(struct mq_db *db, struct mq_arena *a, const char *before, int limit,
                             struct mq_monitor_run_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(before ? before : ""), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_RUNS, p, 2, a, read_run, sizeof(**out), 0, out, n);
}
