#include "media/paths.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"

static const char HEX[] = "0123456789ABCDEF";

char *mq_path_escape(struct mq_arena *a, const char *raw, size_t n)
{
    char *out = mq_arena_alloc(a, n * 3 + 1);
    size_t o = 0;
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)raw[i];
        size_t k = mq_utf8_sequence_len(raw + i, n - i);
        if (k > 1 || (k == 1 && c >= 0x20 && c != '%' && c != 0x7f)) {
            memcpy(out + o, raw + i, k);
            o += k;
            i += k;
            continue;
        }
        out[o++] = '%';
        out[o++] = HEX[c >> 4];
        out[o++] = HEX[c & 15];
        i++;
    }
    out[o] = 0;
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

char *mq_path_unescape(struct mq_arena *a, const char *esc, size_t *n)
{
    size_t len = strlen(esc), o = 0;
    char *out = mq_arena_alloc(a, len + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        if (esc[i] != '%') {
            out[o++] = esc[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(esc[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(esc[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return NULL;
        out[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[o] = 0;
    if (n) *n = o;
    return out;
}

char *mq_path_normalize(struct mq_arena *a, const char *in, const char **why)
{
    size_t n = strlen(in), o = 0;
    *why = NULL;
    if (!n || in[0] != '/') {
        *why = "a library folder is an absolute path, starting with /";
        return NULL;
    }
    char *out = mq_arena_alloc(a, n + 2);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        while (i < n && in[i] == '/') i++;
        size_t start = i;
        while (i < n && in[i] != '/') i++;
        size_t k = i - start;
        if (k == 0 || (k == 1 && in[start] == '.')) continue;
        if (k == 2 && in[start] == '.' && in[start + 1] == '.') {
            *why = "a library folder may not contain \"..\"";
            return NULL;
        }
        out[o++] = '/';
        memcpy(out + o, in + start, k);
        o += k;
    }
    if (!o) out[o++] = '/';
    out[o] = 0;
    return out;
}

bool mq_path_within(const char *outer, const char *inner)
{
    size_t n = strlen(outer);
    if (n == 1 && outer[0] == '/') return inner[0] == '/';
    return !strncmp(outer, inner, n) && (inner[n] == 0 || inner[n] == '/');
}

int mq_path_open_same(struct mq_arena *a, const char *esc, int64_t dev, int64_t ino)
{
    char *raw = mq_path_unescape(a, esc, NULL);
    int fd = raw ? open(raw, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) || (int64_t)sb.st_dev != dev || (int64_t)sb.st_ino != ino)) {
        close(fd);
        return -1;
    }
    return fd;
}
