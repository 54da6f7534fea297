#include "store/track.h"
#include "store/catalog_sql.h"

#define TEXT_OR_NULL(s)  ((s) ? MQ_P_TEXT(s) : MQ_P_NULL)
#define TEXT_OR_EMPTY(s) MQ_P_TEXT((s) ? (s) : "")

/* ---- progress -------------------------------------------------------- */

static const struct mq_sql SQL_ITEM = {
    "track.item",
    "SELECT i.id, i.kind, i.title, i.library_id, i.parent_id, "
    "CASE WHEN i.kind = 'episode' THEN COALESCE((SELECT s.parent_id FROM media_items s WHERE "
    "s.id = i.parent_id AND s.kind = 'season'), i.parent_id) WHEN i.kind = 'season' THEN "
    "i.parent_id ELSE i.id END, " STORE_LEVEL ", "
    "(SELECT MAX(f.duration_ms) FROM media_files f WHERE f.item_id = i.id AND f.role = 'main'), "
    "i.runtime_min, i.deleted_at FROM media_items i WHERE i.id = $1",
    NULL};

static void read_item(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_track_item *r = dst;
    r->id = mq_rows_dup(rows, 0, a, oom);
    r->kind = mq_rows_dup(rows, 1, a, oom);
    r->title = mq_rows_dup(rows, 2, a, oom);
    r->library_id = mq_rows_dup(rows, 3, a, oom);
    r->parent_id = mq_rows_dup(rows, 4, a, oom);
    r->work_id = mq_rows_dup(rows, 5, a, oom);
    r->level = mq_rows_int(rows, 6);
    r->file_ms = mq_rows_null(rows, 7) ? 0 : mq_rows_int(rows, 7);
    r->runtime_min = mq_rows_null(rows, 8) ? 0 : mq_rows_int(rows, 8);
    r->deleted_at = mq_rows_null(rows, 9) ? 0 : mq_rows_int(rows, 9);
}

mq_err mq_store_track_item(struct mq_db *db, struct mq_arena *a, const char *id,
                           struct mq_track_item *out)
{
    struct mq_param p[] = {MQ_P_TEXT(id)};
    return mq_db_query_one(db, &SQL_ITEM, p, 1, a, read_item, out);
}

#define PCOLS                                                                                      \
    "p.user_id, p.item_id, p.state, p.position_ms, p.duration_ms, p.progress, p.locator, "         \
    "p.device, p.reported_at, p.updated_at"
#define PCOLS_N 10

static const struct mq_sql SQL_PROGRESS_GET = {
    "track_progress.get",
    "SELECT " PCOLS " FROM track_progress p WHERE p.user_id = $1 AND p.item_id = $2", NULL};
/* The stored row stays when it was reported later than this one: the
 * device's clock orders reports, not their arrival. */
static const struct mq_sql SQL_PROGRESS_PUT = {
    "track_progress.put",
    "INSERT INTO track_progress (user_id, item_id, state, position_ms, duration_ms, progress, "
    "locator, device, reported_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (user_id, item_id) DO UPDATE SET state = excluded.state, position_ms = "
    "excluded.position_ms, duration_ms = excluded.duration_ms, progress = excluded.progress, "
    "locator = excluded.locator, device = excluded.device, reported_at = excluded.reported_at, "
    "updated_at = excluded.updated_at WHERE track_progress.reported_at <= excluded.reported_at",
    NULL};
static const struct mq_sql SQL_PROGRESS_DELETE = {
    "track_progress.delete", "DELETE FROM track_progress WHERE user_id = $1 AND item_id = $2",
    NULL};

