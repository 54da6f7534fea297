/* openlibrary.h - Open Library (openlibrary.org) for books and audiobooks:
 * works, the editions an ISBN names, authors and covers (provider.h has the
 * interface). No key is needed; it asks for about one request a second, so
 * its limiter defaults to that.
 *
 * The mapping from its JSON is pure, for the fuzz driver
 * (tests/fuzz/openlibrary_fuzz.c). */
#ifndef MQ_METADATA_OPENLIBRARY_H
#define MQ_METADATA_OPENLIBRARY_H

#include <jansson.h>
#include <stdbool.h>

/* A search.json answer's docs as candidates ({"id", "kind", "title",
 * "year", "author", "poster", "popularity"}), at most max. */
json_t *mq_openlibrary_results(const json_t *ol, const char *kind, size_t max);
/* A work (and its first author's record, or NULL) as a details document. */
json_t *mq_openlibrary_work_doc(const json_t *work, const char *kind, const json_t *author);
/* "OL893414W" from "/works/OL893414W"; kind is the key's last letter (W
 * work, A author, M edition). */
bool mq_openlibrary_key(const char *s, char kind, char out[24]);

#endif
