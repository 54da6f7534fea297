#include "mail/smtp.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "core/libcurl.h"

#define CONNECT_TIMEOUT_MS 10000L

/* Credentials in the URL for a host elsewhere: then STARTTLS is a must. */
static bool needs_tls(const struct mq_libcurl *lc, const char *url)
{
    CURLU *u = lc->url();
    char *user = NULL, *host = NULL;
    bool must = true; /* what cannot be parsed is treated as remote */
    if (u && lc->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        lc->url_get(u, CURLUPART_USER, &user, 0);
        lc->url_get(u, CURLUPART_HOST, &host, 0);
        bool local = host && (!strcmp(host, "localhost") || !strncmp(host, "127.", 4) ||
                              !strcmp(host, "[::1]"));
        must = user && *user && !local;
    }
    lc->free(user);
    lc->free(host);
    lc->url_cleanup(u);
    return must;
}

static struct curl_slist *add(const struct mq_libcurl *lc, struct curl_slist *list, bool *oom,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct curl_slist *add(const struct mq_libcurl *lc, struct curl_slist *list, bool *oom,
                              const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    struct curl_slist *next = lc->slist_append(list, line);
    if (!next) *oom = true;
    return next ? next : list;
}

/* text/plain or text/html, UTF-8, quoted-printable (lines stay short and
 * 8-bit-clean whatever the names and links in them). */
static curl_mimepart *add_part(const struct mq_libcurl *lc, curl_mime *mime, const char *data,
                               const char *type)
{
    curl_mimepart *part = lc->mime_addpart(mime);
    if (!part || lc->mime_data(part, data, CURL_ZERO_TERMINATED) != CURLE_OK ||
        lc->mime_type(part, type) != CURLE_OK ||
        lc->mime_encoder(part, "quoted-printable") != CURLE_OK)
        return NULL;
    return part;
}

/* Appends `text` as RFC 2047 encoded words of at most 45 bytes each (75
 * characters), cut between characters, each after a space. */
static size_t encoded_words(const char *text, char *out, size_t o, size_t outlen)
{
    size_t n = strlen(text);
    for (size_t at = 0; at < n && o < outlen;) {
        size_t len = 0;
        while (at + len < n) {
            size_t step = mq_utf8_sequence_len(text + at + len, n - at - len);
            if (!step || len + step > 45) break;
            len += step;
        }
        if (!len) break;
        char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)text + at, len,
                          sodium_base64_VARIANT_ORIGINAL);
        o += (size_t)snprintf(out + o, outlen - o, " =?UTF-8?B?%s?=", b64);
        at += len;
    }
    return o < outlen ? o : outlen - 1;
}

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
            return false;
    return true;
}

/* The From header: the name as a quoted string when it is plain ASCII,
 * else as encoded words. Control characters never reach here (the
 * configuration refuses them). */
static void from_header(const char *name, const char *addr, char *out, size_t outlen)
{
    if (plain_ascii(name)) {
        snprintf(out, outlen, "From: \"%s\" <%s>", name, addr);
        return;
    }
    size_t o = encoded_words(name, out, (size_t)snprintf(out, outlen, "From:"), outlen);
    if (o < outlen) snprintf(out + o, outlen - o, " <%s>", addr);
}

/* The subject as it is when plain ASCII, else as encoded words: a title
 * in the subject may be in any script. The template renderer has made
 * its control characters spaces. */
#define SUBJECT_MAX 240 /* bytes: encoded, the header stays one line of under 998 */

static void subject_header(const char *subject, char *out, size_t outlen)
{
    char cut[SUBJECT_MAX + 1];
    size_t n = strlen(subject);
    if (n > SUBJECT_MAX) {
        n = SUBJECT_MAX;
        while (n && ((unsigned char)subject[n] & 0xc0) == 0x80) n--; /* between characters */
        memcpy(cut, subject, n);
        cut[n] = 0;
        subject = cut;
    }
    if (plain_ascii(subject))
        snprintf(out, outlen, "Subject: %s", subject);
    else
        encoded_words(subject, out, (size_t)snprintf(out, outlen, "Subject:"), outlen);
}