static void read_progress_at(struct mq_rows *rows, int c, struct mq_arena *a,
                             struct mq_progress_row *r, bool *oom)
{
    r->user_id = mq_rows_dup(rows, c, a, oom);
    r->item_id = mq_rows_dup(rows, c + 1, a, oom);
    r->state = mq_rows_dup(rows, c + 2, a, oom);
    r->position_ms = mq_rows_int(rows, c + 3);
    r->duration_ms = mq_rows_null(rows, c + 4) ? 0 : mq_rows_int(rows, c + 4);
    r->progress = mq_rows_int(rows, c + 5);
    r->locator = mq_rows_dup(rows, c + 6, a, oom);
    r->device = mq_rows_dup(rows, c + 7, a, oom);
    r->reported_at = mq_rows_int(rows, c + 8);
    r->updated_at = mq_rows_int(rows, c + 9);
}

static void read_progress(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    read_progress_at(rows, 0, a, dst, oom);
}

mq_err mq_store_progress_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                             const char *item_id, struct mq_progress_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_query_one(db, &SQL_PROGRESS_GET, p, 2, a, read_progress, out);
}

mq_err mq_store_progress_put(struct mq_db *db, const struct mq_progress_row *r, bool *applied)
{
    struct mq_param p[] = {MQ_P_TEXT(r->user_id),
                           MQ_P_TEXT(r->item_id),
                           MQ_P_TEXT(r->state),
                           MQ_P_INT(r->position_ms),
                           MQ_P_INT_OR_NULL(r->duration_ms),
                           MQ_P_INT(r->progress),
                           TEXT_OR_NULL(r->locator),
                           TEXT_OR_NULL(r->device),
                           MQ_P_INT(r->reported_at),
                           MQ_P_INT(r->updated_at)};
    int64_t changes = 0;
    mq_err err = mq_db_exec(db, &SQL_PROGRESS_PUT, p, 10, &changes);
    *applied = !err && changes > 0;
    return err;
}

mq_err mq_store_progress_delete(struct mq_db *db, const char *user_id, const char *item_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_exec(db, &SQL_PROGRESS_DELETE, p, 2, NULL);
}

/* What a member may see of the catalogue: the libraries in $2 and the
 * parental limits $3 (highest level) and $4 (unrated left out). */
#define SEES(VIS) " AND i.deleted_at IS NULL AND " VIS " AND " STORE_LEVEL_OK("$3", "$4")

/* An episode's series title and season number. */
#define SEASON_OF(T)                                                                               \
    "(SELECT s.position FROM media_items s WHERE s.id = " T ".parent_id AND s.kind = 'season')"
#define WORK_TITLE_OF(T)                                                                           \
    "(SELECT COALESCE(w.title, s.title) FROM media_items s LEFT JOIN media_items w ON w.id = "     \
    "s.parent_id AND s.kind = 'season' WHERE s.id = " T ".parent_id)"

#define CONTINUE(VIS)                                                                              \
    "SELECT " STORE_ICOLS ", " PCOLS ", " WORK_TITLE_OF("i") ", " SEASON_OF(                       \
        "i") " FROM track_progress p JOIN media_items i ON i.id = p.item_id WHERE p.user_id = $1 " \
             "AND p.state = 'in_progress'" SEES(                                                   \
                 VIS) " AND ($5 = 0 OR (p.updated_at, p.item_id) < "                               \
                      "($6, $7)) ORDER BY p.updated_at DESC, "                                     \
                      "p.item_id DESC LIMIT $8"

static const struct mq_sql SQL_CONTINUE = {
    "track_progress.continue", CONTINUE(STORE_VIS_LITE("$2")), CONTINUE(STORE_VIS_PG("$2"))};

static void read_progress_item(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_progress_item *r = dst;
    mq_store_read_item(rows, a, &r->item, oom);
    read_progress_at(rows, STORE_ICOLS_N, a, &r->p, oom);
    r->work_title = mq_rows_dup(rows, STORE_ICOLS_N + PCOLS_N, a, oom);
    r->season = mq_rows_null(rows, STORE_ICOLS_N + PCOLS_N + 1)
                    ? -1
                    : mq_rows_int(rows, STORE_ICOLS_N + PCOLS_N + 1);
}

