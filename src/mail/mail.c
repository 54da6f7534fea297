#include "mail/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/uuid.h"
#include "jobs/queue.h"
#include "mail/smtp.h"
#include "mail/template.h"
#include "mail/conf.h"
#include "system/conf.h"

#define MAIL_KIND         "mail.send"
#define MAIL_MAX_ATTEMPTS 30 /* with a 1 h cap on backoff: about a day */

mq_err mq_mail_enqueue(struct mq_ctx *ctx, struct mq_db *db, const struct mq_mail *m)
{
    if (!mq_mail_template_find(m->template) || !mq_mail_address_valid(m->to)) return MQ_EINVAL;
    json_t *vars = m->vars ? json_deep_copy(m->vars) : json_object();
    if (!vars || json_object_set_new(vars, "public_url",
                                     json_string(mq_system_conf(ctx->cfg)->public_url
                                                     ? mq_system_conf(ctx->cfg)->public_url
                                                     : ""))) {
        json_decref(vars);
        return MQ_ENOMEM;
    }
    json_t *payload =
        json_pack("{s:s,s:s,s:o}", "to", m->to, "template", m->template, "vars", vars);
    if (payload && m->list_unsubscribe)
        json_object_set_new(payload, "list_unsubscribe", json_string(m->list_unsubscribe));
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text) return MQ_ENOMEM;
    char id[37];
    struct mq_job_spec spec = {
        .kind = MAIL_KIND, .payload = text, .max_attempts = MAIL_MAX_ATTEMPTS};
    mq_err err = mq_jobs_enqueue(ctx, db, &spec, id, NULL);
    free(text);
    return err;
}

/* "<job id@host of public_url>": the same on every attempt, so a receiving
 * server that saw an attempt half-finish can tell the copies apart. */
static char *message_id(struct mq_arena *a, const char *job_id, const char *public_url)
{
    if (!public_url) public_url = "";
    const char *host = strstr(public_url, "://");
    host = host ? host + 3 : public_url;
    size_t n = strcspn(host, ":/[]");
    if (!n) return mq_arena_printf(a, "<%s@marquee.invalid>", job_id);
    return mq_arena_printf(a, "<%s@%.*s>", job_id, (int)n, host);
}

static void log_instead(struct mq_job_run *run, const char *to, const char *subject,
                        const char *text)
{
    struct mq_log_line l;
    if (!mq_log_begin(&l, run->ctx->log, MQ_LOG_INFO, "mail", "mail not sent (no smtp_url)"))
        return;
    mq_log_str(&l, "to", to);
    mq_log_str(&l, "subject", subject);
    mq_log_str(&l, "text", text);
    mq_log_end(&l);
}

/* The payload's unsubscribe URL when it is one a header can carry. */
static const char *unsubscribe_url(json_t *payload)
{
    const char *u = json_string_value(json_object_get(payload, "list_unsubscribe"));
    if (!u || strncmp(u, "http", 4) || strlen(u) > 900 || strpbrk(u, "<> \t\r\n,")) return NULL;
    return u;
}

static mq_err send_mail(struct mq_job_run *run)
{
    const struct mq_config *cfg = run->ctx->cfg;
    const char *to = json_string_value(json_object_get(run->payload, "to"));
    const char *name = json_string_value(json_object_get(run->payload, "template"));
    json_t *vars = json_object_get(run->payload, "vars");
    const struct mq_mail_template *t = name ? mq_mail_template_find(name) : NULL;
    char *text = NULL, *html = NULL;
    const char *missing = NULL;

    if (!t || !to || !mq_mail_address_valid(to) || !json_is_object(vars)) {
        snprintf(run->error, sizeof(run->error), "bad mail: unknown template or recipient");
        return MQ_EINVAL;
    }
    char *subject = NULL;
    mq_err err =
        mq_mail_render(run->arena, t->subject, vars, MQ_ESCAPE_SUBJECT, &subject, &missing);
    if (!err) err = mq_mail_render(run->arena, t->text, vars, MQ_ESCAPE_NONE, &text, &missing);
    if (!err) err = mq_mail_render(run->arena, t->html, vars, MQ_ESCAPE_HTML, &html, &missing);
    if (err) {
        if (missing)
            snprintf(run->error, sizeof(run->error), "template %s needs a value for %s", name,
                     missing);
        return err;
    }
    if (!mq_mail_conf(cfg)->smtp_url || !*mq_mail_conf(cfg)->smtp_url) {
        log_instead(run, to, subject, text);
    } else {
        struct mq_smtp_message m = {
            .from = mq_mail_conf(cfg)->mail_from,
            .from_name = mq_system_conf(cfg)->server_name,
            .to = to,
            .subject = subject,
            .text = text,
            .html = html,
            .message_id = message_id(run->arena, run->job->id, mq_system_conf(cfg)->public_url),
            .date_ms = mq_clock_now_ms(run->ctx->clock),
            .list_unsubscribe = unsubscribe_url(run->payload)};
        if (!m.message_id) return MQ_ENOMEM;
        err = mq_smtp_send(mq_mail_conf(cfg)->smtp_url, mq_mail_conf(cfg)->smtp_timeout, &m,
                           run->error, sizeof(run->error));
        if (err) return err;
        mq_log_info(run->ctx->log, "mail", "sent %s mail (job %s)", name, run->job->id);
    }
    /* What stays in the database: whom, and which message; not its links. */
    json_t *done = json_pack("{s:s,s:s}", "to", to, "template", name);
    char *s = done ? json_dumps(done, JSON_COMPACT) : NULL;
    if (s && strlen(s) < sizeof(run->done_payload))
        memcpy(run->done_payload, s, strlen(s) + 1);
    else
        snprintf(run->done_payload, sizeof(run->done_payload), "{}");
    free(s);
    json_decref(done);
    return MQ_OK;
}

mq_err mq_mail_register(struct mq_jobs *jobs)
{
    return mq_jobs_register(jobs, MAIL_KIND, send_mail);
}

void mq_mail_announce(const struct mq_ctx *ctx)
{
    const struct mq_config *cfg = ctx->cfg;
    if (!mq_mail_conf(cfg)->smtp_url || !*mq_mail_conf(cfg)->smtp_url) {
        mq_log_warn(ctx->log, "mail",
                    "smtp_url is not set: e-mail (verification and reset links included) is "
                    "written to this log instead of being sent");
        return;
    }
    char masked[512];
    mq_config_mask_url(mq_mail_conf(cfg)->smtp_url, masked, sizeof(masked));
    mq_log_info(ctx->log, "mail", "mail goes through %s from %s", masked,
                mq_mail_conf(cfg)->mail_from);
}
