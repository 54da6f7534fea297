#include "core/utf8.h"

#include <string.h>

size_t mq_utf8_sequence_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) return 0;
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return len;
}

bool mq_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = mq_utf8_sequence_len(s + i, n - i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

/* Copies characters of s while they fit in `room` bytes; returns bytes
 * written, and in *done whether all of s was. */
static size_t clip_copy(const char *s, size_t n, char *out, size_t room, bool *done)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t len = mq_utf8_sequence_len(s + i, n - i);
        bool bad = len == 0 || (len == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f));
        size_t take = bad ? 1 : len;
        if (o + take > room) break;
        if (bad)
            out[o] = '?';
        else
            memcpy(out + o, s + i, take);
        o += take;
        i += take;
    }
    *done = i == n;
    return o;
}

char *mq_utf8_clip(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    bool done;
    if (cap < 4) {
        if (cap) out[0] = 0;
        return out;
    }
    size_t o = clip_copy(s, n, out, cap - 1, &done);
    if (!done) {
        o = clip_copy(s, n, out, cap - 4, &done);
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
    return out;
}

size_t mq_utf8_repair(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap) return 0;
    for (size_t i = 0; i < n;) {
        size_t k = mq_utf8_sequence_len(s + i, n - i);
        const char *from = s + i;
        size_t want = k;
        if (!k || (k == 1 && (unsigned char)s[i] < 0x20)) {
            /* Invalid, or a control character: U+FFFD in its place. */
            from = "\xEF\xBF\xBD";
            want = 3;
            k = 1;
        }
        if (o + want > cap - 1) break;
        memcpy(out + o, from, want);
        o += want;
        i += k;
    }
    out[o] = 0;
    return o;
}

size_t mq_utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}
