#include "users/users.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "core/utf8.h"
#include "core/uuid.h"

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

bool mq_email_valid(const char *email, const char **why)
{
    size_t n = strlen(email);
    const char *at = strrchr(email, '@');
    *why = "not a valid e-mail address";
    if (n < 3 || n > MQ_EMAIL_MAX || !at || at == email || !mq_utf8_valid(email, n) ||
        has_control(email) || strchr(email, ' ') || memchr(email, '@', (size_t)(at - email)) ||
        at - email > 64)
        return false;
    const char *domain = at + 1;
    if (!*domain || !strchr(domain, '.')) {
        *why = "the e-mail address needs a domain such as example.org";
        return false;
    }
    /* Labels: 1-63 bytes, no leading or trailing '-', ASCII alnum or UTF-8. */
    const char *label = domain;
    for (const char *p = domain;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t len = (size_t)(p - label);
            if (len == 0 || len > 63 || label[0] == '-' || p[-1] == '-') return false;
            if (!*p) break;
            label = p + 1;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

void mq_email_key(const char *email, char *out, size_t outlen)
{
    size_t i = 0;
    for (; email[i] && i + 1 < outlen; i++) {
        char c = email[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[i] = '\0';
}

bool mq_display_name_valid(const char *name, const char **why)
{
    size_t n = strlen(name);
    if (n == 0 || n > MQ_NAME_MAX || !mq_utf8_valid(name, n) || has_control(name)) {
        *why = "the name must be 1 to 200 bytes of UTF-8 text without control characters";
        return false;
    }
    return true;
}

static bool role_valid(const char *role)
{
    static const char *const roles[] = {"admin", "moderator", "user", "guest"};
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(role, roles[i])) return true;
    return false;
}

mq_err mq_users_create(struct mq_ctx *ctx, const struct mq_user_new *u, char id[37],
                       const char **code, const char **why)
{
    char key[MQ_EMAIL_MAX + 1], name[MQ_NAME_MAX + 1], hash[MQ_PASSWORD_HASH_MAX];
    struct mq_db *db = NULL;

    if (!u->email || !mq_email_valid(u->email, why)) {
        *code = "invalid_email";
        return MQ_EINVAL;
    }
    if (u->display_name) {
        snprintf(name, sizeof(name), "%s", u->display_name);
        if (!mq_display_name_valid(u->display_name, why)) {
            *code = "invalid_name";
            return MQ_EINVAL;
        }
    } else {
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(u->email, "@"), u->email);
    }
    if (!u->role || !role_valid(u->role)) {
        *code = "invalid_role";
        *why = "the role must be admin, moderator, user or guest";
        return MQ_EINVAL;
    }
    if (!u->password || mq_password_check(ctx->cfg, u->password, u->email, name, code, why))
        return MQ_EINVAL;
    /* Hash first: the write transaction (SQLite's only writer) must not wait
     * for argon2id. */
    mq_err err = mq_password_hash(ctx->cfg, u->password, hash);
    if (err) return err;
    mq_email_key(u->email, key, sizeof(key));
    int64_t now = mq_clock_now_ms(ctx->clock);
    struct mq_user_row row = {.email = u->email,
                              .email_key = key,
                              .display_name = name,
                              .password_hash = hash,
                              .role = u->role,
                              .email_verified_at = u->email_verified ? now : 0,
                              .password_changed_at = now,
                              .created_at = now,
                              .updated_at = now};
    mq_uuid7_new(ctx->clock, ctx->rng, row.id);
    err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (!err) err = mq_store_finish(db, mq_store_user_insert(db, &row));
    sodium_memzero(hash, sizeof(hash));
    if (err == MQ_ECONFLICT) {
        *code = "email_taken";
        *why = "an account with this e-mail address exists";
    }
    if (!err) memcpy(id, row.id, sizeof(row.id));
    return err;
}