static void view_params(const struct mq_track_view *v, struct mq_param *p)
{
    p[0] = MQ_P_TEXT(v->user_id);
    p[1] = MQ_P_TEXT(v->visible_json);
    p[2] = MQ_P_INT(v->max_level);
    p[3] = MQ_P_INT(v->block_unrated);
}

mq_err mq_store_progress_list(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                              const struct mq_track_after *after, int limit,
                              struct mq_progress_item **out, size_t *n)
{
    struct mq_param p[8];
    view_params(v, p);
    p[4] = MQ_P_INT(after->has);
    p[5] = MQ_P_INT(after->key);
    p[6] = TEXT_OR_EMPTY(after->id);
    p[7] = MQ_P_INT(limit);
    return mq_db_query_list(db, &SQL_CONTINUE, p, 8, a, read_progress_item, sizeof(**out),
                            (size_t)limit, out, n);
}

/* ---- plays ----------------------------------------------------------- */

#define PLCOLS                                                                                     \
    "pl.id, pl.user_id, pl.item_id, pl.work_id, pl.kind, pl.title, pl.watched_at, "                \
    "pl.duration_ms, pl.source, pl.platform, pl.device, pl.dedup, pl.created_at"
#define PLCOLS_N 13

static const struct mq_sql SQL_PLAY_INSERT = {
    "track_plays.insert",
    "INSERT INTO track_plays (id, user_id, item_id, work_id, kind, title, watched_at, "
    "duration_ms, source, platform, device, dedup, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
    "$7, $8, $9, $10, $11, $12, $13) ON CONFLICT (user_id, dedup) DO NOTHING",
    NULL};
static const struct mq_sql SQL_PLAY_DELETE = {
    "track_plays.delete", "DELETE FROM track_plays WHERE user_id = $1 AND id = $2", NULL};
static const struct mq_sql SQL_PLAYS_FORGET = {
    "track_plays.forget", "DELETE FROM track_plays WHERE user_id = $1 AND item_id = $2", NULL};
static const struct mq_sql SQL_PLAYS_COUNT = {
    "track_plays.count", "SELECT COUNT(*) FROM track_plays WHERE user_id = $1 AND item_id = $2",
    NULL};

mq_err mq_store_play_insert(struct mq_db *db, const struct mq_play_row *r, bool *added)
{
    struct mq_param p[] = {MQ_P_TEXT(r->id),         MQ_P_TEXT(r->user_id),
                           TEXT_OR_NULL(r->item_id), TEXT_OR_NULL(r->work_id),
                           MQ_P_TEXT(r->kind),       MQ_P_TEXT(r->title),
                           MQ_P_INT(r->watched_at),  MQ_P_INT_OR_NULL(r->duration_ms),
                           MQ_P_TEXT(r->source),     MQ_P_TEXT(r->platform),
                           TEXT_OR_NULL(r->device),  TEXT_OR_NULL(r->dedup),
                           MQ_P_INT(r->created_at)};
    int64_t changes = 0;
    mq_err err = mq_db_exec(db, &SQL_PLAY_INSERT, p, 13, &changes);
    if (added) *added = !err && changes > 0;
    return err;
}

mq_err mq_store_play_delete(struct mq_db *db, const char *user_id, const char *id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(id)};
    return mq_db_exec_one(db, &SQL_PLAY_DELETE, p, 2);
}

mq_err mq_store_plays_forget(struct mq_db *db, const char *user_id, const char *item_id, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_exec(db, &SQL_PLAYS_FORGET, p, 2, n);
}

mq_err mq_store_plays_count(struct mq_db *db, const char *user_id, const char *item_id, int64_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_query_int(db, &SQL_PLAYS_COUNT, p, 2, n);
}

