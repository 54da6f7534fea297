/* fold.c - search text folding (fold.h). ICU does the Unicode work
 * (decomposition, case folding, character classes); what is ours is which
 * characters break words, which vanish and which forms are added. */
#include "search/fold.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf16.h>

#include "core/libicu.h"
#include "core/utf8.h"

enum cls { C_SPACE, C_PUNCT, C_WORD, C_CJK, C_SKIP, C_AND };

bool mq_search_cjk(unsigned cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || /* hiragana, katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) || /* katakana extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) || /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) || /* CJK unified ideographs */
           (cp >= 0xF900 && cp <= 0xFAFF) || /* compatibility ideographs */
           (cp >= 0xAC00 && cp <= 0xD7AF) || /* Hangul syllables */
           (cp >= 0x1100 && cp <= 0x11FF) || /* Hangul jamo */
           (cp >= 0x3130 && cp <= 0x318F) || /* Hangul compatibility jamo */
           (cp >= 0x20000 && cp <= 0x3134F); /* supplementary ideographs */
}

static bool apostrophe(UChar32 c)
{
    switch (c) {
    case 0x0027:
    case 0x0060:
    case 0x00B4:
    case 0x02B9:
    case 0x02BB:
    case 0x02BC:
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
    case 0xFF07: return true;
    default: return false;
    }
}

static enum cls classify(const struct mq_libicu *icu, UChar32 c)
{
    if (apostrophe(c)) return C_SKIP;
    if (c == '&' || c == 0xFE60 || c == 0xFF06) return C_AND;
    switch (icu->charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_COMBINING_SPACING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER: return mq_search_cjk((unsigned)c) ? C_CJK : C_WORD;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_FORMAT_CHAR: /* soft hyphen, zero-width joiner */ return C_SKIP;
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_CONTROL_CHAR: return C_SPACE;
    default: return C_PUNCT;
    }
}

/* The Latin letters that do not decompose, spelled as people type them. */
static const char *spelled(UChar32 c)
{
    switch (c) {
    case 0x0153: return "oe"; /* œ */
    case 0x00E6: return "ae"; /* æ */
    case 0x00F8: return "o";  /* ø */
    case 0x0142: return "l";  /* ł */
    case 0x0111: return "d";  /* đ */
    case 0x00F0: return "d";  /* ð */
    case 0x00FE: return "th"; /* þ */
    case 0x0131: return "i";  /* dotless ı */
    case 0x0127: return "h";  /* ħ */
    case 0x0167: return "t";  /* ŧ */
    default: return NULL;
    }
}

