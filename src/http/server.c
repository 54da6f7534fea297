#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/conf.h"
#include "core/clock.h"
#include "core/deadline.h"
#include "core/pool.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "http/clientip.h"
#include "http/conf.h"
#include "http/connwatch.h"
#include "http/gate.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/ratelimit.h"
#include "http/webapp.h"
#include "system/conf.h"

/* Room in libmicrohttpd's per-connection memory beyond our own header limit,
 * so oversized heads reach us and get a proper 431 problem document. */
#define POOL_PER_HEADER_BYTE 4
#define REQUEST_ID_MAX       128
#define PATH_MAX_BYTES       4096
/* libmicrohttpd accepts a response only after the head or after the whole
 * body, so a body that outgrows the limit (chunked, without a length) is read
 * and dropped until it ends; past this much more, the connection is cut. */
#define DISCARD_MAX ((size_t)8 << 20)

/* A strict policy for an API that serves no HTML; reports come back to us. */
#define CSP_POLICY                                                                                 \
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "            \
    "report-uri /api/v1/reports/csp"

struct mq_http_server {
    struct mq_ctx *ctx;
    const struct mq_router *router;
    struct mq_http_metrics *metrics;
    struct mq_connwatch *watch;
    struct MHD_Daemon *daemon;
    struct mq_webapp *web; /* NULL: no app built */
    int quiesced_fd;       /* the listen socket once quiesced; closed after the daemon stops */
    uint16_t port;
    bool tls;
    atomic_bool starting; /* read by libmicrohttpd's threads when they log */
    char *tls_cert_pem;
    char *tls_key_pem;

    pthread_mutex_t lock;
    pthread_cond_t idle;
    int inflight;

    atomic_uint_fast64_t connections_total;
    atomic_int connections_open;
};

struct req_state {
    struct mq_req req;
    struct mq_buf body;
    enum mq_match_result route; /* matched when the head arrived */
    const char *bad_path;       /* why the path was refused, or NULL */
    bool queued;                /* a response went to libmicrohttpd */
    bool suspended;             /* handed to a worker pool (mq_req_offload) */
    atomic_bool offload_done;
    mq_err offload_err;
    mq_err (*offload_work)(struct mq_req *req, void *arg);
    void *offload_arg;
    struct mq_connwatch_entry *watched; /* the connection's deadlines */
    bool body_limit;                    /* the body outgrew the limit */
    size_t discarded;                   /* bytes read past the limit */
};

/* ---- small helpers ----------------------------------------------------- */

