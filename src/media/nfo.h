/* nfo.h - Kodi and Jellyfin NFO files beside the media (movie.nfo,
 * tvshow.nfo, season.nfo, Name.nfo for a film or an episode), read as the
 * local metadata provider's details (metadata/provider.h has the
 * document). Run in the probe helper only, like every reader of outside
 * bytes: libxml2 parses without the network, without loading a DTD and
 * without substituting entities, and a document that declares entities
 * (the "billion laughs" and external-entity tricks) is refused whole.
 *
 * An NFO that is not XML but names a title page (a bare IMDb or TMDb URL,
 * as some tools write) gives that id. */
#ifndef MQ_MEDIA_NFO_H
#define MQ_MEDIA_NFO_H

#include <jansson.h>
#include <stddef.h>

#define MQ_NFO_MAX (1L << 20) /* bytes read of one file */

/* {"provider": "local", "kind": "movie" | "series" | "season" | "episode",
 *  "title", "original_title", "sort_title", "overview", "tagline", "year",
 *  "release_date", "runtime_min", "genres", "rating", "content_ratings":
 *  {"": "PG-13"}, "external_ids": {"tmdb", "imdb", "tvdb"}, "cast",
 *  "crew", "collection": {"name", "overview"}, "status", "season",
 *  "episode"} or {"error": "..."}. */
json_t *mq_nfo_parse(const char *text, size_t n);

/* Reads the open file (not closed) and parses it. */
json_t *mq_nfo_read(int fd);

#endif