static const struct mq_sql SQL_HISTORY = {
    "track_plays.history",
    "SELECT " PLCOLS ", w.title, " SEASON_OF(
        "i") ", i.position FROM track_plays pl "
             "LEFT JOIN media_items w ON w.id = pl.work_id AND pl.work_id <> pl.item_id "
             "LEFT JOIN media_items i ON i.id = pl.item_id AND i.kind = 'episode' "
             "WHERE pl.user_id = $1 AND ($2 = '' OR pl.kind = $2) AND ($3 = '' OR pl.platform = "
             "$3) "
             "AND ($4 = '' OR pl.source = $4) AND (CAST($5 AS BIGINT) = 0 OR pl.watched_at >= $5) "
             "AND (CAST($6 AS BIGINT) = 0 OR pl.watched_at < $6) AND ($7 = 0 OR (pl.watched_at, "
             "pl.id) < ($8, $9)) "
             "ORDER BY pl.watched_at DESC, pl.id DESC LIMIT $10",
    NULL};

static void read_play_at(struct mq_rows *rows, int c, struct mq_arena *a, struct mq_play_row *r,
                         bool *oom)
{
    r->id = mq_rows_dup(rows, c, a, oom);
    r->user_id = mq_rows_dup(rows, c + 1, a, oom);
    r->item_id = mq_rows_dup(rows, c + 2, a, oom);
    r->work_id = mq_rows_dup(rows, c + 3, a, oom);
    r->kind = mq_rows_dup(rows, c + 4, a, oom);
    r->title = mq_rows_dup(rows, c + 5, a, oom);
    r->watched_at = mq_rows_int(rows, c + 6);
    r->duration_ms = mq_rows_null(rows, c + 7) ? 0 : mq_rows_int(rows, c + 7);
    r->source = mq_rows_dup(rows, c + 8, a, oom);
    r->platform = mq_rows_dup(rows, c + 9, a, oom);
    r->device = mq_rows_dup(rows, c + 10, a, oom);
    r->dedup = mq_rows_dup(rows, c + 11, a, oom);
    r->created_at = mq_rows_int(rows, c + 12);
}

static void read_history(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_history_row *r = dst;
    read_play_at(rows, 0, a, &r->play, oom);
    r->work_title = mq_rows_dup(rows, PLCOLS_N, a, oom);
    r->season = mq_rows_null(rows, PLCOLS_N + 1) ? -1 : mq_rows_int(rows, PLCOLS_N + 1);
    r->episode = mq_rows_null(rows, PLCOLS_N + 2) ? -1 : mq_rows_int(rows, PLCOLS_N + 2);
}

mq_err mq_store_history(struct mq_db *db, struct mq_arena *a, const struct mq_history_filter *f,
                        struct mq_history_row **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(f->user_id),      TEXT_OR_EMPTY(f->kind),
                           TEXT_OR_EMPTY(f->platform), TEXT_OR_EMPTY(f->source),
                           MQ_P_INT(f->from),          MQ_P_INT(f->to),
                           MQ_P_INT(f->after.has),     MQ_P_INT(f->after.key),
                           TEXT_OR_EMPTY(f->after.id), MQ_P_INT(f->limit)};
    return mq_db_query_list(db, &SQL_HISTORY, p, 10, a, read_history, sizeof(**out),
                            (size_t)f->limit, out, n);
}

static const struct mq_sql SQL_STAT_PLAYS = {
    "track_plays.stats",
    "SELECT pl.watched_at, COALESCE(pl.duration_ms, i.runtime_min * 60000, 0), pl.kind, "
    "pl.platform FROM track_plays pl LEFT JOIN media_items i ON i.id = pl.item_id "
    "WHERE pl.user_id = $1 ORDER BY pl.watched_at",
    NULL};

static void read_stat_play(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_stat_play *r = dst;
    r->watched_at = mq_rows_int(rows, 0);
    r->duration_ms = mq_rows_int(rows, 1);
    r->kind = mq_rows_dup(rows, 2, a, oom);
    r->platform = mq_rows_dup(rows, 3, a, oom);
}