static bool request_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= REQUEST_ID_MAX) return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return false;
    }
    return n > 0;
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static const char *client_address(struct mq_http_server *srv, struct mq_arena *a,
                                  struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[MQ_IP_TEXT];
    mq_client_ip(&mq_http_conf(srv->ctx->cfg)->trusted_proxies.nets, ci ? ci->client_addr : NULL,
                 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For"), text);
    return mq_arena_strdup(a, text);
}

static void release_json(void *p)
{
    json_decref(p);
}

static void release_buf(void *p)
{
    mq_buf_cleanup(p);
}

/* ---- the request API (http.h) ------------------------------------------- */

const char *mq_req_param(const struct mq_req *req, const char *name)
{
    for (size_t i = 0; i < req->match.nparams; i++)
        if (!strcmp(req->match.param_names[i], name)) return req->match.params[i];
    return NULL;
}

const char *mq_req_header(const struct mq_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *mq_req_cookie(const struct mq_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

bool mq_req_secure(const struct mq_req *req)
{
    const char *url = mq_system_conf(req->ctx->cfg)->public_url;
    return req->server->tls || (url && !strncmp(url, "https://", 8));
}

bool mq_req_same_origin(const struct mq_req *req)
{
    const char *origin = mq_req_header(req, "Origin"), *host = mq_req_header(req, "Host");
    const char *url = mq_system_conf(req->ctx->cfg)->public_url;
    if (!origin) return false;
    if (url) {
        /* public_url's origin: scheme://host[:port], without its path. */
        const char *auth = strstr(url, "://");
        size_t len = auth ? strcspn(auth + 3, "/") + (size_t)(auth + 3 - url) : strlen(url);
        if (strlen(origin) == len && !strncasecmp(origin, url, len)) return true;
    }
    if (!host) return false;
    const char *scheme = req->server->tls ? "https://" : "http://";
    size_t slen = strlen(scheme);
    return !strncasecmp(origin, scheme, slen) && !strcasecmp(origin + slen, host);
}

mq_err mq_req_query(struct mq_req *req, const char *name, const char **out)
{
    const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    char *decoded = NULL;
    *out = NULL;
    if (!raw) return MQ_OK;
    mq_err err = mq_url_decode(req->arena, raw, strlen(raw), true, &decoded);
    if (err == MQ_ENOMEM) return err;
    if (err)
        return mq_problem(req, 400, "invalid_query", NULL,
                          "query parameter '%s' has a malformed percent-escape, a NUL byte or is "
                          "not UTF-8",
                          name);
    *out = decoded;
    return MQ_OK;
}

/* Request fields kept in the audit log are cut short: whoever sends the
 * request chooses them. */
#define AUDIT_FIELD_MAX 160

static void request_event(struct mq_req *req, const char *action, const char *actor_kind,
                          const char *target_type, const char *target_id, json_t *details,
                          char agent[AUDIT_FIELD_MAX], struct mq_audit_event *e)
{
    const char *ua = mq_req_header(req, "User-Agent");
    *e = (struct mq_audit_event){.action = action,
                                 .actor_kind = actor_kind,
                                 .actor_id = req->actor_id,
                                 .target_type = target_type,
                                 .target_id = target_id,
                                 .ip = req->remote,
                                 .user_agent = ua ? mq_utf8_clip(ua, agent, AUDIT_FIELD_MAX) : NULL,
                                 .request_id = req->request_id,
                                 .details = details};
}

void mq_req_audit(struct mq_req *req, const char *action, const char *actor_kind,
                  const char *target_type, const char *target_id, json_t *details)
{
    char agent[AUDIT_FIELD_MAX];
    struct mq_audit_event e;
    request_event(req, action, actor_kind, target_type, target_id, details, agent, &e);
    mq_audit_record(req->ctx->audit, &e);
    json_decref(details);
}

bool mq_req_audit_folded(struct mq_req *req, const char *action, const char *key, json_t *details)
{
    char agent[AUDIT_FIELD_MAX];
    struct mq_audit_event e;
    request_event(req, action, "anonymous", NULL, NULL, details, agent, &e);
    bool first =
        mq_audit_record_folded(req->ctx->audit, &e, key, mq_audit_conf(req->ctx->cfg)->fold_window);
    json_decref(details);
    return first;
}

/* Runs on a pool thread while the connection is suspended: the request is
 * this thread's alone until it resumes the connection. */
static void run_offloaded(void *arg)
{
    struct req_state *rs = arg;
    rs->offload_err = rs->offload_work(&rs->req, rs->offload_arg);
    atomic_store(&rs->offload_done, true);
    MHD_resume_connection(rs->req.conn);
}

mq_err mq_req_offload(struct mq_req *req, struct mq_pool *pool,
                      mq_err (*work)(struct mq_req *req, void *arg), void *arg)
{
    struct req_state *rs = (struct req_state *)req; /* req is its first member */
    rs->offload_work = work;
    rs->offload_arg = arg;
    atomic_store(&rs->offload_done, false);
    MHD_suspend_connection(req->conn);
    rs->suspended = true;
    mq_err err = mq_pool_submit(pool, run_offloaded, rs);
    if (err) {
        rs->suspended = false;
        MHD_resume_connection(req->conn);
        (void)mq_reply_header(req, "Retry-After", "1");
        return mq_problem(req, 503, "busy", NULL, "the server is busy; try again in a second");
    }
    return MQ_OK;
}

bool mq_req_offloaded(const struct mq_req *req)
{
    /* Stable while the handler runs: the connection resumes on this thread,
     * after the handler returns. */
    return ((const struct req_state *)req)->suspended;
}

json_t *mq_req_keep(struct mq_req *req, json_t *value)
{
    if (!value) return NULL;
    if (mq_arena_defer(req->arena, release_json, value)) return NULL;
    return value;
}

/* application/json, application/<anything>+json, and application/csp-report
 * (CSP level 2 violation reports are JSON under that name). */
static bool json_media_type(const char *ct)
{
    size_t n = strcspn(ct, "; \t");
    if (n == 16 && !strncasecmp(ct, "application/json", 16)) return true;
    if (n == 22 && !strncasecmp(ct, "application/csp-report", 22)) return true;
    return n > 17 && !strncasecmp(ct, "application/", 12) && !strncasecmp(ct + n - 5, "+json", 5);
}

mq_err mq_req_json(struct mq_req *req, json_t **out)
{
    json_error_t jerr;
    const char *ct = mq_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || !json_media_type(ct))
        return mq_problem(req, 415, "unsupported_media_type", NULL,
                          "send the body as application/json");
    if (req->body_len == 0)
        return mq_problem(req, 400, "empty_body", NULL, "a JSON body is required");
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        if (json_error_code(&jerr) == json_error_invalid_utf8)
            return mq_problem(req, 400, "invalid_utf8",
                              json_pack("{s:i}", "position", jerr.position),
                              "the body is not valid UTF-8 (byte %d)", jerr.position);
        return mq_problem(req, 400, "malformed_json",
                          json_pack("{s:i,s:i,s:i}", "line", jerr.line, "column", jerr.column,
                                    "position", jerr.position),
                          "JSON syntax error at line %d, column %d: %s", jerr.line, jerr.column,
                          jerr.text);
    }
    if (!mq_req_keep(req, doc)) return MQ_ENOMEM;
    *out = doc;
    return MQ_OK;
}

mq_err mq_reply_header(struct mq_req *req, const char *name, const char *value)
{
    struct mq_header *h = mq_arena_alloc(req->arena, sizeof(*h));
    if (!h) return MQ_ENOMEM;
    h->name = mq_arena_strdup(req->arena, name);
    h->value = mq_arena_strdup(req->arena, value);
    if (!h->name || !h->value) return MQ_ENOMEM;
    h->next = req->resp_headers;
    req->resp_headers = h;
    return MQ_OK;
}

mq_err mq_reply_header_set(struct mq_req *req, const char *name, const char *value)
{
    for (struct mq_header *h = req->resp_headers; h; h = h->next) {
        if (strcasecmp(h->name, name)) continue;
        h->value = mq_arena_strdup(req->arena, value);
        return h->value ? MQ_OK : MQ_ENOMEM;
    }
    return mq_reply_header(req, name, value);
}

mq_err mq_reply_bytes(struct mq_req *req, int status, const char *content_type, const void *data,
                      size_t len)
{
    req->status = status;
    req->content_type = content_type;
    req->resp_body = data;
    req->resp_len = len;
    return MQ_OK;
}

mq_err mq_reply_stream(struct mq_req *req, int status, const char *content_type,
                       long (*read)(void *state, char *buf, size_t max), void (*done)(void *state),
                       void *state)
{
    if (req->stream_done) req->stream_done(req->stream_state);
    req->stream_read = read;
    req->stream_done = done;
    req->stream_state = state;
    return mq_reply_bytes(req, status, content_type, "", 0);
}

static void close_resp_fd(void *arg)
{
    struct mq_req *req = arg;
    if (req->resp_fd >= 0) close(req->resp_fd);
    req->resp_fd = -1;
}

mq_err mq_reply_file(struct mq_req *req, int status, const char *content_type, int fd,
                     uint64_t offset, uint64_t length)
{
    if (req->resp_fd >= 0) close(req->resp_fd);
    req->resp_fd = fd;
    req->resp_offset = offset;
    req->resp_length = length;
    return mq_reply_bytes(req, status, content_type, "", 0);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct mq_req *req = cls;
    long n = req->stream_read(req->stream_state, buf, max);
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

mq_err mq_reply_empty(struct mq_req *req, int status)
{
    return mq_reply_bytes(req, status, NULL, "", 0);
}

mq_err mq_reply_json(struct mq_req *req, int status, json_t *doc)
{
    if (!doc || !mq_req_keep(req, doc)) return MQ_ENOMEM;
    size_t n = json_dumpb(doc, NULL, 0, JSON_COMPACT);
    char *text = mq_arena_alloc(req->arena, n + 1);
    if (!text || json_dumpb(doc, text, n, JSON_COMPACT) != n) return MQ_ENOMEM;
    text[n] = '\n';
    return mq_reply_bytes(req, status, "application/json", text, n + 1);
}

mq_err mq_problem(struct mq_req *req, int status, const char *code, json_t *extra, const char *fmt,
                  ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);

    json_t *doc = json_pack("{s:s+,s:s,s:i,s:s,s:s,s:s}", "type", "urn:marquee:problem:", code,
                            "title", mq_http_reason(status), "status", status, "code", code,
                            "detail", detail, "request_id", req->request_id);
    if (doc && extra) json_object_update_missing(doc, extra);
    json_decref(extra);
    if (!doc || mq_reply_json(req, status, doc)) {
        /* Fall back to a fixed document rather than leave the client hanging. */
        static const char oom[] = "{\"type\":\"urn:marquee:problem:internal_error\","
                                  "\"title\":\"Internal Server Error\",\"status\":500,"
                                  "\"code\":\"internal_error\"}\n";
        mq_reply_bytes(req, 500, "application/problem+json", oom, sizeof(oom) - 1);
        req->problem_code = "internal_error";
        return MQ_ENOMEM;
    }
    req->content_type = "application/problem+json";
    req->problem_code = code;
    return MQ_EINVAL;
}

/* ---- dispatch ----------------------------------------------------------- */

static const char *allowed_origin(const struct mq_http_server *srv, const char *origin)
{
    char **list = mq_http_conf(srv->ctx->cfg)->cors_origins.items;
    if (!origin || !list) return NULL;
    for (char **p = list; *p; p++)
        if (!strcasecmp(*p, origin)) return origin;
    return NULL;
}

static void answer_options(struct mq_http_server *srv, struct mq_req *req)
{
    char allow[96];
    mq_method_allow_list(req->match.allowed, allow, sizeof(allow));
    const char *origin = mq_req_header(req, "Origin");
    const char *want = mq_req_header(req, "Access-Control-Request-Method");
    if (origin && want) {
        if (!allowed_origin(srv, origin)) {
            mq_problem(req, 403, "cors_origin_denied", NULL,
                       "the origin is not in this server's cors_origins");
            return;
        }
        (void)mq_reply_header(req, "Access-Control-Allow-Methods", allow);
        (void)mq_reply_header(req, "Access-Control-Allow-Headers",
                              "Authorization, Content-Type, X-Request-Id");
        (void)mq_reply_header(req, "Access-Control-Max-Age", "600");
    }
    (void)mq_reply_header(req, "Allow", allow);
    mq_reply_empty(req, 204);
}

/* Routing happens as soon as the head is in, so that every answer, even an
 * early 413, is labelled with its route in logs and metrics. */
static mq_err route_request(struct mq_http_server *srv, struct req_state *rs)
{
    struct mq_req *req = &rs->req;
    const char **segs = NULL;
    size_t nsegs = 0;
    rs->route = MQ_MATCH_NOT_FOUND;
    if (strlen(req->path) > PATH_MAX_BYTES) {
        rs->bad_path = "too long";
        return MQ_OK;
    }
    mq_err err = mq_path_split(req->arena, req->path, &segs, &nsegs, &rs->bad_path);
    if (err == MQ_ENOMEM) return err;
    if (err) return MQ_OK;
    rs->route = mq_router_match(srv->router, req->method, segs, nsegs, &req->match);
    return MQ_OK;
}

bool mq_req_rate_limit(struct mq_req *req, const struct mq_rate_policy *policy, const char *key)
{
    struct mq_ratelimiter *rl = req->ctx->ratelimiter;
    struct mq_rate_result r;
    char text[96];
    if (!rl || !policy->nrules) return false;
    if (mq_rate_hit(rl, policy, key, mq_clock_now_ms(req->ctx->clock), &r)) return false;
    snprintf(text, sizeof(text), "%lld;w=%lld", (long long)r.limit,
             (long long)(r.window_ms / 1000));
    (void)mq_reply_header_set(req, "RateLimit-Policy", text);
    snprintf(text, sizeof(text), "limit=%lld, remaining=%lld, reset=%lld", (long long)r.limit,
             (long long)r.remaining, (long long)((r.reset_ms + 999) / 1000));
    (void)mq_reply_header_set(req, "RateLimit", text);
    if (r.allowed) return false;
    long long wait = (r.retry_after_ms + 999) / 1000;
    snprintf(text, sizeof(text), "%lld", wait);
    (void)mq_reply_header_set(req, "Retry-After", text);
    char path[AUDIT_FIELD_MAX], fold[160];
    snprintf(fold, sizeof(fold), "%s %s", policy->name, key);
    mq_utf8_clip(req->path, path, sizeof(path));
    /* Logged once per client and fold, like the audit entry: a flood of
     * refusals must not fill the disk through the log either. */
    if (mq_req_audit_folded(req, "rate_limit.rejected", fold,
                            json_pack("{s:s,s:s,s:s,s:s}", "policy", policy->name, "key", key,
                                      "method", req->method_name, "path", path)))
        mq_log_warn(req->ctx->log, "http",
                    "rate limit %s refused %s %s from %s (request %s; more refusals of this "
                    "client are counted in the audit log, not logged)",
                    policy->name, req->method_name, path, req->remote, req->request_id);
    mq_problem(req, 429, "rate_limited", json_pack("{s:I}", "retry_after", (json_int_t)wait),
               "too many requests; try again in %lld s", wait);
    return true;
}

/* The per-address limit on /api/ (probes and /metrics are for machines that
 * must always get through). A store that fails lets the request through: an
 * outage of the limiter must not become an outage of the API. */
static bool rate_limited(struct mq_http_server *srv, struct mq_req *req)
{
    if (strncmp(req->path, "/api/", 5)) return false;
    return mq_req_rate_limit(req, &mq_http_conf(srv->ctx->cfg)->rate_default.policy,
                             req->remote_key);
}

static void answer_error(struct mq_http_server *srv, struct mq_req *req, mq_err err);

static void dispatch(struct mq_http_server *srv, struct req_state *rs)
{
    struct mq_req *req = &rs->req;
    mq_err err;

    if (rs->bad_path) {
        if (strlen(req->path) > PATH_MAX_BYTES)
            mq_problem(req, 414, "uri_too_long", NULL, "the path is longer than %d bytes",
                       PATH_MAX_BYTES);
        else
            mq_problem(req, 400, "invalid_path", NULL, "%s", rs->bad_path);
        return;
    }
    if (rate_limited(srv, req)) return;
    switch (rs->route) {
    case MQ_MATCH_NOT_FOUND:
        if (mq_webapp_claims(req)) {
            req->match.pattern = "(web app)"; /* what the log and the metrics call it */
            req->match.route_id = MQ_METRICS_WEBAPP;
            answer_error(srv, req, mq_webapp_serve(srv->web, req));
        } else
            mq_problem(req, 404, "not_found", NULL, "no resource at this path");
        return;
    case MQ_MATCH_METHOD_NOT_ALLOWED: {
        if (req->method == MQ_OPTIONS) {
            answer_options(srv, req);
            return;
        }
        char allow[96];
        mq_method_allow_list(req->match.allowed, allow, sizeof(allow));
        (void)mq_reply_header(req, "Allow", allow);
        mq_problem(req, 405, "method_not_allowed", NULL, "%s is not allowed here; use %s",
                   req->method == MQ_METHOD_OTHER ? "this method" : req->method_name, allow);
        return;
    }
    case MQ_MATCH_OK: break;
    }
    if (rs->body.len) {
        req->body = rs->body.data;
        req->body_len = rs->body.len;
    } else {
        req->body = "";
    }
    /* Who calls, and whether they may: the route table's rule, before any
     * handler code runs. */
    err = mq_gate_admit(req);
    if (!err) err = req->match.handler(req);
    if (rs->suspended) return; /* the offloaded work answers; see mq_req_offload */
    answer_error(srv, req, err);
}

/* What a handler (or its offloaded work) leaves: its own answer, or a
 * problem made from its error. */
static void answer_error(struct mq_http_server *srv, struct mq_req *req, mq_err err)
{
    if (req->status) return;
    if (!err) err = MQ_EINTERNAL; /* a handler that neither answers nor fails is a bug */
    int status;
    const char *code;
    mq_problem_for_err(err, &status, &code);
    if (status >= 500)
        mq_log_error(srv->ctx->log, "http", "%s %s failed: %s (request %s)", req->method_name,
                     req->match.pattern, mq_err_name(err), req->request_id);
    mq_problem(req, status, code, NULL, "%s",
               status == 503   ? "a service this request needs is unavailable; try again shortly"
               : status >= 500 ? "the server failed to handle this request"
                               : mq_err_name(err));
}

static enum MHD_Result send_response(struct mq_http_server *srv, struct req_state *rs)
{
    struct mq_req *req = &rs->req;
    struct MHD_Response *resp;
    if (req->resp_fd >= 0 && req->status < 400) {
        /* libmicrohttpd takes the descriptor: it closes it with the
         * response, and uses sendfile where it can. */
        resp = MHD_create_response_from_fd_at_offset64(req->resp_length, req->resp_fd,
                                                       req->resp_offset);
        if (resp) req->resp_fd = -1;
    } else if (req->stream_read && req->status < 400)
        /* The request and its arena live until the response completes
         * (on_completed), so the reader may use them. */
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_reader, req, NULL);
    else
        resp = MHD_create_response_from_buffer(req->resp_len, (void *)req->resp_body,
                                               MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    bool cache_set = false, csp_set = false;
    for (struct mq_header *h = req->resp_headers; h; h = h->next) {
        MHD_add_response_header(resp, h->name, h->value);
        if (!strcasecmp(h->name, "Cache-Control")) cache_set = true;
        if (!strcasecmp(h->name, "Content-Security-Policy")) csp_set = true;
    }
    if (req->content_type) MHD_add_response_header(resp, "Content-Type", req->content_type);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    /* The app's pages bring their own (http/webapp.c); the API's is stricter. */
    if (!csp_set) MHD_add_response_header(resp, "Content-Security-Policy", CSP_POLICY);
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    if (!cache_set) MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (srv->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
    const char *origin = allowed_origin(srv, mq_req_header(req, "Origin"));
    if (origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(resp, "Access-Control-Expose-Headers", "X-Request-Id");
    }
    if (mq_http_conf(srv->ctx->cfg)->cors_origins.items)
        MHD_add_response_header(resp, "Vary", "Origin");
    if (atomic_load(&srv->ctx->draining)) MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    rs->queued = ok == MHD_YES;
    return ok;
}

/* First call for a request: the head is complete. */
static struct req_state *request_begin(struct mq_http_server *srv, struct MHD_Connection *conn,
                                       const char *url, const char *method)
{
    struct mq_arena *arena = mq_arena_new(4096);
    if (!arena) return NULL;
    struct req_state *rs = mq_arena_calloc(arena, 1, sizeof(*rs));
    char *path = mq_arena_strdup(arena, url);
    if (!rs || !path) {
        mq_arena_free(arena);
        return NULL;
    }
    mq_buf_init(&rs->body, (size_t)mq_http_conf(srv->ctx->cfg)->max_body);
    if (mq_arena_defer(arena, release_buf, &rs->body)) {
        mq_arena_free(arena);
        return NULL;
    }
    struct mq_req *req = &rs->req;
    req->resp_fd = -1;
    if (mq_arena_defer(arena, close_resp_fd, req)) {
        mq_arena_free(arena);
        return NULL;
    }
    req->ctx = srv->ctx;
    req->arena = arena;
    req->server = srv;
    req->conn = conn;
    req->start_ns = mq_monotonic_ns();
    req->method = mq_method_parse(method);
    req->method_name = req->method == MQ_METHOD_OTHER ? "OTHER" : method;
    req->path = path;
    req->match.route_id = -1;

    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (rid && request_id_ok(rid)) {
        req->request_id = mq_arena_strdup(arena, rid);
    } else {
        char *id = mq_arena_alloc(arena, MQ_UUID_STR_LEN + 1);
        if (id) mq_uuid7_new(srv->ctx->clock, srv->ctx->rng, id);
        req->request_id = id;
    }
    req->remote = client_address(srv, arena, conn);
    if (req->remote) {
        char key[MQ_CLIENT_KEY];
        mq_client_key(req->remote, mq_http_conf(srv->ctx->cfg)->ipv6_prefix, key);
        req->remote_key = mq_arena_printf(arena, "ip:%s", key);
    }
    if (!req->request_id || !req->remote_key || route_request(srv, rs)) {
        mq_arena_free(arena);
        return NULL;
    }
    if (req->match.max_body) rs->body.cap = (size_t)req->match.max_body;

    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    rs->watched = ci ? ci->socket_context : NULL;
    /* Most requests have no body: they go straight to being handled. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if ((cl && strcmp(cl, "0")) ||
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding"))
        mq_connwatch_body(srv->watch, rs->watched, req->match.flags & MQ_ROUTE_UPLOAD);
    else
        mq_connwatch_handling(srv->watch, rs->watched);

    pthread_mutex_lock(&srv->lock);
    srv->inflight++;
    pthread_mutex_unlock(&srv->lock);
    return rs;
}

/* Problems detectable from the head alone are answered at once, before any
 * body is read; libmicrohttpd then closes the connection. */
static bool reject_head(struct mq_http_server *srv, struct req_state *rs)
{
    struct mq_req *req = &rs->req;
    const struct mq_config *cfg = srv->ctx->cfg;
    size_t head = strlen(req->path) + strlen(req->method_name) + 12;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, sum_header, &head);
    if (head > (size_t)mq_http_conf(cfg)->max_header) {
        mq_problem(req, 431, "headers_too_large", NULL,
                   "the request head is %zu bytes; the limit is %ld", head,
                   mq_http_conf(cfg)->max_header);
        return true;
    }
    const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno || *end || n > (unsigned long long)rs->body.cap) {
            mq_problem(req, 413, "payload_too_large", NULL, "the body may be at most %zu bytes",
                       rs->body.cap);
            return true;
        }
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct mq_http_server *srv = cls;
    struct req_state *rs = *con_cls;
    (void)version;

    if (!rs) {
        rs = request_begin(srv, conn, url, method);
        if (!rs) return MHD_NO;
        *con_cls = rs;
        /* Answering on this first call makes libmicrohttpd close the
         * connection after the reply, so only do it for requests that must
         * not be read any further. */
        if (reject_head(srv, rs)) {
            mq_connwatch_handling(srv->watch, rs->watched);
            return send_response(srv, rs);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        mq_connwatch_received(rs->watched, n);
        if (rs->queued) return MHD_YES;
        if (!rs->body_limit && mq_buf_add(&rs->body, upload_data, n) == MQ_OK) return MHD_YES;
        rs->body_limit = true;
        rs->discarded += n;
        return rs->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (rs->queued) return MHD_YES;
    if (rs->suspended) {
        /* Called again after mq_req_offload's worker resumed us. */
        if (!atomic_load(&rs->offload_done)) return MHD_YES;
        rs->suspended = false;
        answer_error(srv, &rs->req, rs->offload_err);
        return send_response(srv, rs);
    }
    mq_connwatch_handling(srv->watch, rs->watched);
    if (rs->body_limit)
        mq_problem(&rs->req, 413, "payload_too_large", NULL, "the body may be at most %zu bytes",
                   rs->body.cap);
    else
        dispatch(srv, rs);
    if (rs->suspended) return MHD_YES;
    return send_response(srv, rs);
}

static void access_log(struct mq_http_server *srv, const struct mq_req *req, double ms)
{
    struct mq_log_line l;
    if (!mq_log_begin(&l, srv->ctx->log, MQ_LOG_INFO, "http", "request")) return;
    mq_log_str(&l, "request_id", req->request_id);
    mq_log_str(&l, "method", req->method_name);
    mq_log_str(&l, "route", req->match.pattern ? req->match.pattern : "unmatched");
    /* Paths of matched routes may carry identifiers; the pattern says enough.
     * Unmatched paths are logged (without the query) to show what was tried. */
    if (req->match.route_id < 0) mq_log_str(&l, "path", req->path); /* unmatched, or the app's */
    mq_log_int(&l, "status", req->status);
    mq_log_double(&l, "duration_ms", ms);
    mq_log_int(&l, "bytes", (int64_t)req->resp_len);
    mq_log_str(&l, "remote", req->remote);
    if (req->problem_code) mq_log_str(&l, "code", req->problem_code);
    mq_log_end(&l);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    struct mq_http_server *srv = cls;
    struct req_state *rs = *con_cls;
    if (!rs) return;
    *con_cls = NULL;
    struct mq_req *req = &rs->req;
    uint64_t ns = mq_monotonic_ns() - req->start_ns;
    if (!req->status) req->status = 499; /* client went away before an answer */
    if (why != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->status < 400) req->status = 499;
    mq_http_metrics_observe(srv->metrics, req->match.route_id, req->method, req->status, ns);
    access_log(srv, req, (double)ns / 1e6);
    if (req->stream_done) req->stream_done(req->stream_state);
    mq_arena_free(req->arena);

    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (ci && why == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        mq_connwatch_ready(srv->watch, ci->socket_context);

    pthread_mutex_lock(&srv->lock);
    if (--srv->inflight == 0) pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct mq_http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *peer =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context =
            fd && peer ? mq_connwatch_add(srv->watch, fd->connect_fd, peer->client_addr) : NULL;
        atomic_fetch_add(&srv->connections_total, 1);
        atomic_fetch_add(&srv->connections_open, 1);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        mq_connwatch_remove(srv->watch, *socket_context);
        *socket_context = NULL;
        atomic_fetch_sub(&srv->connections_open, 1);
    }
}

static enum MHD_Result admit_connection(void *cls, const struct sockaddr *addr, socklen_t len)
{
    struct mq_http_server *srv = cls;
    (void)len;
    return mq_connwatch_admit(srv->watch, addr) ? MHD_YES : MHD_NO;
}

/* Paths are decoded by the router, segment by segment, so that "%2F" stays
 * inside its segment and "%00" is refused instead of cutting the string. */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *uri)
{
    (void)cls;
    (void)conn;
    return strlen(uri);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct mq_http_server *srv = cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    mq_log_msg(srv->ctx->log, atomic_load(&srv->starting) ? MQ_LOG_ERROR : MQ_LOG_DEBUG, "http",
               "%s", msg);
}

/* libmicrohttpd aborts on states it cannot recover from; the reason goes to
 * the log as a record, where an operator looks, before the abort. */
static void mhd_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
    struct mq_http_server *srv = cls;
    mq_log_error(srv->ctx->log, "http", "libmicrohttpd panic at %s:%u: %s", file ? file : "?", line,
                 reason ? reason : "no reason given");
    abort();
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct mq_buf b;
    char chunk[4096];
    size_t n;
    mq_buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (mq_buf_add(&b, chunk, n)) {
            mq_buf_cleanup(&b);
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    return mq_buf_steal(&b, NULL);
}

mq_err mq_http_start(struct mq_ctx *ctx, const struct mq_router *router,
                     struct mq_http_server **out)
{
    const struct mq_config *cfg = ctx->cfg;
    struct mq_http_server *srv = calloc(1, sizeof(*srv));
    mq_err err = MQ_OK;
    if (!srv) return MQ_ENOMEM;
    srv->quiesced_fd = -1;
    srv->ctx = ctx;
    srv->router = router;
    atomic_store(&srv->starting, true);
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->idle, NULL);

    err = mq_http_metrics_new(mq_router_count(router), &srv->metrics);
    if (err) goto fail;
    const struct mq_http_conf *hc = mq_http_conf(cfg);
    struct mq_connwatch_limits limits = {
        .header_timeout_s = hc->header_timeout,
        .request_timeout_s = hc->request_timeout,
        .upload_timeout_s = hc->upload_timeout,
        .body_grace_s = hc->body_grace,
        .min_body_rate = hc->min_body_rate,
        .max_connections = hc->max_connections,
        .per_address = hc->max_connections_per_ip,
        .reserve = hc->connection_reserve < hc->max_connections / 8 ? hc->connection_reserve
                                                                    : hc->max_connections / 8,
        .ipv6_prefix = hc->ipv6_prefix,
        .trusted = &hc->trusted_proxies.nets,
    };
    err = mq_connwatch_start(&limits, &srv->watch);
    if (!err) err = mq_webapp_open(cfg, ctx->log, &srv->web);
    if (err) goto fail;

    unsigned threads = mq_http_conf(cfg)->threads > 0 ? (unsigned)mq_http_conf(cfg)->threads
                                                      : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    size_t pool = (size_t)mq_http_conf(cfg)->max_header * POOL_PER_HEADER_BYTE;
    /* poll(), not epoll: libmicrohttpd 0.9.75's quiesce races its own epoll
     * loop over the listen socket and aborts the process now and then
     * (docs/internals/http.md). */
    unsigned flags = MHD_USE_POLL | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (mq_http_conf(cfg)->listen.addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;

    struct MHD_OptionItem opts[24];
    size_t n = 0;
    /* The logger must come first, or libmicrohttpd logs the options before it
     * with its own logger. */
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, srv};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)&mq_http_conf(cfg)->listen.addr};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                        (intptr_t)mq_http_conf(cfg)->max_connections, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        (intptr_t)mq_http_conf(cfg)->idle_timeout, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)pool, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_escaped, srv};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, NULL};
    if (mq_http_tls(cfg)) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            mq_log_error(ctx->log, "http", "this libmicrohttpd was built without TLS");
            err = MQ_EUNSUPPORTED;
            goto fail;
        }
        srv->tls_cert_pem = read_file(mq_http_conf(cfg)->tls_cert);
        srv->tls_key_pem = read_file(mq_http_conf(cfg)->tls_key);
        if (!srv->tls_cert_pem || !srv->tls_key_pem) {
            mq_log_error(ctx->log, "http", "cannot read tls_cert %s or tls_key %s",
                         mq_http_conf(cfg)->tls_cert, mq_http_conf(cfg)->tls_key);
            err = MQ_EIO;
            goto fail;
        }
        flags |= MHD_USE_TLS;
        srv->tls = true;
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    MHD_set_panic_func(mhd_panic, srv);
    srv->daemon = MHD_start_daemon(flags, 0, admit_connection, srv, on_request, srv,
                                   MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->daemon) {
        mq_log_error(ctx->log, "http", "cannot listen on %s", mq_http_conf(cfg)->listen.text);
        err = MQ_EIO;
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    if (di && getsockname(di->listen_fd, (struct sockaddr *)&bound, &blen) == 0)
        srv->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                      : ((struct sockaddr_in *)&bound)->sin_port);
    atomic_store(&srv->starting, false);
    *out = srv;
    return MQ_OK;
