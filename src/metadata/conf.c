#include "metadata/conf.h"

#include <string.h>

#define OFF(f) offsetof(struct mq_metadata_conf, f)

static bool http_url_valid(const char *s, size_t n, const char **why)
{
    if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) {
        *why = "must be an http:// or https:// URL";
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ') {
            *why = "must not contain spaces or control characters";
            return false;
        }
    if (n && s[n - 1] == '/') {
        *why = "must not end with a slash";
        return false;
    }
    return true;
}

static bool token_valid(const char *s, size_t n, const char **why)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
            *why = "must be printable ASCII without spaces";
            return false;
        }
    return true;
}

/* "en-US", "de", "pt-BR": ISO 639-1, then an optional ISO 3166-1 region. */
static bool language_valid(const char *s, size_t n, const char **why)
{
    bool ok = (n == 2 || n == 5) && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
    if (ok && n == 5) ok = s[2] == '-' && s[3] >= 'A' && s[3] <= 'Z' && s[4] >= 'A' && s[4] <= 'Z';
    if (!ok) *why = "must be a language such as en, en-US or pt-BR";
    return ok;
}

static bool region_valid(const char *s, size_t n, const char **why)
{
    bool ok = n == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
    if (!ok) *why = "must be an ISO 3166-1 country code such as US or DE";
    return ok;
}