mq_err mq_store_stat_plays(struct mq_db *db, struct mq_arena *a, const char *user_id,
                           struct mq_stat_play **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_STAT_PLAYS, p, 1, a, read_stat_play, sizeof(**out), 0, out, n);
}

static const struct mq_sql SQL_STAT_GENRES = {
    "track_plays.genres",
    "SELECT g.genre, COUNT(*) FROM track_plays pl JOIN media_genres g ON g.item_id = pl.work_id "
    "WHERE pl.user_id = $1 GROUP BY g.genre ORDER BY COUNT(*) DESC, g.genre LIMIT $2",
    NULL};
static const struct mq_sql SQL_STAT_STATUSES = {
    "track_library.statuses",
    "SELECT status, COUNT(*) FROM track_library WHERE user_id = $1 GROUP BY status "
    "ORDER BY status",
    NULL};

static void read_count(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_store_count *r = dst;
    r->name = mq_rows_dup(rows, 0, a, oom);
    r->n = mq_rows_int(rows, 1);
}

mq_err mq_store_stat_genres(struct mq_db *db, struct mq_arena *a, const char *user_id, int limit,
                            struct mq_store_count **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_STAT_GENRES, p, 2, a, read_count, sizeof(**out), (size_t)limit,
                            out, n);
}

mq_err mq_store_stat_statuses(struct mq_db *db, struct mq_arena *a, const char *user_id,
                              struct mq_store_count **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id)};
    return mq_db_query_list(db, &SQL_STAT_STATUSES, p, 1, a, read_count, sizeof(**out), 0, out, n);
}

/* ---- series ------------------------------------------------------------ */

/* Flags are CASE ... THEN 1 ELSE 0: PostgreSQL's EXISTS is a boolean,
 * which reads as text ("t"), not as a number. */
#define EPISODES(VIS)                                                                              \
    "SELECT " STORE_ICOLS ", COALESCE(s.position, 0), "                                            \
    "CASE WHEN EXISTS (SELECT 1 FROM track_plays pl WHERE pl.user_id = $1 AND pl.item_id = "       \
    "i.id) THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT 1 FROM media_files f WHERE f.item_id = "    \
    "i.id AND f.role = 'main' AND f.state = 'ok') THEN 1 ELSE 0 END "                              \
    "FROM media_items s JOIN media_items i ON i.parent_id = s.id "                                 \
    "WHERE (s.id = $5 OR s.parent_id = $5) AND s.kind = 'season' AND s.deleted_at IS NULL AND "    \
    "i.kind = 'episode'" SEES(VIS) " ORDER BY COALESCE(s.position, 0), COALESCE(i.position, 0), "  \
                                   "i.id"

static const struct mq_sql SQL_EPISODES = {"track.episodes", EPISODES(STORE_VIS_LITE("$2")),
                                           EPISODES(STORE_VIS_PG("$2"))};

static void read_episode(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_episode_row *r = dst;
    mq_store_read_item(rows, a, &r->item, oom);
    r->season = mq_rows_int(rows, STORE_ICOLS_N);
    r->watched = mq_rows_int(rows, STORE_ICOLS_N + 1) != 0;
    r->in_library = mq_rows_int(rows, STORE_ICOLS_N + 2) != 0;
}

mq_err mq_store_episodes(struct mq_db *db, struct mq_arena *a, const struct mq_track_view *v,
                         const char *parent_id, struct mq_episode_row **out, size_t *n)
{
    struct mq_param p[5];
    view_params(v, p);
    p[4] = MQ_P_TEXT(parent_id);
    return mq_db_query_list(db, &SQL_EPISODES, p, 5, a, read_episode, sizeof(**out), 0, out, n);
}

