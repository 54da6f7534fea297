#include "media/subtitles.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

enum mq_subtitle_format mq_subtitle_format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return MQ_SUB_UNKNOWN;
    if (!strcasecmp(dot, ".srt")) return MQ_SUB_SRT;
    if (!strcasecmp(dot, ".vtt")) return MQ_SUB_VTT;
    if (!strcasecmp(dot, ".ass") || !strcasecmp(dot, ".ssa")) return MQ_SUB_ASS;
    return MQ_SUB_UNKNOWN;
}

mq_err mq_vtt_begin(struct mq_buf *out)
{
    return mq_buf_adds(out, "WEBVTT\n\n");
}

static mq_err add_time(struct mq_buf *out, int64_t ms)
{
    if (ms < 0) ms = 0;
    if (ms > 359999999) ms = 359999999; /* 99:59:59.999 */
    return mq_buf_printf(out, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
                         (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
                         (long long)(ms % 1000));
}

/* The tags WebVTT knows and SubRip uses; everything else in <> goes. */
static size_t keep_tag(const char *p, size_t left)
{
    static const char *const tags[] = {"<b>", "</b>", "<i>", "</i>", "<u>", "</u>", NULL};
    for (int i = 0; tags[i]; i++) {
        size_t k = strlen(tags[i]);
        if (left >= k && !strncasecmp(p, tags[i], k)) return k;
    }
    return 0;
}

/* Appends text as cue text: valid UTF-8, no blank line, no "-->", only
 * <b>/<i>/<u> markup; ASS override blocks ({\...}) dropped and its \N, \n
 * and \h read as line breaks and spaces. */
static mq_err add_text(struct mq_buf *out, const char *s, size_t n, int ass)
{
    char clean[4096];
    size_t o = 0;
    int line_empty = 1;
    for (size_t i = 0; i < n && o + 8 < sizeof(clean);) {
        unsigned char c = (unsigned char)s[i];
        if (ass && c == '{') {
            const char *end = memchr(s + i, '}', n - i);
            i = end ? (size_t)(end - s) + 1 : n;
            continue;
        }
        if (ass && c == '\\' && i + 1 < n &&
            (s[i + 1] == 'N' || s[i + 1] == 'n' || s[i + 1] == 'h')) {
            char r = s[i + 1] == 'h' ? ' ' : '\n';
            i += 2;
            if (r == '\n' && line_empty) continue;
            clean[o++] = r;
            line_empty = r == '\n';
            continue;
        }
        if (c == '\r') {
            i++;
            continue;
        }
        if (c == '\n') {
            i++;
            if (line_empty) continue; /* a blank line would end the cue */
            clean[o++] = '\n';
            line_empty = 1;
            continue;
        }
        if (c == '<') {
            size_t k = keep_tag(s + i, n - i);
            if (k) {
                memcpy(clean + o, s + i, k);
                o += k;
                i += k;
                continue;
            }
            const char *end = memchr(s + i, '>', n - i);
            if (end && end - (s + i) < 64) {
                i = (size_t)(end - s) + 1; /* <font color=...>, </font>, ... */
                continue;
            }
            memcpy(clean + o, "&lt;", 4);
            o += 4;
            i++;
            line_empty = 0;
            continue;
        }
        if (c == '&') {
            memcpy(clean + o, "&amp;", 5);
            o += 5;
            i++;
            line_empty = 0;
            continue;
        }
        if (c == '>') {
            memcpy(clean + o, "&gt;", 4); /* so that "-->" cannot appear */
            o += 4;
            i++;
            line_empty = 0;
            continue;
        }
        if (c < 0x20 && c != '\t') {
            i++;
            continue;
        }
        size_t k = mq_utf8_sequence_len(s + i, n - i);
        if (!k) {
            memcpy(clean + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(clean + o, s + i, k);
            o += k;
            i += k;
        }
        line_empty = 0;
    }
    while (o && (clean[o - 1] == '\n' || clean[o - 1] == ' ')) o--;
    if (!o) return MQ_OK;
    mq_err err = mq_buf_add(out, clean, o);
    return err ? err : mq_buf_adds(out, "\n\n");
}

mq_err mq_vtt_cue(struct mq_buf *out, int64_t start_ms, int64_t end_ms, const char *text, size_t n,
                  enum mq_cue_kind ass)
{
    if (ass == MQ_CUE_ASS_EVENT) {
        /* ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text */
        for (int commas = 0; commas < 8 && n; n--, text++)
            if (*text == ',') commas++;
    }
    if (end_ms <= start_ms) end_ms = start_ms + 1;
    size_t before = out->len;
    mq_err err = add_time(out, start_ms);
    if (!err) err = mq_buf_adds(out, " --> ");
    if (!err) err = add_time(out, end_ms);
    if (!err) err = mq_buf_adds(out, "\n");
    size_t timing = out->len;
    if (!err) err = add_text(out, text, n, ass);
    if (!err && out->len == timing) out->len = before; /* an empty cue is no cue */
    return err;
}

/* "HH:MM:SS,mmm", "MM:SS.mmm", "H:MM:SS.cc" (ASS): ms, or -1. */
static int64_t parse_time(const char **pp, const char *end)
{
    const char *p = *pp;
    int64_t parts[3] = {0, 0, 0};
    int np = 0;
    while (p < end && *p == ' ') p++;
    for (;;) {
        if (p >= end || !isdigit((unsigned char)*p)) return -1;
        int64_t v = 0;
        int digits = 0;
        while (p < end && isdigit((unsigned char)*p) && digits < 9)
            v = v * 10 + (*p++ - '0'), digits++;
        parts[np++] = v;
        if (np < 3 && p < end && *p == ':') {
            p++;
            continue;
        }
        break;
    }
    int64_t h = np == 3 ? parts[0] : 0, m = parts[np - 2 >= 0 ? np - 2 : 0], s = parts[np - 1];
    if (np < 2 || m > 59 || s > 59) return -1;
    int64_t frac = 0;
    if (p < end && (*p == ',' || *p == '.')) {
        p++;
        int digits = 0;
        while (p < end && isdigit((unsigned char)*p)) {
            if (digits < 3) frac = frac * 10 + (*p - '0');
            digits++;
            p++;
        }
        for (; digits < 3 && digits > 0; digits++) frac *= 10;
    }
    *pp = p;
    return ((h * 60 + m) * 60 + s) * 1000 + frac;
}

static const char *next_line(const char *p, const char *end, const char **line_end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *line_end = nl ? nl : end;
    if (*line_end > p && (*line_end)[-1] == '\r') (*line_end)--;
    return nl ? nl + 1 : end;
}

/* SubRip and WebVTT: blocks separated by blank lines, each with a timing
 * line ("a --> b", settings after it ignored) and its text. */
static mq_err blocks_to_vtt(const char *data, size_t n, struct mq_buf *out, int *cues)
{
    const char *p = data, *end = data + n;
    while (p < end) {
        const char *le, *next = next_line(p, end, &le);
        const char *arrow = NULL;
        for (const char *q = p; q + 3 <= le; q++)
            if (!memcmp(q, "-->", 3)) {
                arrow = q;
                break;
            }
        if (!arrow) {
            p = next;
            continue;
        }
        const char *t = p;
        int64_t a = parse_time(&t, arrow);
        t = arrow + 3;
        int64_t b = parse_time(&t, le);
        /* The text: lines up to a blank one. */
        const char *text = next, *text_end = next;
        p = next;
        while (p < end) {
            next = next_line(p, end, &le);
            if (le == p) {
                p = next;
                break;
            }
            text_end = le;
            p = next;
        }
        if (a < 0 || b < 0) continue;
        mq_err err = mq_vtt_cue(out, a, b, text, (size_t)(text_end - text), MQ_CUE_PLAIN);
        if (err) return err;
        (*cues)++;
    }
    return MQ_OK;
}

/* SubStation Alpha: the [Events] section's Format line names the fields;
 * each Dialogue line gives one cue. */
static mq_err ass_to_vtt(const char *data, size_t n, struct mq_buf *out, int *cues)
{
    const char *p = data, *end = data + n;
    int in_events = 0, f_start = 1, f_end = 2, f_text = 9, nfields = 10;
    while (p < end) {
        const char *le, *next = next_line(p, end, &le);
        size_t len = (size_t)(le - p);
        if (len && *p == '[')
            in_events = len >= 8 && !strncasecmp(p, "[events]", 8);
        else if (in_events && len > 7 && !strncasecmp(p, "Format:", 7)) {
            int i = 0;
            for (const char *q = p + 7; q < le && i < 32; i++) {
                while (q < le && *q == ' ') q++;
                const char *c = memchr(q, ',', (size_t)(le - q));
                const char *fe = c ? c : le;
                size_t fl = (size_t)(fe - q);
                while (fl && q[fl - 1] == ' ') fl--;
                if (fl == 5 && !strncasecmp(q, "Start", 5))
                    f_start = i;
                else if (fl == 3 && !strncasecmp(q, "End", 3))
                    f_end = i;
                else if (fl == 4 && !strncasecmp(q, "Text", 4))
                    f_text = i;
                q = c ? c + 1 : le;
            }
            nfields = i;
        } else if (in_events && len > 9 && !strncasecmp(p, "Dialogue:", 9)) {
            const char *field[32] = {0}, *q = p + 9;
            int i = 0;
            /* The text is the last field and may hold commas. */
            for (; i < nfields - 1 && i < 31 && q < le; i++) {
                field[i] = q;
                const char *c = memchr(q, ',', (size_t)(le - q));
                q = c ? c + 1 : le;
            }
            field[i] = q;
            if (f_start <= i && f_end <= i && f_text <= i && field[f_start] && field[f_end] &&
                field[f_text]) {
                const char *t = field[f_start];
                int64_t a = parse_time(&t, le);
                t = field[f_end];
                int64_t b = parse_time(&t, le);
                const char *text = field[f_text];
                if (a >= 0 && b >= 0) {
                    mq_err err = mq_vtt_cue(out, a, b, text, (size_t)(le - text), MQ_CUE_ASS_TEXT);
                    if (err) return err;
                    (*cues)++;
                }
            }
        }
        p = next;
    }
    return MQ_OK;
}

mq_err mq_subtitle_to_vtt(const char *data, size_t n, enum mq_subtitle_format f, struct mq_buf *out)
{
    int cues = 0;
    if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) data += 3, n -= 3; /* a BOM */
    mq_err err = mq_vtt_begin(out);
    if (err) return err;
    if (f == MQ_SUB_ASS)
        err = ass_to_vtt(data, n, out, &cues);
    else if (f == MQ_SUB_SRT || f == MQ_SUB_VTT)
        err = blocks_to_vtt(data, n, out, &cues);
    else
        return MQ_EUNSUPPORTED;
    if (err) return err;
    return cues ? MQ_OK : MQ_EPARSE;
}
