/* catalog_sql.h - the catalogue's SQL that more than one store file
 * shares: JSON lists as SQL, who may see an item, the rating level that
 * applies to it, and the item columns with their reader. Private to src/store/. Browsing
 * (catalog.c) and search (search.c) use the same check, so a search can
 * never show what browsing would not. */
#ifndef MQ_STORE_CATALOG_SQL_H
#define MQ_STORE_CATALOG_SQL_H

#include "store/store.h"

/* A JSON array parameter P as SQL: a list to test with IN, or a table
 * (alias j, column value) to join from. Joining from it, with CROSS JOIN
 * to hold SQLite to that order, is what to do when the list is matched
 * against a big table: asked "x IN (list)", SQLite cannot know the list
 * is short and may walk the table by another index instead. */
#define STORE_IDS_LITE(P)  "(SELECT value FROM json_each(" P "))"
#define STORE_IDS_PG(P)    "(SELECT jsonb_array_elements_text(" P "::jsonb))"
#define STORE_EACH_LITE(P) "json_each(" P ") j"
#define STORE_EACH_PG(P)   "jsonb_array_elements_text(" P "::jsonb) AS j(value)"

/* Item T (a table alias: media_items, or search_docs, which keeps the
 * same three columns) is in one of the libraries in the JSON array
 * parameter P, or in none (what only the catalogue knows). */
#define STORE_VIS_LITE_OF(T, P)                                                                    \
    "(" T ".library_id IS NULL OR " T ".library_id IN (SELECT value FROM json_each(" P ")))"
#define STORE_VIS_PG_OF(T, P)                                                                      \
    "(" T ".library_id IS NULL OR " T ".library_id IN (SELECT jsonb_array_elements_text(" P        \
    "::jsonb)))"
#define STORE_VIS_LITE(P) STORE_VIS_LITE_OF("i", P)
#define STORE_VIS_PG(P)   STORE_VIS_PG_OF("i", P)

/* The rating level that applies to T: its own, its parent's, its
 * grandparent's (an episode rated through its series); 0 = unrated. */
#define STORE_LEVEL_OF(T)                                                                          \
    "COALESCE(" T ".rating_level, (SELECT p.rating_level FROM media_items p WHERE p.id = " T       \
    ".parent_id), (SELECT g.rating_level FROM media_items p JOIN media_items g ON g.id = "         \
    "p.parent_id WHERE p.id = " T ".parent_id), 0)"
#define STORE_LEVEL STORE_LEVEL_OF("i")

/* Parental controls on T: MAX the highest level shown (0 = any), BLOCK
 * whether unrated works are left out. Without either, nothing is looked
 * up; with them, T's level is worked out once, between the two bounds. */
#define STORE_LEVEL_OK_OF(T, MAX, BLOCK)                                                           \
    "((" MAX " = 0 AND " BLOCK                                                                     \
    " = 0) OR " STORE_LEVEL_OF(T) " BETWEEN CASE WHEN " BLOCK                                      \
                                  " = 0 THEN 0 ELSE 1 END AND CASE WHEN " MAX                      \
                                  " = 0 THEN 2147483647 ELSE " MAX " END)"
#define STORE_LEVEL_OK(MAX, BLOCK) STORE_LEVEL_OK_OF("i", MAX, BLOCK)

/* The columns mq_store_read_item reads, in its order. */
#define STORE_ICOLS                                                                                \
    "i.id, i.library_id, i.kind, i.parent_id, i.match_key, i.position, i.position_end, i.title, "  \
    "i.sort_title, i.original_title, i.overview, i.year, i.release_date, i.runtime_min, "          \
    "i.content_rating_system, i.content_rating, i.rating, i.edition, i.external_ids, i.locked, "   \
    "i.quality, i.refreshed_at, i.added_at, i.updated_at, i.deleted_at, i.rating_level, "          \
    "i.origin, i.sources, i.details"
#define STORE_ICOLS_N 29

/* Reads STORE_ICOLS from column 0 into a struct mq_item_row. */
void mq_store_read_item(struct mq_rows *rows, struct mq_arena *a, void *dst, bool *oom);

#endif