fail:
    mq_http_stop(srv);
    return err;
}

uint16_t mq_http_port(const struct mq_http_server *srv)
{
    return srv->port;
}

void mq_http_quiesce(struct mq_http_server *srv)
{
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd == MHD_INVALID_SOCKET) return;
    /* The workers may still hold the socket in a poll set until they wake:
     * it is closed only after the daemon stops, as the library asks. Shut
     * down, it refuses new connections at once. */
    (void)shutdown(fd, SHUT_RDWR);
    srv->quiesced_fd = fd;
}

int mq_http_drain(struct mq_http_server *srv, int timeout_s)
{
    struct timespec deadline = mq_deadline_in(CLOCK_REALTIME, (int64_t)timeout_s * 1000);
    pthread_mutex_lock(&srv->lock);
    while (srv->inflight > 0) {
        if (pthread_cond_timedwait(&srv->idle, &srv->lock, &deadline) == ETIMEDOUT) break;
    }
    int left = srv->inflight;
    pthread_mutex_unlock(&srv->lock);
    return left;
}

void mq_http_stop(struct mq_http_server *srv)
{
    if (!srv) return;
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    if (srv->quiesced_fd >= 0) close(srv->quiesced_fd);
    MHD_set_panic_func(NULL, NULL);
    mq_connwatch_stop(srv->watch);
    mq_webapp_close(srv->web);
    mq_http_metrics_free(srv->metrics);
    free(srv->tls_cert_pem);
    if (srv->tls_key_pem) {
        explicit_bzero(srv->tls_key_pem, strlen(srv->tls_key_pem));
        free(srv->tls_key_pem);
    }
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->idle);
    free(srv);
}