static const struct mq_sql SQL_SERIES_PLAYED = {
    "track_plays.series",
    "SELECT pl.work_id, MAX(pl.watched_at) FROM track_plays pl WHERE pl.user_id = $1 AND "
    "pl.kind = 'episode' AND pl.work_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM track_library "
    "l WHERE l.user_id = $1 AND l.item_id = pl.work_id AND l.status = 'dropped') "
    "GROUP BY pl.work_id HAVING ($2 = 0 OR (MAX(pl.watched_at), pl.work_id) < ($3, $4)) "
    "ORDER BY 2 DESC, 1 DESC LIMIT $5",
    NULL};

mq_err mq_store_series_played(struct mq_db *db, struct mq_arena *a, const char *user_id,
                              const struct mq_track_after *after, int limit,
                              struct mq_store_count **out, size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_INT(after->has), MQ_P_INT(after->key),
                           TEXT_OR_EMPTY(after->id), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_SERIES_PLAYED, p, 5, a, read_count, sizeof(**out),
                            (size_t)limit, out, n);
}

/* ---- the member's library -------------------------------------------- */

#define LCOLS                                                                                      \
    "l.user_id, l.item_id, l.status, l.platform, l.rating, l.notes, l.consumed_at, l.source, "     \
    "l.added_at, l.updated_at, l.activity_at"

static const struct mq_sql SQL_SHELF_GET = {
    "track_library.get",
    "SELECT " LCOLS " FROM track_library l WHERE l.user_id = $1 AND l.item_id = $2", NULL};
static const struct mq_sql SQL_SHELF_PUT = {
    "track_library.put",
    "INSERT INTO track_library (user_id, item_id, status, platform, rating, notes, consumed_at, "
    "source, added_at, updated_at, activity_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11) ON CONFLICT (user_id, item_id) DO UPDATE SET status = excluded.status, platform = "
    "excluded.platform, rating = excluded.rating, notes = excluded.notes, consumed_at = "
    "excluded.consumed_at, source = excluded.source, updated_at = excluded.updated_at, "
    "activity_at = excluded.activity_at",
    NULL};
static const struct mq_sql SQL_SHELF_DELETE = {
    "track_library.delete", "DELETE FROM track_library WHERE user_id = $1 AND item_id = $2", NULL};
/* Playing moves a planned or paused work to in_progress, finishing moves
 * anything to completed; a dropped work played again is in progress. */
static const struct mq_sql SQL_SHELF_TOUCH = {
    "track_library.touch",
    "INSERT INTO track_library (user_id, item_id, status, platform, rating, notes, consumed_at, "
    "source, added_at, updated_at, activity_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7, "
    "$7, $7) ON CONFLICT (user_id, item_id) DO UPDATE SET status = CASE WHEN excluded.status = "
    "'completed' OR (excluded.status = 'in_progress' AND track_library.status <> 'completed') "
    "THEN excluded.status ELSE track_library.status END, consumed_at = "
    "COALESCE(excluded.consumed_at, track_library.consumed_at), platform = "
    "COALESCE(track_library.platform, excluded.platform), activity_at = "
    "CASE WHEN excluded.activity_at > track_library.activity_at THEN excluded.activity_at ELSE "
    "track_library.activity_at END",
    NULL};

static void read_shelf_at(struct mq_rows *rows, int c, struct mq_arena *a, struct mq_shelf_row *r,
                          bool *oom)
{
    r->user_id = mq_rows_dup(rows, c, a, oom);
    r->item_id = mq_rows_dup(rows, c + 1, a, oom);
    r->status = mq_rows_dup(rows, c + 2, a, oom);
    r->platform = mq_rows_dup(rows, c + 3, a, oom);
    r->rating = mq_rows_null(rows, c + 4) ? 0 : mq_rows_int(rows, c + 4);
    r->notes = mq_rows_dup(rows, c + 5, a, oom);
    r->consumed_at = mq_rows_null(rows, c + 6) ? 0 : mq_rows_int(rows, c + 6);
    r->source = mq_rows_dup(rows, c + 7, a, oom);
    r->added_at = mq_rows_int(rows, c + 8);
    r->updated_at = mq_rows_int(rows, c + 9);
    r->activity_at = mq_rows_int(rows, c + 10);
}

