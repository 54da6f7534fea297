#include "http/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system/conf.h"

#define OFF(f) offsetof(struct mq_http_conf, f)

static const struct mq_setting settings[] = {
    {"listen", MQ_SETTING_ADDRESS, OFF(listen), "127.0.0.1:8096", NULL, 0, 0, 0, NULL, NULL,
     "address and port to listen on; [::1]:8096 for IPv6, 0.0.0.0:8096 for all interfaces, "
     "port 0 picks a free one (logged)"},
    {"http_threads", MQ_SETTING_INT, OFF(threads), "0", NULL, 0, 256, 0, NULL, NULL,
     "HTTP worker threads (0 = one per CPU)"},
    {"http_max_connections", MQ_SETTING_INT, OFF(max_connections), "1024", NULL, 1, 65536, 0, NULL,
     NULL, "open connections accepted at once"},
    {"http_max_connections_per_ip", MQ_SETTING_INT, OFF(max_connections_per_ip), "64", NULL, 0,
     65536, 0, NULL, NULL,
     "open connections per client address (IPv6: per rate_limit_ipv6_prefix network); peers in "
     "trusted_proxies are exempt, so bound clients at the proxy (0 = no cap)"},
    {"http_connection_reserve", MQ_SETTING_INT, OFF(connection_reserve), "64", NULL, 0, 65535, 0,
     NULL, NULL,
     "connection slots kept for new clients: once fewer are free, an address that already holds "
     "a connection gets no other (at most an eighth of http_max_connections)"},
    {"http_max_body", MQ_SETTING_SIZE, OFF(max_body), "1MiB", NULL, 1024, 1L << 30, 0, NULL, NULL,
     "largest request body accepted (413 above); sizes take KiB, MiB, GiB, kB, MB"},
    {"http_max_header", MQ_SETTING_SIZE, OFF(max_header), "16KiB", NULL, 1024, 1L << 20, 0, NULL,
     NULL, "largest request head accepted, all header lines together (431 above)"},
    {"http_idle_timeout", MQ_SETTING_INT, OFF(idle_timeout), "30", NULL, 1, 3600, 0, NULL, NULL,
     "seconds a connection may stay silent before it is closed"},
    {"http_header_timeout", MQ_SETTING_INT, OFF(header_timeout), "10", NULL, 1, 3600, 0, NULL, NULL,
     "seconds a client has to send a complete request head, counted from connect or from the "
     "previous response; also the keep-alive idle limit"},
    {"http_request_timeout", MQ_SETTING_INT, OFF(request_timeout), "60", NULL, 1, 86400, 0, NULL,
     NULL,
     "seconds a client has to send a whole request, head and body, counted like "
     "http_header_timeout"},
    {"http_upload_timeout", MQ_SETTING_INT, OFF(upload_timeout), "600", NULL, 1, 86400, 0, NULL,
     NULL, "the same for routes that take uploads (avatars, imports)"},
    {"http_min_body_rate", MQ_SETTING_SIZE, OFF(min_body_rate), "1KiB", NULL, 0, 1L << 30, 0, NULL,
     NULL,
     "bytes a second a request body must average once http_body_grace has passed; slower "
     "clients are cut off (0 = no minimum)"},
    {"http_body_grace", MQ_SETTING_INT, OFF(body_grace), "10", NULL, 1, 3600, 0, NULL, NULL,
     "seconds of a body's start that http_min_body_rate does not judge"},
    {"tls_cert", MQ_SETTING_STRING, OFF(tls_cert), NULL, NULL, 0, 4096, 0, NULL, NULL,
     "PEM certificate chain; with tls_key, serve HTTPS (and HSTS)"},
    {"tls_key", MQ_SETTING_STRING, OFF(tls_key), NULL, NULL, 0, 4096, 0, NULL, NULL,
     "PEM private key for tls_cert"},
    {"cors_origins", MQ_SETTING_LIST, OFF(cors_origins), NULL, NULL, 0, 0, 0, NULL,
     mq_config_origin_valid,
     "comma-separated origins (https://app.example) allowed to call the API from a browser"},
    {"trusted_proxies", MQ_SETTING_NETS, OFF(trusted_proxies), NULL, NULL, 0, 0, 0, NULL, NULL,
     "IPs or CIDRs of your reverse proxies; only their X-Forwarded-For names the client (read "
     "from the right, skipping trusted hops); none by default"},
    {"rate_limit_default", MQ_SETTING_RATE, OFF(rate_default), "1200/min", NULL, 0, 0,
     MQ_CONFIG_LIVE, NULL, NULL,
     "requests per client address to /api/, and per signed-in user: N/unit rules (s, min, h, "
     "d) joined by commas, such as 600/min,20000/h, or off. Probes and /metrics are exempt"},
    {"rate_limit_ipv6_prefix", MQ_SETTING_INT, OFF(ipv6_prefix), "64", NULL, 32, 128, 0, NULL, NULL,
     "leading bits of an IPv6 address that name one client, for rate limits and connection "
     "caps (a home or host is given a whole /64)"},
    {"admin_token", MQ_SETTING_STRING, OFF(admin_token), NULL, NULL, 0, 1024, MQ_CONFIG_SECRET,
     NULL, NULL,
     "bearer token for /api/v1/admin/* until accounts exist (unset = admin API closed, 403); "
     "masked by marquee config"},
    {"web_dir", MQ_SETTING_STRING, OFF(web_dir), NULL, NULL, 0, 4096, 0, NULL, NULL,
     "folder of the built web app (unset = web/ beside the binary, else "
     "../share/marquee/web from it; none = the API alone)"},
};

static mq_err check(const struct mq_config *cfg, char *errbuf, size_t errlen)
{
    const struct mq_http_conf *c = mq_http_conf(cfg);
    bool has_cert = c->tls_cert && *c->tls_cert, has_key = c->tls_key && *c->tls_key;
    if (has_cert != has_key) {
        snprintf(errbuf, errlen, "invalid %s: tls_cert and tls_key must be given together",
                 has_cert ? "tls_key" : "tls_cert");
        return MQ_EINVAL;
    }
    if (c->request_timeout < c->header_timeout || c->upload_timeout < c->request_timeout) {
        snprintf(errbuf, errlen,
                 "invalid http_request_timeout: it must lie between http_header_timeout (%d) and "
                 "http_upload_timeout (%d)",
                 c->header_timeout, c->upload_timeout);
        return MQ_EINVAL;
    }
    return MQ_OK;
}

/* Without a public_url, people reach the server where it listens. */
static mq_err complete(struct mq_config *cfg)
{
    struct mq_system_conf *sys = mq_config_values_mut(cfg, &mq_config_system);
    if (sys->public_url && *sys->public_url) return MQ_OK;
    char url[128];
    snprintf(url, sizeof(url), "%s://%s", mq_http_tls(cfg) ? "https" : "http",
             mq_http_conf(cfg)->listen.text);
    free(sys->public_url);
    sys->public_url = strdup(url);
    return sys->public_url ? MQ_OK : MQ_ENOMEM;
}

const struct mq_config_module mq_config_http = {.name = "http",
                                                .rank = 20,
                                                .size = sizeof(struct mq_http_conf),
                                                .settings = settings,
                                                .nsettings = MQ_CONFIG_COUNT(settings),
                                                .check = check,
                                                .complete = complete};