mq_err mq_http_render_metrics(const struct mq_req *req, struct mq_buf *out)
{
    struct mq_http_server *srv = req->server;
    mq_err err = mq_http_metrics_render(srv->metrics, srv->router, out);
    if (err) return err;
    pthread_mutex_lock(&srv->lock);
    int inflight = srv->inflight;
    pthread_mutex_unlock(&srv->lock);
    struct mq_connwatch_stats w;
    mq_connwatch_stats(srv->watch, &w);
    return mq_buf_printf(
        out,
        "# HELP marquee_http_requests_in_flight Requests being handled now.\n"
        "# TYPE marquee_http_requests_in_flight gauge\n"
        "marquee_http_requests_in_flight %d\n"
        "# HELP marquee_http_connections Open client connections.\n"
        "# TYPE marquee_http_connections gauge\n"
        "marquee_http_connections %d\n"
        "# HELP marquee_http_connections_total Client connections accepted.\n"
        "# TYPE marquee_http_connections_total counter\n"
        "marquee_http_connections_total %llu\n"
        "# HELP marquee_http_header_timeouts_total Connections closed for a slow request head.\n"
        "# TYPE marquee_http_header_timeouts_total counter\n"
        "marquee_http_header_timeouts_total %llu\n"
        "# HELP marquee_http_slow_requests_total Connections closed for a slow request body: "
        "past http_request_timeout, or below http_min_body_rate.\n"
        "# TYPE marquee_http_slow_requests_total counter\n"
        "marquee_http_slow_requests_total{why=\"timeout\"} %llu\n"
        "marquee_http_slow_requests_total{why=\"rate\"} %llu\n"
        "# HELP marquee_http_connections_refused_total Connections refused at accept: the address "
        "held its share, or only the reserve was left.\n"
        "# TYPE marquee_http_connections_refused_total counter\n"
        "marquee_http_connections_refused_total{why=\"per_address\"} %llu\n"
        "marquee_http_connections_refused_total{why=\"reserve\"} %llu\n",
        inflight, atomic_load(&srv->connections_open),
        (unsigned long long)atomic_load(&srv->connections_total),
        (unsigned long long)w.header_timeouts, (unsigned long long)w.request_timeouts,
        (unsigned long long)w.too_slow, (unsigned long long)w.refused_address,
        (unsigned long long)w.refused_reserve);
}