static size_t put_utf8(char *out, UChar32 c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* A word as the tokenizer found it: bytes in `chars`, CJK or not, and the
 * group of words only punctuation joined ("spider-man" is one group). */
struct word {
    size_t off, len;
    int group;
    bool cjk;
};

struct scratch {
    char *chars; /* every word's bytes, back to back */
    size_t used, cap;
    struct word *w;
    size_t n, wcap;
    char *out; /* the token line */
    size_t olen, ocap;
};

static bool room(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    char *p = realloc(*buf, c);
    if (!p) return false;
    *buf = p;
    *cap = c;
    return true;
}

static bool emit(struct scratch *s, const char *tok, size_t len)
{
    if (!len) return true;
    if (!room(&s->out, &s->ocap, s->olen + len + 2)) return false;
    if (s->olen) s->out[s->olen++] = ' ';
    memcpy(s->out + s->olen, tok, len);
    s->olen += len;
    s->out[s->olen] = 0;
    return true;
}

/* Converts UTF-16 with one of ICU's normalizers into a fresh buffer. */
static UChar *normalize(const struct mq_libicu *icu, const UNormalizer2 *nz, const UChar *src,
                        int32_t n, int32_t *outn)
{
    int32_t cap = n * 3 + 16;
    for (int tries = 0; tries < 2; tries++) {
        UChar *dst = malloc((size_t)cap * sizeof(UChar));
        if (!dst) return NULL;
        UErrorCode st = U_ZERO_ERROR;
        int32_t m = icu->normalize(nz, src, n, dst, cap, &st);
        if (U_SUCCESS(st)) {
            *outn = m;
            return dst;
        }
        free(dst);
        if (st != U_BUFFER_OVERFLOW_ERROR) return NULL;
        cap = m + 16;
    }
    return NULL;
}

/* The other form of 1-20: roman for digits, digits for roman ("i" is left
 * alone: it is a word far more often than a number). */
static const char *const ROMAN[] = {NULL,  NULL,   "ii",  "iii",  "iv",    "v",   "vi",
                                    "vii", "viii", "ix",  "x",    "xi",    "xii", "xiii",
                                    "xiv", "xv",   "xvi", "xvii", "xviii", "xix", "xx"};

static const char *number_form(const char *tok, size_t len, char *buf, size_t cap)
{
    if (len <= 2 && tok[0] >= '1' && tok[0] <= '9') {
        int v = tok[0] - '0';
        if (len == 2) {
            if (tok[1] < '0' || tok[1] > '9') return NULL;
            v = v * 10 + (tok[1] - '0');
        }
        return v >= 2 && v <= 20 ? ROMAN[v] : NULL;
    }
    for (int v = 2; v <= 20; v++)
        if (strlen(ROMAN[v]) == len && !memcmp(ROMAN[v], tok, len)) {
            snprintf(buf, cap, "%d", v);
            return buf;
        }
    return NULL;
}

static mq_err tokenize(const struct mq_libicu *icu, const UChar *u, int32_t n, struct scratch *s)
{
    int group = 0;
    bool in_word = false, in_cjk = false, spaced = true;
    struct word *cur = NULL;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        enum cls k = classify(icu, c);
        if (k == C_SKIP) continue;
        if (k == C_SPACE || k == C_PUNCT || k == C_AND) {
            in_word = in_cjk = false;
            if (k != C_PUNCT) spaced = true;
            if (k == C_AND) {
                /* "&" is the word "and", a group of its own. */
                if (!room(&s->chars, &s->cap, s->used + 4)) return MQ_ENOMEM;
                if (s->n == s->wcap) {
                    size_t wc = s->wcap ? s->wcap * 2 : 32;
                    struct word *w = realloc(s->w, wc * sizeof(*w));
                    if (!w) return MQ_ENOMEM;
                    s->w = w, s->wcap = wc;
                }
                memcpy(s->chars + s->used, "and", 3);
                s->w[s->n++] = (struct word){s->used, 3, ++group, false};
                s->used += 3;
            }
            continue;
        }
        bool cjk = k == C_CJK;
        if (!in_word || cjk != in_cjk) {
            if (s->n == s->wcap) {
                size_t wc = s->wcap ? s->wcap * 2 : 32;
                struct word *w = realloc(s->w, wc * sizeof(*w));
                if (!w) return MQ_ENOMEM;
                s->w = w, s->wcap = wc;
            }
            /* Joined to the last word by punctuation alone: the same group. */
            if (spaced || cjk || in_cjk || !s->n) group++;
            cur = &s->w[s->n++];
            *cur = (struct word){s->used, 0, group, cjk};
            in_word = true;
            in_cjk = cjk;
            spaced = false;
        }
        const char *sp = spelled(c);
        char enc[4];
        size_t elen = sp ? strlen(sp) : put_utf8(enc, c);
        if (!cjk && cur->len + elen > MQ_FOLD_TOKEN_MAX) continue;
        if (!room(&s->chars, &s->cap, s->used + elen + 1)) return MQ_ENOMEM;
        memcpy(s->chars + s->used, sp ? sp : enc, elen);
        s->used += elen;
        cur->len += elen;
    }
    return MQ_OK;
}

/* The bytes of the character starting at p (valid UTF-8 made by us). */
static size_t char_len(const char *p)
{
    unsigned char b = (unsigned char)*p;
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

static mq_err emit_words(struct scratch *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct word *w = &s->w[i];
        const char *p = s->chars + w->off;
        if (!w->cjk) {
            if (!emit(s, p, w->len)) return MQ_ENOMEM;
            continue;
        }
        size_t a = char_len(p);
        if (a >= w->len) {
            if (!emit(s, p, w->len)) return MQ_ENOMEM;
            continue;
        }
        /* Pairs of neighbouring characters. */
        for (size_t at = 0; at < w->len;) {
            size_t l1 = char_len(p + at);
            if (at + l1 >= w->len) break;
            size_t l2 = char_len(p + at + l1);
            if (!emit(s, p + at, l1 + l2)) return MQ_ENOMEM;
            at += l1;
        }
    }
    return MQ_OK;
}