static void read_shelf(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    read_shelf_at(rows, 0, a, dst, oom);
}

mq_err mq_store_shelf_get(struct mq_db *db, struct mq_arena *a, const char *user_id,
                          const char *item_id, struct mq_shelf_row *out)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_query_one(db, &SQL_SHELF_GET, p, 2, a, read_shelf, out);
}

mq_err mq_store_shelf_put(struct mq_db *db, const struct mq_shelf_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->user_id),
                           MQ_P_TEXT(r->item_id),
                           MQ_P_TEXT(r->status),
                           TEXT_OR_NULL(r->platform),
                           MQ_P_INT_OR_NULL(r->rating),
                           TEXT_OR_NULL(r->notes),
                           MQ_P_INT_OR_NULL(r->consumed_at),
                           MQ_P_TEXT(r->source),
                           MQ_P_INT(r->added_at),
                           MQ_P_INT(r->updated_at),
                           MQ_P_INT(r->activity_at)};
    return mq_db_exec(db, &SQL_SHELF_PUT, p, 11, NULL);
}

mq_err mq_store_shelf_delete(struct mq_db *db, const char *user_id, const char *item_id)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id)};
    return mq_db_exec_one(db, &SQL_SHELF_DELETE, p, 2);
}

mq_err mq_store_shelf_touch(struct mq_db *db, const struct mq_shelf_row *r)
{
    struct mq_param p[] = {MQ_P_TEXT(r->user_id),
                           MQ_P_TEXT(r->item_id),
                           MQ_P_TEXT(r->status),
                           TEXT_OR_NULL(r->platform),
                           MQ_P_INT_OR_NULL(r->consumed_at),
                           MQ_P_TEXT(r->source),
                           MQ_P_INT(r->activity_at)};
    return mq_db_exec(db, &SQL_SHELF_TOUCH, p, 7, NULL);
}

static const struct mq_sql SQL_SHELF_RATE = {
    "track_library.rate",
    "UPDATE track_library SET rating = $3, updated_at = $4 WHERE user_id = $1 AND item_id = $2",
    NULL};

mq_err mq_store_shelf_rate(struct mq_db *db, const char *user_id, const char *item_id,
                           int64_t rating, int64_t now)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), MQ_P_TEXT(item_id), MQ_P_INT(rating), MQ_P_INT(now)};
    return mq_db_exec(db, &SQL_SHELF_RATE, p, 4, NULL);
}

#define SHELF_FILTERS(VIS)                                                                         \
    " FROM track_library l JOIN media_items i ON i.id = l.item_id WHERE l.user_id = $1" SEES(      \
        VIS) " AND ($5 = '' OR l.status = $5) AND ($6 = '' OR i.kind = $6) AND ($7 = '' OR "       \
             "l.platform = "                                                                       \
             "$7) AND ($8 = '' OR l.source = $8) AND ($9 = 0 OR l.rating >= $9)"
#define SHELF(VIS, KEY, DIR, CMP)                                                                  \
    "SELECT " STORE_ICOLS ", " LCOLS SHELF_FILTERS(VIS) " AND ($10 = 0 OR (" KEY                   \
                                                        ", l.item_id) " CMP                        \
                                                        " ($11, $12)) ORDER BY " KEY " " DIR       \
                                                        ", l.item_id " DIR " LIMIT $13"
#define SHELF_SQL(name, KEY, DIR, CMP)                                                             \
    {                                                                                              \
        name, SHELF(STORE_VIS_LITE("$2"), KEY, DIR, CMP), SHELF(STORE_VIS_PG("$2"), KEY, DIR, CMP) \
    }

