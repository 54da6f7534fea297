#include "api/api.h"
#include "api/handlers.h"

struct route {
    enum mq_method method;
    const char *pattern;
    mq_handler handler;
};

static const struct route routes[] = {
    {MQ_GET, "/healthz", mq_api_healthz},
    {MQ_GET, "/readyz", mq_api_readyz},
    {MQ_GET, "/startupz", mq_api_startupz},
    {MQ_GET, "/metrics", mq_api_metrics},
    {MQ_GET, "/api/v1/openapi.json", mq_api_openapi},
    {MQ_GET, "/.well-known/jwks.json", mq_api_jwks},
    {MQ_GET, "/api/v1/system/info", mq_api_system_info},
    {MQ_POST, "/api/v1/reports/csp", mq_api_csp_report},
    {MQ_POST, "/api/v1/setup", mq_api_setup},
    {MQ_POST, "/api/v1/auth/login", mq_api_auth_login},
    {MQ_POST, "/api/v1/auth/refresh", mq_api_auth_refresh},
    {MQ_POST, "/api/v1/auth/logout", mq_api_auth_logout},
    {MQ_GET, "/api/v1/users/me", mq_api_users_me},
    {MQ_GET, "/api/v1/users/me/activity", mq_api_users_me_activity},
    {MQ_GET, "/api/v1/sessions", mq_api_sessions_list},
    {MQ_GET, "/api/v1/jobs/{id}", mq_api_jobs_get_own},
    {MQ_DELETE, "/api/v1/sessions", mq_api_sessions_delete_others},
    {MQ_DELETE, "/api/v1/sessions/{id}", mq_api_sessions_delete},
    {MQ_GET, "/api/v1/admin/jobs", mq_api_admin_jobs_list},
    {MQ_GET, "/api/v1/admin/jobs/{id}", mq_api_admin_jobs_get},
    {MQ_POST, "/api/v1/admin/jobs/{id}/retry", mq_api_admin_jobs_retry},
    {MQ_POST, "/api/v1/admin/jobs/{id}/cancel", mq_api_admin_jobs_cancel},
    {MQ_GET, "/api/v1/admin/audit-logs", mq_api_admin_audit_list},
    {MQ_GET, "/api/v1/admin/audit-logs/export", mq_api_admin_audit_export},
};

mq_err mq_api_register(struct mq_router *r)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        mq_err err = mq_router_add(r, routes[i].method, routes[i].pattern, routes[i].handler);
        if (err) return err;
    }
    return MQ_OK;
}