static const struct mq_setting settings[] = {
    {"metadata_enabled", MQ_SETTING_BOOL, OFF(metadata_enabled), "true", NULL, 0, 0, MQ_CONFIG_LIVE,
     NULL, NULL,
     "identify new works with the metadata providers after each scan (off: file names and NFO "
     "files only; nothing is sent anywhere)"},
    {"tmdb_api_key", MQ_SETTING_STRING, OFF(tmdb_api_key), NULL, NULL, 0, 256,
     MQ_CONFIG_SECRET | MQ_CONFIG_LIVE, NULL, token_valid,
     "TMDb API v3 key (themoviedb.org, Settings > API); sealed at rest and shown masked; films "
     "and series are identified only with this or tmdb_read_token"},
    {"tmdb_read_token", MQ_SETTING_STRING, OFF(tmdb_read_token), NULL, NULL, 0, 1024,
     MQ_CONFIG_SECRET | MQ_CONFIG_LIVE, NULL, token_valid,
     "TMDb API read access token (v4 auth, sent as a bearer token); used instead of "
     "tmdb_api_key when set"},
    {"tmdb_base_url", MQ_SETTING_URL, OFF(tmdb_base_url), "https://api.themoviedb.org/3", NULL, 0,
     2048, MQ_CONFIG_LIVE, NULL, http_url_valid, "TMDb API v3 base URL"},
    {"tmdb_image_base_url", MQ_SETTING_URL, OFF(tmdb_image_base_url), "https://image.tmdb.org/t/p",
     NULL, 0, 2048, MQ_CONFIG_LIVE, NULL, http_url_valid,
     "where TMDb's pictures are fetched from (a size and the picture's path follow)"},
    {"openlibrary_base_url", MQ_SETTING_URL, OFF(openlibrary_base_url), "https://openlibrary.org",
     NULL, 0, 2048, MQ_CONFIG_LIVE, NULL, http_url_valid, "Open Library base URL"},
    {"openlibrary_covers_base_url", MQ_SETTING_URL, OFF(openlibrary_covers_base_url),
     "https://covers.openlibrary.org", NULL, 0, 2048, MQ_CONFIG_LIVE, NULL, http_url_valid,
     "Open Library's cover server"},
    {"metadata_language", MQ_SETTING_STRING, OFF(metadata_language), "en-US", NULL, 0, 5,
     MQ_CONFIG_LIVE, NULL, language_valid,
     "language of titles and overviews asked of providers (en-US, de-DE, fr)"},
    {"metadata_region", MQ_SETTING_STRING, OFF(metadata_region), "US", NULL, 0, 2, MQ_CONFIG_LIVE,
     NULL, region_valid,
     "country whose content rating is kept first and whose streaming services are listed"},
    {"tmdb_rate_limit", MQ_SETTING_INT, OFF(tmdb_rate_limit), "40", NULL, 1, 100000, MQ_CONFIG_LIVE,
     NULL, NULL, "requests to TMDb per tmdb_rate_window, shared by every job of this server"},
    {"tmdb_rate_window", MQ_SETTING_DURATION, OFF(tmdb_rate_window), "10s", NULL, 100, 3600000,
     MQ_CONFIG_LIVE, NULL, NULL, "the window tmdb_rate_limit counts over"},
    {"openlibrary_rate_limit", MQ_SETTING_INT, OFF(openlibrary_rate_limit), "1", NULL, 1, 100000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "requests to Open Library per openlibrary_rate_window (it asks for about one a second)"},
    {"openlibrary_rate_window", MQ_SETTING_DURATION, OFF(openlibrary_rate_window), "1s", NULL, 100,
     3600000, MQ_CONFIG_LIVE, NULL, NULL, "the window openlibrary_rate_limit counts over"},
    {"metadata_timeout", MQ_SETTING_DURATION, OFF(metadata_timeout), "15s", NULL, 500, 300000,
     MQ_CONFIG_LIVE, NULL, NULL, "longest one request to a provider may take"},
    {"metadata_retries", MQ_SETTING_INT, OFF(metadata_retries), "3", NULL, 0, 10, MQ_CONFIG_LIVE,
     NULL, NULL,
     "tries after the first on 429, 5xx and network errors, with exponential backoff and jitter "
     "(a Retry-After header is honoured)"},
    {"metadata_breaker_failures", MQ_SETTING_INT, OFF(breaker_failures), "5", NULL, 1, 1000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "failed requests in a row after which a provider is not called for "
     "metadata_breaker_cooldown"},
    {"metadata_breaker_cooldown", MQ_SETTING_DURATION, OFF(breaker_cooldown), "60s", NULL, 1000,
     86400000, MQ_CONFIG_LIVE, NULL, NULL,
     "how long a failing provider rests before one request tries it again"},
    {"metadata_proxy", MQ_SETTING_URL, OFF(metadata_proxy), NULL, NULL, 0, 2048,
     MQ_CONFIG_SECRET | MQ_CONFIG_LIVE, NULL, http_url_valid,
     "HTTP proxy for requests to providers (http://[user:pass@]host:port); unset = direct"},
    {"metadata_allow_private", MQ_SETTING_BOOL, OFF(allow_private), "false", NULL, 0, 0,
     MQ_CONFIG_LIVE, NULL, NULL,
     "let provider requests (and their redirects) reach loopback, private and link-local "
     "addresses: for a provider mirror or cache on the local network; off, such a connection is "
     "refused after name resolution"},
    {"metadata_match_threshold", MQ_SETTING_INT, OFF(match_threshold), "80", NULL, 1, 100,
     MQ_CONFIG_LIVE, NULL, NULL,
     "confidence (percent) a search result needs to be taken without review; below it the work "
     "waits in the unidentified queue with its candidates"},
    {"metadata_cache_ttl", MQ_SETTING_DURATION, OFF(metadata_cache_ttl), "7d", NULL, 0,
     90L * 86400000, MQ_CONFIG_LIVE, NULL, NULL,
     "how long a provider's details are reused before they are asked again (searches: a day)"},
    {"metadata_catalog_sync", MQ_SETTING_BOOL, OFF(catalog_sync), "false", NULL, 0, 0,
     MQ_CONFIG_LIVE, NULL, NULL,
     "weekly, add TMDb's upcoming films and series on the air to the catalogue (as works no file "
     "backs), so imports and the calendar know recent titles"},
    {"metadata_images", MQ_SETTING_BOOL, OFF(metadata_images), "true", NULL, 0, 0, MQ_CONFIG_LIVE,
     NULL, NULL,
     "fetch posters, backdrops, logos, stills and photos from providers once and keep them "
     "(off: local pictures only)"},
};

const struct mq_config_module mq_config_metadata = {.name = "metadata",
                                                    .rank = 67,
                                                    .size = sizeof(struct mq_metadata_conf),
                                                    .settings = settings,
                                                    .nsettings = MQ_CONFIG_COUNT(settings)};
