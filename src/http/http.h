/* http.h - what a handler sees of a request, and how it answers.
 *
 * A handler is `mq_err handler(struct mq_req *req)`. It reads parameters and
 * the body through the functions below, and answers with one mq_reply_* call.
 * Everything it allocates comes from req->arena, which is dropped in one call
 * when the response has been sent: handlers never free by hand.
 *
 * Errors: a handler may simply `return err;`. If it has not answered, the
 * server turns err into a problem document (http/problem.c). To explain an
 * error precisely, answer with mq_problem() and return what it returns. */
#ifndef MQ_HTTP_H
#define MQ_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/err.h"
#include "http/router.h"

struct mq_http_server;
struct mq_principal;

struct mq_header {
    struct mq_header *next;
    const char *name;
    const char *value;
};

struct mq_req {
    struct mq_ctx *ctx;
    struct mq_arena *arena;
    struct mq_http_server *server;
    void *conn; /* struct MHD_Connection*, for the server only */

    enum mq_method method;
    const char *method_name;
    const char *path; /* raw, as received, without the query */
    struct mq_match match;
    const char *request_id;
    const char *remote;     /* client address, text */
    const char *remote_key; /* "ip:" and the client's network, for rate limits (clientip.h) */
    uint64_t start_ns;

    const char *body; /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;

    /* The answer. status == 0 until a mq_reply_* call. */
    int status;
    const char *content_type;
    const char *resp_body;
    size_t resp_len;
    struct mq_header *resp_headers;
    const char *problem_code; /* set for problem answers, for logs */
    /* Who is calling, as the gate found before the handler ran
     * (http/gate.h): NULL on a public route called anonymously. */
    const struct mq_principal *principal;
    const char *credential_refused;    /* why a credential was refused on an optional route */
    const char *actor_kind, *actor_id; /* for logs and audit: "user", "admin_token" */
    long (*stream_read)(void *state, char *buf, size_t max); /* mq_reply_stream */
    int resp_fd;                                             /* mq_reply_file: the file, or -1 */
    uint64_t resp_offset, resp_length;
    void (*stream_done)(void *state);
    void *stream_state;
};

/* Path parameter by name ("id" for "/jobs/{id}"), decoded; NULL if absent. */
const char *mq_req_param(const struct mq_req *req, const char *name);

/* Request header, raw; NULL if absent. */
const char *mq_req_header(const struct mq_req *req, const char *name);

/* Query parameter, decoded into the arena. *out is NULL when absent. A bad
 * escape or invalid UTF-8 answers 400 invalid_query and returns MQ_EINVAL. */
MQ_MUST_CHECK mq_err mq_req_query(struct mq_req *req, const char *name, const char **out);

/* Parses the body as JSON (Content-Type application/json or +json). Answers
 * 415 unsupported_media_type, 400 empty_body, 400 invalid_utf8 or 400
 * malformed_json (with line, column and byte offset) and returns an error when
 * it cannot. The value lives until the arena is dropped. */
MQ_MUST_CHECK mq_err mq_req_json(struct mq_req *req, json_t **out);

/* The value of a request cookie, or NULL. */
const char *mq_req_cookie(const struct mq_req *req, const char *name);
/* Whether the request's Origin header names this server: its public_url's
 * origin, or the scheme and Host it was reached by. Browsers send Origin on
 * every cross-site write, so a write without one, or with another, did not
 * come from the app's own pages. */
bool mq_req_same_origin(const struct mq_req *req);
/* Whether people reach the server over HTTPS (TLS here, or an https
 * public_url before a proxy): cookies are then Secure. */
bool mq_req_secure(const struct mq_req *req);

/* Answers with a JSON document; steals the reference to doc. */
mq_err mq_reply_json(struct mq_req *req, int status, json_t *doc);
/* Answers with bytes that outlive the request (static or arena memory). */
mq_err mq_reply_bytes(struct mq_req *req, int status, const char *content_type, const void *data,
                      size_t len);
/* Answers with a body produced piece by piece, for documents too large to
 * hold (exports). `read` fills up to max bytes of buf and returns how many,
 * 0 at the end, or -1 on error (the connection is then cut); `done` frees
 * the state when the response is gone. Both run on a server thread. The
 * state must not live in the request arena: it may outlive it. */
mq_err mq_reply_stream(struct mq_req *req, int status, const char *content_type,
                       long (*read)(void *state, char *buf, size_t max), void (*done)(void *state),
                       void *state);

/* Answers with `length` bytes of the open file `fd` from `offset`, sent
 * by the kernel (sendfile) on plain connections, from a buffer on TLS
 * ones; never through a connection thread while the client reads slowly.
 * The server owns fd from this call on and closes it when the response is
 * gone, or with the request if another answer replaces this one. */
mq_err mq_reply_file(struct mq_req *req, int status, const char *content_type, int fd,
                     uint64_t offset, uint64_t length);

/* Answers with no body (204, 202...). */
mq_err mq_reply_empty(struct mq_req *req, int status);

/* Answers with an RFC 9457 problem document and returns MQ_EINVAL (or
 * MQ_ENOMEM), so handlers can `return mq_problem(...)`. `code` is the stable
 * machine code; `extra` (may be NULL, reference stolen) adds members. */
mq_err mq_problem(struct mq_req *req, int status, const char *code, json_t *extra, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* Adds a response header; name and value are copied into the arena. */
mq_err mq_reply_header(struct mq_req *req, const char *name, const char *value);
/* Sets a response header, replacing any of the same name. */
mq_err mq_reply_header_set(struct mq_req *req, const char *name, const char *value);

struct mq_audit_event;
struct mq_pool;
struct mq_rate_policy;

/* Counts this request against policy for key ("ip:1.2.3.4"). Adds the
 * RateLimit headers; past the limit answers 429 rate_limited with
 * Retry-After, audits it and returns true. */
bool mq_req_rate_limit(struct mq_req *req, const struct mq_rate_policy *policy, const char *key);

/* Runs work(req, arg) on the pool instead of this connection thread, for
 * slow work such as password hashing; the connection waits, suspended, and
 * the connection threads serve everyone else meanwhile. The work answers
 * with mq_reply_* or returns an error, as a handler would; the handler
 * returns what this returns. A full pool answers 503 busy at once. */
MQ_MUST_CHECK mq_err mq_req_offload(struct mq_req *req, struct mq_pool *pool,
                                    mq_err (*work)(struct mq_req *req, void *arg), void *arg);
/* Whether mq_req_offload handed the request to its pool (false after a
 * 503 busy): whether `work` will run. For the handler that called it. */
bool mq_req_offloaded(const struct mq_req *req);

/* Records an audit event about this request: address, user agent and
 * request id are filled in. `details` (a reference this call takes, may be
 * NULL) must hold no secret. */
void mq_req_audit(struct mq_req *req, const char *action, const char *actor_kind,
                  const char *target_type, const char *target_id, json_t *details);

/* The same for an event anyone can cause at will, by an anonymous caller:
 * folded with its like under `key` for audit_fold_window (audit/audit.h),
 * so one entry with a count stands for a flood. True for the first of its
 * fold: log that one, not the flood. */
bool mq_req_audit_folded(struct mq_req *req, const char *action, const char *key, json_t *details);

/* Registers a JSON value to be released with the request arena and returns
 * it (NULL stays NULL). For values handlers build and keep borrowing. */
json_t *mq_req_keep(struct mq_req *req, json_t *value);

#endif
