#include "auth/principal.h"

bool mq_principal_allows(const struct mq_principal *who, const char *needed)
{
    if (!mq_authz_allows(&who->authz, needed)) return false;
    return !who->api_key_id || mq_perms_cover(who->scopes, who->nscopes, needed);
}