static mq_err emit_forms(struct scratch *s)
{
    char joined[MQ_FOLD_TOKEN_MAX * 2 + 1];
    /* Words punctuation joined, written as one. */
    for (size_t i = 0; i < s->n;) {
        size_t j = i + 1;
        while (j < s->n && s->w[j].group == s->w[i].group && !s->w[j].cjk) j++;
        if (j - i >= 2 && !s->w[i].cjk) {
            size_t len = 0;
            for (size_t k = i; k < j; k++) {
                size_t l = s->w[k].len;
                if (len + l > MQ_FOLD_TOKEN_MAX) break;
                memcpy(joined + len, s->chars + s->w[k].off, l);
                len += l;
            }
            /* Two words are also a pair, below. */
            if (j - i > 2 && !emit(s, joined, len)) return MQ_ENOMEM;
        }
        i = j;
    }
    /* Neighbours joined: "spider man" meets "spiderman". */
    for (size_t i = 0; i + 1 < s->n; i++) {
        const struct word *a = &s->w[i], *b = &s->w[i + 1];
        if (a->cjk || b->cjk || a->len + b->len > sizeof(joined) - 1) continue;
        memcpy(joined, s->chars + a->off, a->len);
        memcpy(joined + a->len, s->chars + b->off, b->len);
        if (!emit(s, joined, a->len + b->len)) return MQ_ENOMEM;
    }
    /* II <-> 2. */
    for (size_t i = 0; i < s->n; i++) {
        char num[12];
        const struct word *w = &s->w[i];
        if (w->cjk) continue;
        const char *f = number_form(s->chars + w->off, w->len, num, sizeof(num));
        if (f && !emit(s, f, strlen(f))) return MQ_ENOMEM;
    }
    return MQ_OK;
}

mq_err mq_search_fold(struct mq_arena *a, const char *text, size_t n, unsigned flags,
                      struct mq_folded *out)
{
    const struct mq_libicu *icu = mq_libicu();
    struct scratch s = {0};
    UChar *u16 = NULL, *nfkd = NULL, *folded = NULL, *nfc = NULL;
    char *repaired = NULL;
    mq_err err = MQ_ENOMEM;
    memset(out, 0, sizeof(*out));
    out->tokens = out->compact = "";
    if (!icu) return MQ_EUNAVAILABLE;
    if (n > MQ_FOLD_INPUT_MAX) n = MQ_FOLD_INPUT_MAX;
    if (!n) return MQ_OK;

    /* Invalid bytes become U+FFFD, which breaks words like punctuation. */
    size_t rcap = n * 3 + 1;
    if (!(repaired = malloc(rcap))) goto out;
    size_t rlen = mq_utf8_repair(text, n, repaired, rcap);
    repaired[rlen] = 0;

    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0;
    if (!(u16 = malloc((rlen + 1) * sizeof(UChar)))) goto out;
    icu->strFromUTF8(u16, (int32_t)rlen + 1, &ulen, repaired, (int32_t)rlen, &st);
    if (U_FAILURE(st)) goto fail;
    int32_t dlen = 0, flen = 0, clen = 0;
    st = U_ZERO_ERROR;
    const UNormalizer2 *nfkd_nz = icu->getNFKDInstance(&st);
    const UNormalizer2 *nfc_nz = U_SUCCESS(st) ? icu->getNFCInstance(&st) : NULL;
    if (U_FAILURE(st)) goto fail;
    if (!(nfkd = normalize(icu, nfkd_nz, u16, ulen, &dlen))) goto fail;
    int32_t fcap = dlen * 3 + 16;
    if (!(folded = malloc((size_t)fcap * sizeof(UChar)))) goto out;
    st = U_ZERO_ERROR;
    flen = icu->strFoldCase(folded, fcap, nfkd, dlen, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st)) goto fail;
    /* Marks go before recomposing, so "é" cannot come back. */
    int32_t kept = 0;
    for (int32_t i = 0; i < flen;) {
        int32_t start = i;
        UChar32 c;
        U16_NEXT(folded, i, flen, c);
        int8_t t = icu->charType(c);
        if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK) continue;
        while (start < i) folded[kept++] = folded[start++];
    }
    if (!(nfc = normalize(icu, nfc_nz, folded, kept, &clen))) goto fail;

    err = tokenize(icu, nfc, clen, &s);
    if (!err) err = emit_words(&s);
    if (!err) {
        int words = 0;
        for (const char *p = s.out; p && *p; p++)
            if (*p == ' ') words++;
        out->words = s.olen ? words + 1 : 0;
    }
    if (!err && (flags & MQ_FOLD_FORMS)) err = emit_forms(&s);
    if (err) goto out;
    char *tokens = mq_arena_strndup(a, s.out ? s.out : "", s.olen);
    char *compact = mq_arena_alloc(a, s.used + 1);
    if (!tokens || !compact) {
        err = MQ_ENOMEM;
        goto out;
    }
    size_t c = 0;
    for (size_t i = 0; i < s.n; i++) {
        memcpy(compact + c, s.chars + s.w[i].off, s.w[i].len);
        c += s.w[i].len;
    }
    compact[c] = 0;
    out->tokens = tokens;
    out->len = s.olen;
    out->compact = compact;
    err = MQ_OK;
    goto out;
fail:
    err = MQ_EUNAVAILABLE;
out:
    free(repaired);
    free(u16);
    free(nfkd);
    free(folded);
    free(nfc);
    free(s.chars);
    free(s.w);
    free(s.out);
    return err;
}