mq_err mq_smtp_send(const char *url, long timeout_ms, const struct mq_smtp_message *m, char *why,
                    size_t whylen)
{
    char errbuf[CURL_ERROR_SIZE] = "", date[64], from[300], to[300], from_line[640];
    char subject_line[1024];
    struct curl_slist *rcpt = NULL, *headers = NULL;
    curl_mime *mime = NULL, *alt = NULL;
    bool oom = false;
    mq_err err = MQ_EUNAVAILABLE;
    long code = 0;

    const struct mq_libcurl *lc = mq_libcurl_get(why, whylen);
    if (!lc) return MQ_EUNAVAILABLE;
    snprintf(why, whylen, "out of memory");
    CURL *curl = lc->easy_init();
    if (!curl) return MQ_ENOMEM;

    time_t secs = (time_t)(m->date_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(from, sizeof(from), "<%s>", m->from);
    snprintf(to, sizeof(to), "<%s>", m->to);

    rcpt = add(lc, rcpt, &oom, "%s", to);
    headers = add(lc, headers, &oom, "Date: %s", date);
    from_header(m->from_name ? m->from_name : "Marquee", m->from, from_line, sizeof(from_line));
    headers = add(lc, headers, &oom, "%s", from_line);
    headers = add(lc, headers, &oom, "To: %s", m->to);
    subject_header(m->subject, subject_line, sizeof(subject_line));
    headers = add(lc, headers, &oom, "%s", subject_line);
    headers = add(lc, headers, &oom, "Message-ID: %s", m->message_id);
    headers = add(lc, headers, &oom, "Auto-Submitted: %s", "auto-generated");
    if (m->list_unsubscribe) {
        /* RFC 8058: one POST to the URL unsubscribes, with no page to
         * visit, so a mail client can offer the button. */
        headers = add(lc, headers, &oom, "List-Unsubscribe: <%s>", m->list_unsubscribe);
        headers = add(lc, headers, &oom, "List-Unsubscribe-Post: %s", "List-Unsubscribe=One-Click");
    }
    mime = lc->mime_init(curl);
    alt = lc->mime_init(curl);
    if (oom || !mime || !alt) goto cleanup;
    if (!add_part(lc, alt, m->text, "text/plain; charset=utf-8") ||
        !add_part(lc, alt, m->html, "text/html; charset=utf-8"))
        goto cleanup;
    curl_mimepart *body = lc->mime_addpart(mime);
    if (!body || lc->mime_subparts(body, alt) != CURLE_OK) goto cleanup;
    alt = NULL; /* owned by mime now */
    if (lc->mime_type(body, "multipart/alternative") != CURLE_OK) goto cleanup;

    lc->easy_setopt(curl, CURLOPT_URL, url);
    lc->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    lc->easy_setopt(curl, CURLOPT_USE_SSL,
                    needs_tls(lc, url) ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    lc->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    lc->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    lc->easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    lc->easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    lc->easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    lc->easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    lc->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    lc->easy_setopt(curl, CURLOPT_MIMEPOST, mime);

    CURLcode rc = lc->easy_perform(curl);
    lc->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        err = MQ_OK;
        snprintf(why, whylen, "accepted");
    } else {
        /* 5xx is the server's final word, except on authentication, which
         * an operator can fix by correcting smtp_url. */
        bool final = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
        err = final ? MQ_EINVAL : MQ_EUNAVAILABLE;
        snprintf(why, whylen, "SMTP %s (reply %ld): %s", final ? "refused" : "failed", code,
                 errbuf[0] ? errbuf : lc->easy_strerror(rc));
    }

cleanup:
    lc->mime_free(alt);
    lc->mime_free(mime);
    lc->slist_free_all(headers);
    lc->slist_free_all(rcpt);
    lc->easy_cleanup(curl);
    return err;
}
