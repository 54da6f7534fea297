/* reports.c - POST /api/v1/reports/csp: Content-Security-Policy violation
 * reports, as browsers send them to the report-uri in our CSP header.
 *
 * Accepts the CSP level 2 shape ({"csp-report": {...}}) and the Reporting API
 * shape ([{"type": "csp-violation", "body": {...}}, ...]). Each report becomes
 * one warn log line. URLs are cut before their query and fragment, which may
 * carry tokens. */
#include <string.h>

#include "api/handlers.h"

#define MAX_REPORTS 32

static const char *field(json_t *obj, const char *a, const char *b)
{
    const char *s = json_string_value(json_object_get(obj, a));
    if (!s && b) s = json_string_value(json_object_get(obj, b));
    return s ? s : "";
}

static void log_report(struct mq_req *req, const char *document, const char *directive,
                       const char *blocked, const char *disposition)
{
    struct mq_log_line l;
    if (!mq_log_begin(&l, req->ctx->log, MQ_LOG_WARN, "csp", "content security policy violation"))
        return;
    mq_log_str(&l, "request_id", req->request_id);
    mq_log_strn(&l, "document", document, strcspn(document, "?#"));
    mq_log_str(&l, "directive", directive);
    mq_log_strn(&l, "blocked", blocked, strcspn(blocked, "?#"));
    mq_log_str(&l, "disposition", disposition);
    mq_log_end(&l);
}

mq_err mq_api_csp_report(struct mq_req *req)
{
    json_t *doc = NULL;
    mq_err err = mq_req_json(req, &doc);
    if (err) return err;

    json_t *legacy = json_object_get(doc, "csp-report");
    if (json_is_object(legacy)) {
        log_report(req, field(legacy, "document-uri", NULL),
                   field(legacy, "effective-directive", "violated-directive"),
                   field(legacy, "blocked-uri", NULL), field(legacy, "disposition", NULL));
        return mq_reply_empty(req, 204);
    }
    if (!json_is_array(doc) || json_array_size(doc) == 0 || json_array_size(doc) > MAX_REPORTS)
        return mq_problem(req, 400, "invalid_report", NULL,
                          "expected {\"csp-report\": {...}} or an array of 1 to %d reports",
                          MAX_REPORTS);
    size_t i;
    json_t *r;
    json_array_foreach(doc, i, r)
    {
        json_t *body = json_object_get(r, "body");
        if (!json_is_object(body) || strcmp(field(r, "type", NULL), "csp-violation"))
            return mq_problem(req, 400, "invalid_report", NULL,
                              "report %zu is not a csp-violation with a body", i);
    }
    json_array_foreach(doc, i, r)
    {
        json_t *body = json_object_get(r, "body");
        log_report(req, field(body, "documentURL", NULL), field(body, "effectiveDirective", NULL),
                   field(body, "blockedURL", NULL), field(body, "disposition", NULL));
    }
    return mq_reply_empty(req, 204);
}
