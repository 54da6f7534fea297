/* principal.h - who a request acts for, once authenticated: a user through
 * a session's access token (auth/sessions.h) or through an API key
 * (auth/apikeys.h), with what they may do. */
#ifndef MQ_AUTH_PRINCIPAL_H
#define MQ_AUTH_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/authz.h"

struct mq_principal {
    const char *user_id, *session_id; /* arena; session_id is NULL for an API key */
    struct mq_authz authz;            /* the user's roles and permissions */
    const char *mfa_method;           /* how the session proved a second factor, or NULL */
    int64_t auth_at;                  /* when its user last proved who they are */
    bool enrol_only;                  /* may only enrol a second factor */
    const char *actor_id;             /* impersonation: the admin acting as the user, or NULL */
    /* Signed in with an API key (auth/apikeys.h): its id, its scopes (which
     * narrow authz) and its own rate limit. */
    const char *api_key_id;
    const char **scopes;
    size_t nscopes;
    const char *key_rate_limit; /* NULL = the default */
};

/* Whether the principal may do what `needed` names: their roles allow it
 * and, for an API key, so do its scopes. */
bool mq_principal_allows(const struct mq_principal *who, const char *needed);

#endif
