-- Search: the first letters' indexes carry the title without spaces too,
-- so that the titles starting with a common word ("the") are picked, most
-- popular first, from the index alone, without reading each title's row
-- to see whether it starts with all that was typed.
-- @both
DROP INDEX search_docs_p2;
DROP INDEX search_docs_p3;
DROP INDEX search_docs_p4;
DROP INDEX search_docs_p6;
CREATE INDEX search_docs_p2 ON search_docs (p2, popularity, title_compact);
CREATE INDEX search_docs_p3 ON search_docs (p3, popularity, title_compact);
CREATE INDEX search_docs_p4 ON search_docs (p4, popularity, title_compact);
CREATE INDEX search_docs_p6 ON search_docs (p6, popularity, title_compact);
