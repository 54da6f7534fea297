#include "core/text.h"

#include <string.h>

#include "core/utf8.h"

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
        has_control(email) || strpbrk(email, " <>\"(),;:\\[]") ||
        memchr(email, '@', (size_t)(at - email)) || at - email > 64)
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

bool mq_mail_address_valid(const char *addr)
{
    if (!addr || !*addr || strlen(addr) > 254) return false;
    const char *at = strchr(addr, '@');
    if (!at || at == addr || !at[1] || strchr(at + 1, '@')) return false;
    /* Bytes from 0x80 are UTF-8 (RFC 6531 addresses, sent with SMTPUTF8). */
    for (const char *p = addr; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f || strchr("<>\"(),;:\\[]", *p))
            return false;
    return true;
}
