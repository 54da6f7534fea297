/* libcurl.h - libcurl, loaded at run time by the mail sender and the
 * metadata providers.
 *
 * Linking libcurl (with its Kerberos, LDAP, SSH and HTTP/2 dependencies)
 * costs every process about 5 MB of resident memory (bench/README.md) for
 * a few messages a day. So the binary does not link it: the first delivery
 * loads it with dlopen (core/dynlib.h). Only types and constants come from
 * curl/curl.h. */
#ifndef MQ_LIBCURL_H
#define MQ_LIBCURL_H

#include <curl/curl.h>

#include "core/err.h"

#define MQ_LIBCURL_SONAME "libcurl-gnutls.so.4"

struct mq_libcurl {
    void *handle;
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *curl);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
    curl_mime *(*mime_init)(CURL *curl);
    curl_mimepart *(*mime_addpart)(curl_mime *mime);
    CURLcode (*mime_data)(curl_mimepart *part, const char *data, size_t size);
    CURLcode (*mime_type)(curl_mimepart *part, const char *type);
    CURLcode (*mime_encoder)(curl_mimepart *part, const char *encoding);
    CURLcode (*mime_subparts)(curl_mimepart *part, curl_mime *subparts);
    void (*mime_free)(curl_mime *mime);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
};

/* Loads libcurl once per process (later calls return the first outcome),
 * resolves every function above and runs curl_global_init. On failure
 * returns NULL with a message in errbuf. */
const struct mq_libcurl *mq_libcurl_get(char *errbuf, size_t errlen);

#endif
