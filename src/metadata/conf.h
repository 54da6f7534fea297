/* conf.h - the metadata providers' settings: where they are, the keys,
 * the language and region asked for, and how hard they may be called. */
#ifndef MQ_METADATA_CONF_H
#define MQ_METADATA_CONF_H

#include "core/config.h"

struct mq_metadata_conf {
    int metadata_enabled;       /* ask providers at all (off: names and NFO files only) */
    char *tmdb_api_key;         /* v3 key (query parameter), sealed */
    char *tmdb_read_token;      /* v4 read access token (bearer), sealed; wins over the key */
    char *tmdb_base_url;        /* https://api.themoviedb.org/3 */
    char *tmdb_image_base_url;  /* https://image.tmdb.org/t/p */
    char *openlibrary_base_url; /* https://openlibrary.org */
    char *openlibrary_covers_base_url; /* https://covers.openlibrary.org */
    char *metadata_language;           /* en-US */
    char *metadata_region;             /* US */
    int tmdb_rate_limit;               /* requests ... */
    long tmdb_rate_window;             /* ... per this many ms */
    int openlibrary_rate_limit;
    long openlibrary_rate_window;
    long metadata_timeout;   /* ms per request */
    int metadata_retries;    /* after the first try */
    int breaker_failures;    /* failures in a row that open the breaker */
    long breaker_cooldown;   /* ms it stays open */
    char *metadata_proxy;    /* http://proxy:3128, or unset */
    int allow_private;       /* may connect to loopback and private addresses */
    int match_threshold;     /* 0-100: confidence needed to match without review */
    long metadata_cache_ttl; /* ms a details response is kept */
    int catalog_sync;        /* pull upcoming films and airing series weekly */
    int metadata_images;     /* fetch provider pictures */
};

extern const struct mq_config_module mq_config_metadata;

static inline const struct mq_metadata_conf *mq_metadata_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_metadata);
}

#endif
