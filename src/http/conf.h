/* conf.h - the HTTP server's settings: where it listens, its limits and
 * timeouts, TLS, which browsers' origins and which proxies it trusts, the
 * request rate per address and per user, and the bootstrap admin token. */
#ifndef MQ_HTTP_CONF_H
#define MQ_HTTP_CONF_H

#include "core/config.h"

struct mq_http_conf {
    struct mq_conf_address listen;
    int threads; /* worker threads; 0 = one per CPU */
    int max_connections;
    int max_connections_per_ip; /* 0 = no per-address cap */
    int connection_reserve;     /* slots kept for addresses holding none */
    long max_body;              /* bytes */
    long max_header;            /* bytes, all header lines together */
    int idle_timeout;           /* seconds of silence before a connection is closed */
    int header_timeout;         /* seconds to deliver a complete request head */
    int request_timeout;        /* seconds for head and body together */
    int upload_timeout;         /* the same on upload routes */
    long min_body_rate;         /* bytes a second after body_grace; 0 = none */
    int body_grace;             /* seconds */
    char *tls_cert, *tls_key;
    struct mq_conf_list cors_origins;
    struct mq_conf_nets trusted_proxies; /* whose X-Forwarded-For counts */
    struct mq_conf_rate rate_default;    /* per client address and per user, on /api/ */
    int ipv6_prefix;                     /* bits naming one IPv6 client */
    char *admin_token; /* bootstrap token for the admin API; NULL or "" = closed */
    char *web_dir;     /* the built web app; NULL = beside the binary (http/webapp.h) */
};

extern const struct mq_config_module mq_config_http;

static inline const struct mq_http_conf *mq_http_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_http);
}

/* Whether the server speaks TLS (a certificate is configured). */
static inline bool mq_http_tls(const struct mq_config *cfg)
{
    const struct mq_http_conf *c = mq_http_conf(cfg);
    return c->tls_cert && *c->tls_cert;
}

#endif
