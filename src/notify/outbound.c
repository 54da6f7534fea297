#include "notify/outbound.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "core/libcurl.h"
#include "core/netlist.h"
#include "notify/conf.h"

#define URL_MAX    2048
#define ANSWER_MAX 4096 /* bytes of an answer kept for the delivery log */

struct guard {
    struct mq_netlist internal;
    const struct mq_netlist *allowed;
    bool refused;
    char address[MQ_IP_TEXT];
    struct mq_buf answer;
};

static bool refused_ip(const struct guard *g, const struct mq_ip *ip)
{
    return mq_netlist_contains(&g->internal, ip) && !mq_netlist_contains(g->allowed, ip);
}

/* Every connection passes here after name resolution. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct guard *g = arg;
    struct mq_ip ip;
    (void)purpose;
    if (!mq_ip_of_sockaddr(&addr->addr, &ip) || refused_ip(g, &ip)) {
        if (ip.family) mq_ip_text(&ip, g->address);
        g->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct guard *g = arg;
    size_t len = size * n, room = ANSWER_MAX - g->answer.len;
    /* The rest is read and dropped: only the start is kept, for the log. */
    if (room && mq_buf_add(&g->answer, p, len < room ? len : room)) return len;
    return len;
}

mq_err mq_outbound_post(struct mq_ctx *ctx, struct mq_arena *a, const struct mq_outbound_request *r,
                        struct mq_outbound_response *out, char *why, size_t whylen)
{
    const struct mq_notify_conf *c = mq_notify_conf(ctx->cfg);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct guard g = {.allowed = &c->allowed_networks.nets};
    struct curl_slist *headers = NULL;
    mq_err err = MQ_ENOMEM;
    memset(out, 0, sizeof(*out));
    snprintf(why, whylen, "out of memory");
    const struct mq_libcurl *lc = mq_libcurl_get(why, whylen);
    if (!lc) return MQ_EUNAVAILABLE;
    CURL *curl = lc->easy_init();
    if (!curl) return MQ_ENOMEM;
    mq_netlist_internal(&g.internal);
    mq_buf_init(&g.answer, ANSWER_MAX + 1);

    char type[128];
    snprintf(type, sizeof(type), "Content-Type: %s", r->content_type);
    struct curl_slist *h = lc->slist_append(NULL, type);
    if (!h) goto cleanup;
    headers = h;
    for (size_t i = 0; r->headers && r->headers[i]; i++) {
        if (!(h = lc->slist_append(headers, r->headers[i]))) goto cleanup;
        headers = h;
    }
    /* No "Expect: 100-continue" round trip for small bodies. */
    if (!(h = lc->slist_append(headers, "Expect:"))) goto cleanup;
    headers = h;

    lc->easy_setopt(curl, CURLOPT_URL, r->url);
    lc->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    lc->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    lc->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    lc->easy_setopt(curl, CURLOPT_PROXY, ""); /* not the environment's */
    lc->easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout);
    lc->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout < 10000 ? c->timeout : 10000L);
    lc->easy_setopt(curl, CURLOPT_USERAGENT, "Marquee/" MQ_VERSION);
    lc->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    lc->easy_setopt(curl, CURLOPT_POSTFIELDS, r->body);
    lc->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    lc->easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    lc->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    lc->easy_setopt(curl, CURLOPT_WRITEDATA, &g);
    lc->easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    lc->easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &g);

    CURLcode rc = lc->easy_perform(curl);
    lc->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    if (g.refused) {
        snprintf(why, whylen,
                 "refused to connect to %s, an internal address (notify_allowed_networks does "
                 "not allow it)",
                 g.address[0] ? g.address : "an address");
        err = MQ_EPERM;
    } else if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", errbuf[0] ? errbuf : lc->easy_strerror(rc));
        err = MQ_EUNAVAILABLE;
    } else {
        out->len = g.answer.len;
        out->body = mq_arena_strndup(a, g.answer.data ? g.answer.data : "", g.answer.len);
        err = out->body ? MQ_OK : MQ_ENOMEM;
        snprintf(why, whylen, "HTTP %ld", out->status);
    }

cleanup:
    lc->slist_free_all(headers);
    lc->easy_cleanup(curl);
    mq_buf_cleanup(&g.answer);
    return err;
}

static bool localhost_name(const char *host)
{
    size_t n = strlen(host);
    if (n && host[n - 1] == '.') n--; /* "localhost." */
    return (n == 9 && !strncasecmp(host, "localhost", 9)) ||
           (n > 10 && !strncasecmp(host + n - 10, ".localhost", 10));
}

bool mq_outbound_url_valid(const struct mq_ctx *ctx, const char *url, const char **why)
{
    char errbuf[160];
    bool ok = false;
    *why = "an http or https URL of at most 2048 bytes, with a host";
    if (!url || strlen(url) > URL_MAX ||
        (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f) return false;
    const struct mq_libcurl *lc = mq_libcurl_get(errbuf, sizeof(errbuf));
    if (!lc) {
        *why = "URLs cannot be checked: libcurl is not available";
        return false;
    }
    CURLU *u = lc->url();
    char *host = NULL, *fragment = NULL;
    if (!u || lc->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        lc->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host)
        goto done;
    if (lc->url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK && fragment) {
        *why = "a URL without a #fragment";
        goto done;
    }
    /* A literal address, or localhost by name, is refused now; names are
     * checked again at each connection. */
    size_t n = strlen(host);
    const char *literal = host;
    if (host[0] == '[' && n > 2) {
        literal = host + 1;
        n -= 2;
    }
    struct mq_ip ip;
    struct mq_netlist internal;
    mq_netlist_internal(&internal);
    const struct mq_netlist *allowed = &mq_notify_conf(ctx->cfg)->allowed_networks.nets;
    if ((mq_ip_parse(literal, n, &ip) && mq_netlist_contains(&internal, &ip) &&
         !mq_netlist_contains(allowed, &ip)) ||
        (localhost_name(host) && !allowed->n)) {
        *why = "the URL points at a loopback, private or link-local address, which "
               "notify_allowed_networks does not allow";
        goto done;
    }
    ok = true;
done:
    if (host) lc->free(host);
    if (fragment) lc->free(fragment);
    if (u) lc->url_cleanup(u);
    return ok;
}

const char *mq_outbound_url_host(struct mq_arena *a, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@'), *end = p + strcspn(p, "/?#");
    if (at && at < end) p = at + 1; /* never the credentials */
    return mq_arena_strndup(a, p, (size_t)(p <= end ? end - p : 0));
}