/* In the order of enum mq_shelf_sort. */
static const struct mq_sql SQL_SHELF_LIST[] = {
    SHELF_SQL("track_library.list_activity", "l.activity_at", "DESC", "<"),
    SHELF_SQL("track_library.list_title", "i.sort_title", "ASC", ">"),
    SHELF_SQL("track_library.list_added", "l.added_at", "DESC", "<"),
    SHELF_SQL("track_library.list_rating", "COALESCE(l.rating, 0)", "DESC", "<"),
};

static void read_shelf_item(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_shelf_item *r = dst;
    mq_store_read_item(rows, a, &r->item, oom);
    read_shelf_at(rows, STORE_ICOLS_N, a, &r->e, oom);
}

mq_err mq_store_shelf_list(struct mq_db *db, struct mq_arena *a, const struct mq_shelf_filter *f,
                           struct mq_shelf_item **out, size_t *n)
{
    struct mq_param p[13];
    view_params(&f->view, p);
    p[4] = TEXT_OR_EMPTY(f->status);
    p[5] = TEXT_OR_EMPTY(f->kind);
    p[6] = TEXT_OR_EMPTY(f->platform);
    p[7] = TEXT_OR_EMPTY(f->source);
    p[8] = MQ_P_INT(f->min_rating);
    p[9] = MQ_P_INT(f->after.has);
    p[10] = f->sort == MQ_SHELF_TITLE ? TEXT_OR_EMPTY(f->after.text) : MQ_P_INT(f->after.key);
    p[11] = TEXT_OR_EMPTY(f->after.id);
    p[12] = MQ_P_INT(f->limit);
    return mq_db_query_list(db, &SQL_SHELF_LIST[f->sort], p, 13, a, read_shelf_item, sizeof(**out),
                            (size_t)f->limit, out, n);
}

/* ---- a member's export ---------------------------------------------------- */

static const struct mq_sql SQL_EXPORT_LIBRARY = {
    "track_library.export",
    "SELECT " LCOLS ", i.title, i.kind FROM track_library l JOIN media_items i ON i.id = l.item_id "
    "WHERE l.user_id = $1 AND l.item_id > $2 ORDER BY l.item_id LIMIT $3",
    NULL};
static const struct mq_sql SQL_EXPORT_PROGRESS = {
    "track_progress.export",
    "SELECT " PCOLS ", i.title, i.kind FROM track_progress p JOIN media_items i ON i.id = "
    "p.item_id WHERE p.user_id = $1 AND p.item_id > $2 ORDER BY p.item_id LIMIT $3",
    NULL};

static void read_export_library(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_export_entry *r = dst;
    read_shelf_at(rows, 0, a, &r->e, oom);
    r->title = mq_rows_dup(rows, 11, a, oom);
    r->kind = mq_rows_dup(rows, 12, a, oom);
}

static void read_export_progress(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom)
{
    struct mq_export_entry *r = dst;
    read_progress_at(rows, 0, a, &r->p, oom);
    r->title = mq_rows_dup(rows, PCOLS_N, a, oom);
    r->kind = mq_rows_dup(rows, PCOLS_N + 1, a, oom);
}

mq_err mq_store_export_library(struct mq_db *db, struct mq_arena *a, const char *user_id,
                               const char *after_item, int limit, struct mq_export_entry **out,
                               size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), TEXT_OR_EMPTY(after_item), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_EXPORT_LIBRARY, p, 3, a, read_export_library, sizeof(**out),
                            (size_t)limit, out, n);
}

mq_err mq_store_export_progress(struct mq_db *db, struct mq_arena *a, const char *user_id,
                                const char *after_item, int limit, struct mq_export_entry **out,
                                size_t *n)
{
    struct mq_param p[] = {MQ_P_TEXT(user_id), TEXT_OR_EMPTY(after_item), MQ_P_INT(limit)};
    return mq_db_query_list(db, &SQL_EXPORT_PROGRESS, p, 3, a, read_export_progress, sizeof(**out),
                            (size_t)limit, out, n);
}
