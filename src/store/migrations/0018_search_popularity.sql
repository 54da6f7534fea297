-- Search: the works by popularity alone, for autocomplete on SQLite to
-- walk the most popular first and stop at the ten best that match a
-- common word, instead of reading every match's row (store/search.c,
-- SQL_COMPLETE_WALK). PostgreSQL has it too, for one schema on both.
-- @both
CREATE INDEX search_docs_popularity ON search_docs (popularity);
