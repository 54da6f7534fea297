#include "core/libcurl.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/dynlib.h"

#define SYM(name, field) MQ_DYNSYM(struct mq_libcurl, name, field)

static const struct mq_dynsym symbols[] = {
    SYM("curl_global_init", global_init),
    SYM("curl_easy_init", easy_init),
    SYM("curl_easy_setopt", easy_setopt),
    SYM("curl_easy_perform", easy_perform),
    SYM("curl_easy_getinfo", easy_getinfo),
    SYM("curl_easy_strerror", easy_strerror),
    SYM("curl_easy_cleanup", easy_cleanup),
    SYM("curl_slist_append", slist_append),
    SYM("curl_slist_free_all", slist_free_all),
    SYM("curl_mime_init", mime_init),
    SYM("curl_mime_addpart", mime_addpart),
    SYM("curl_mime_data", mime_data),
    SYM("curl_mime_type", mime_type),
    SYM("curl_mime_encoder", mime_encoder),
    SYM("curl_mime_subparts", mime_subparts),
    SYM("curl_mime_free", mime_free),
    SYM("curl_url", url),
    SYM("curl_url_set", url_set),
    SYM("curl_url_get", url_get),
    SYM("curl_url_cleanup", url_cleanup),
    SYM("curl_free", free),
};

/* Like curl_global_init itself, this is process-wide and never undone.
 * It runs on a job worker while other threads exist: libcurl from 7.84 on
 * (Debian 12 has 7.88) makes curl_global_init thread-safe. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct mq_libcurl curl;
static char why[256];
static bool loaded;

static void load(void)
{
    if (mq_dynlib_load(MQ_LIBCURL_SONAME, "libcurl3-gnutls", symbols,
                       sizeof(symbols) / sizeof(symbols[0]), &curl, &curl.handle, why, sizeof(why)))
        return;
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(why, sizeof(why), "curl_global_init failed");
        return;
    }
    loaded = true;
}

const struct mq_libcurl *mq_libcurl_get(char *errbuf, size_t errlen)
{
    pthread_once(&once, load);
    if (loaded) return &curl;
    snprintf(errbuf, errlen, "%s", why);
    return NULL;
}
