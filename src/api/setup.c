/* setup.c - POST /api/v1/setup: the first admin, with the one-time token the
 * server logs at start on an empty database. */
#include <string.h>

#include "api/body.h"
#include "api/handlers.h"
#include "api/refusal.h"
#include "users/users.h"

struct setup_call {
    const char *token;
    struct mq_user_new admin;
};

/* On the CPU pool: argon2id takes its time there, not on a connection. */
static mq_err setup_work(struct mq_req *req, void *arg)
{
    struct setup_call *c = arg;
    struct mq_refusal why = {0};
    char id[37];
    mq_err err = mq_users_setup(req->ctx, c->token, &c->admin, id, &why);
    if (err && why.code)
        mq_req_audit(req, "setup.failed", "anonymous", NULL, NULL,
                     json_pack("{s:s}", "code", why.code));
    if (err) return mq_api_refused(req, err, &why);
    mq_req_audit(req, "setup.completed", "anonymous", "user", id,
                 json_pack("{s:s}", "role", "admin"));
    mq_log_info(req->ctx->log, "users", "first admin created: %s", id);
    return mq_reply_json(
        req, 201,
        json_pack("{s:s,s:s,s:s,s:[s]}", "id", id, "email", c->admin.email, "display_name",
                  c->admin.display_name ? c->admin.display_name : "", "roles", "admin"));
}

mq_err mq_api_setup(struct mq_req *req)
{
    json_t *doc = NULL;
    mq_err err = mq_api_body_object(req, &doc);
    if (err) return err;
    struct setup_call *c = mq_arena_calloc(req->arena, 1, sizeof(*c));
    if (!c) return MQ_ENOMEM;
    if ((err = mq_api_string_field(req, doc, "token", true, &c->token)) ||
        (err = mq_api_string_field(req, doc, "email", true, &c->admin.email)) ||
        (err = mq_api_string_field(req, doc, "password", true, &c->admin.password)) ||
        (err = mq_api_string_field(req, doc, "display_name", false, &c->admin.display_name)))
        return err;
    /* The strings belong to doc, which the request arena keeps alive. */
    return mq_req_offload(req, req->ctx->cpu_pool, setup_work, c);
}
