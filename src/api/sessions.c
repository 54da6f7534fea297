/* sessions.c - a user's own sessions: list them, end one, end the others. */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "auth/principal.h"
#include "auth/sessions.h"
#include "core/uuid.h"
#include "http/page.h"

static json_t *session_json(const struct mq_session *s, const char *current)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "id", s->id, "device_name",
                     mq_api_nullable(s->device_name), "ip", mq_api_nullable(s->ip), "user_agent",
                     mq_api_nullable(s->user_agent), "created_at", mq_api_time(s->created_at),
                     "last_seen_at", mq_api_time(s->last_seen_at), "expires_at",
                     mq_api_time(s->expires_at), "current", current && !strcmp(s->id, current),
                     "mfa", mq_api_nullable(s->mfa_method), "mfa_verified_at",
                     mq_api_time(s->mfa_verified_at));
}

static json_t *session_item(const void *row, void *current)
{
    return session_json(row, current);
}

static const char *session_position(struct mq_arena *a, const void *row, void *arg)
{
    (void)a;
    (void)arg;
    return ((const struct mq_session *)row)->id;
}

mq_err mq_api_sessions_list(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    struct mq_page page;
    struct mq_session *rows = NULL;
    size_t n = 0;
    mq_err err = mq_page_parse_id(req, &page);
    if (!err)
        err =
            mq_sessions_list(req->ctx, req->arena, who->user_id, page.after, page.fetch, &rows, &n);
    if (err) return err;
    struct mq_page_rows r = {
        rows, n, sizeof(*rows), session_item, session_position, (void *)who->session_id};
    return mq_page_answer(req, &page, &r);
}

mq_err mq_api_sessions_delete(struct mq_req *req)
{
    const char *id = mq_req_param(req, "id");
    mq_err err = mq_uuid_valid(id, strlen(id))
                     ? mq_session_end(req->ctx, req->arena, req->principal->user_id, id, "revoked")
                     : MQ_ENOTFOUND;
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "session_not_found", NULL,
                          "you have no open session with that id");
    if (err) return err;
    mq_req_audit(req, "session.revoke", "user", "session", id, NULL);
    return mq_reply_empty(req, 204);
}

mq_err mq_api_sessions_delete_others(struct mq_req *req)
{
    const struct mq_principal *who = req->principal;
    int64_t ended = 0;
    mq_err err = mq_sessions_end_others(req->ctx, who->user_id, who->session_id, "revoked", &ended);
    if (err) return err;
    mq_req_audit(req, "session.revoke_others", "user", "user", who->user_id,
                 json_pack("{s:I}", "ended", (json_int_t)ended));
    return mq_reply_empty(req, 204);
}
