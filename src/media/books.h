/* books.h - what an e-book says about itself: an EPUB's package document
 * (title, authors, language, publisher, ISBN, series and its index, date,
 * description, cover), and a comic book archive's first picture as its
 * cover. Run in the probe helper only (media/probe.h), like libavformat:
 * a ZIP and its XML are anyone's bytes. libzip and libxml2 are loaded
 * there, at the first book. */
#ifndef MQ_MEDIA_BOOKS_H
#define MQ_MEDIA_BOOKS_H

#include <jansson.h>
#include <stddef.h>

#define MQ_BOOK_ENTRY_MAX (4L << 20)  /* bytes of container.xml or the OPF read */
#define MQ_BOOK_COVER_MAX (64L << 20) /* bytes of a cover picture */

/* The book's description: {"format": "epub", "title", "authors": [...],
 * "language", "publisher", "isbn", "series", "series_index", "date",
 * "description", "cover": "OEBPS/cover.jpg"} (members absent when the book
 * does not say), or {"error": "..."}. `fd` is the open file (not closed). */
json_t *mq_book_read(int fd);

/* Writes the cover's bytes (an EPUB's cover image, a CBZ's first
 * picture) to out. {"ok": true, "bytes": N} or {"error": "..."}. */
json_t *mq_book_cover(int fd, int out);

/* The parsing alone, over an OPF document in memory, for the fuzz driver:
 * the same description, without "format" and with "cover" the manifest
 * path as written. NULL when libxml2 cannot be loaded. */
json_t *mq_book_parse_opf(const char *xml, size_t n);

#endif
