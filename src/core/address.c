#include "core/address.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/libicu.h"

/* UTF-16 room for an address: never more units than UTF-8 bytes. */
#define U16_MAX (MQ_EMAIL_MAX + 1)

static bool to_u16(const char *s, UChar *out, int32_t cap, int32_t *len)
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    icu->strFromUTF8(out, cap, len, s, -1, &st);
    return U_SUCCESS(st) && *len < cap;
}

static bool to_u8(const UChar *s, int32_t len, char *out, int32_t cap)
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    icu->strToUTF8(out, cap, &n, s, len, &st);
    return U_SUCCESS(st) && n < cap;
}

static bool nfc(const char *in, char *out, int32_t cap)
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    UChar src[U16_MAX], dst[U16_MAX * 3];
    int32_t n = 0;
    const UNormalizer2 *norm = icu->getNFCInstance(&st);
    if (U_FAILURE(st) || !to_u16(in, src, U16_MAX, &n)) return false;
    int32_t m = icu->normalize(norm, src, n, dst, U16_MAX * 3, &st);
    return U_SUCCESS(st) && to_u8(dst, m, out, cap);
}

/* The first code point that has no business in an address: formatting and
 * invisible characters (zero-width space and joiners, bidi controls, soft
 * hyphen), private-use, unassigned and surrogate code points. */
static UChar32 hidden_char(const char *s)
{
    const struct mq_libicu *icu = mq_libicu();
    UChar buf[U16_MAX];
    int32_t n = 0;
    if (!to_u16(s, buf, U16_MAX, &n)) return -1;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(buf, i, n, c);
        int8_t t = icu->charType(c);
        if (t == U_FORMAT_CHAR || t == U_PRIVATE_USE_CHAR || t == U_UNASSIGNED ||
            t == U_SURROGATE || t == U_CONTROL_CHAR ||
            icu->hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            return c;
    }
    return 0;
}

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return false;
    return true;
}

/* An internationalised domain, mapped by UTS #46 (case folded, NFC, width
 * variants folded) and checked by IDNA 2008, back in Unicode. ASCII domains
 * are kept as given. */
static bool map_domain(const char *domain, char *out, size_t cap)
{
    if (ascii(domain)) {
        if (strlen(domain) >= cap) return false;
        memcpy(out, domain, strlen(domain) + 1);
        return true;
    }
    /* A label already in its ASCII form ("xn--...") is decoded without
     * being checked, so the Unicode form must encode back to the same. */
    const int flags = IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL;
    char *alabel = NULL, *ulabel = NULL, *again = NULL;
    bool ok = idn2_to_ascii_8z(domain, &alabel, flags) == IDN2_OK &&
              idn2_to_unicode_8z8z(alabel, &ulabel, 0) == IDN2_OK && strlen(ulabel) < cap &&
              idn2_to_ascii_8z(ulabel, &again, flags) == IDN2_OK && !strcmp(again, alabel);
    if (ok) memcpy(out, ulabel, strlen(ulabel) + 1);
    idn2_free(alabel);
    idn2_free(ulabel);
    idn2_free(again);
    return ok;
}

/* Splits at the last '@' into local part and domain, both NUL-terminated
 * copies; false when there is none. */
static bool split(const char *email, char local[MQ_EMAIL_MAX + 1], char domain[MQ_EMAIL_MAX + 1])
{
    const char *at = strrchr(email, '@');
    if (!at || (size_t)(at - email) > MQ_EMAIL_MAX || strlen(at + 1) > MQ_EMAIL_MAX) return false;
    memcpy(local, email, (size_t)(at - email));
    local[at - email] = 0;
    memcpy(domain, at + 1, strlen(at + 1) + 1);
    return true;
}

/* local@domain into out; the caller checked that it fits. */
static void join(const char *local, const char *domain, char out[MQ_EMAIL_MAX + 1])
{
    size_t l = strlen(local), d = strlen(domain);
    memcpy(out, local, l);
    out[l] = '@';
    memcpy(out + l + 1, domain, d + 1);
}

static USpoofChecker *open_checker(void)
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = icu->spoofOpen(&st);
    if (U_FAILURE(st)) return NULL;
    icu->spoofSetChecks(sc, USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS | USPOOF_INVISIBLE,
                        &st);
    icu->spoofSetRestrictionLevel(sc, USPOOF_HIGHLY_RESTRICTIVE);
    if (U_FAILURE(st)) {
        icu->spoofClose(sc);
        return NULL;
    }
    return sc;
}

/* Whether one run of text (a local part, a label) keeps to one script, or
 * to a combination people write together (Latin with Han and Kana). */
static bool one_script(USpoofChecker *sc, const char *s)
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    int32_t r = icu->spoofCheckUTF8(sc, s, -1, NULL, &st);
    return U_SUCCESS(st) && r == 0;
}

mq_err mq_address_normalize(const char *email, char out[MQ_EMAIL_MAX + 1], struct mq_refusal *why)
{
    if (!mq_libicu()) return MQ_EUNAVAILABLE;
    const struct mq_libicu *icu = mq_libicu();
    const char *rule = NULL;
    char text[MQ_EMAIL_MAX + 1], local[MQ_EMAIL_MAX + 1], domain[MQ_EMAIL_MAX + 1];
    char mapped[MQ_EMAIL_MAX + 1];
    if (!email || !mq_email_valid(email, &rule))
        return mq_refuse(why, MQ_EINVAL, "invalid_email", NULL, "%s",
                         rule ? rule : "give an e-mail address");
    UChar32 c = hidden_char(email);
    if (c)
        return mq_refuse(why, MQ_EINVAL, "invisible_character", "email",
                         "the address holds an invisible or formatting character (U+%04X)",
                         (unsigned)c);
    if (!nfc(email, text, sizeof(text)) || !split(text, local, domain))
        return mq_refuse(why, MQ_EINVAL, "invalid_email", "email", "not a valid e-mail address");
    if (!map_domain(domain, mapped, sizeof(mapped)))
        return mq_refuse(why, MQ_EINVAL, "invalid_email", "email",
                         "the domain is not a valid internationalised domain name (IDNA 2008)");
    USpoofChecker *sc = open_checker();
    if (!sc) return MQ_ENOMEM;
    bool mixed = !one_script(sc, local);
    for (char *label = mapped, *dot; !mixed && label; label = dot ? dot + 1 : NULL) {
        dot = strchr(label, '.');
        if (dot) *dot = 0;
        mixed = !ascii(label) && !one_script(sc, label);
        if (dot) *dot = '.';
    }
    icu->spoofClose(sc);
    if (mixed)
        return mq_refuse(why, MQ_EINVAL, "mixed_scripts", "email",
                         "the address mixes writing systems (such as Latin and Cyrillic letters "
                         "in one word), which lets it pass for another");
    if (strlen(local) + 1 + strlen(mapped) > MQ_EMAIL_MAX)
        return mq_refuse(why, MQ_EINVAL, "invalid_email", "email", "the address is too long");
    join(local, mapped, out);
    return mq_email_valid(out, &rule) ? MQ_OK
                                      : mq_refuse(why, MQ_EINVAL, "invalid_email", "email", "%s",
                                                  rule ? rule : "not a valid e-mail address");
}

void mq_address_key(const char *email, char out[MQ_EMAIL_MAX + 1])
{
    if (!mq_libicu()) {
        mq_email_key(email, out, MQ_EMAIL_MAX + 1);
        return;
    }
    char text[MQ_EMAIL_MAX + 1], local[MQ_EMAIL_MAX + 1], domain[MQ_EMAIL_MAX + 1];
    char mapped[MQ_EMAIL_MAX + 1], normal[MQ_EMAIL_MAX + 1];
    const char *use = email;
    if (nfc(email, text, sizeof(text))) {
        use = text;
        if (split(text, local, domain) && map_domain(domain, mapped, sizeof(mapped)) &&
            strlen(local) + 1 + strlen(mapped) <= MQ_EMAIL_MAX) {
            join(local, mapped, normal);
            use = normal;
        }
    }
    mq_email_key(use, out, MQ_EMAIL_MAX + 1);
}

struct mq_skeletons {
    USpoofChecker *sc;
};

mq_err mq_skeletons_open(struct mq_skeletons **out)
{
    if (!mq_libicu()) return MQ_EUNAVAILABLE;
    struct mq_skeletons *s = calloc(1, sizeof(*s));
    if (!s) return MQ_ENOMEM;
    s->sc = open_checker();
    if (!s->sc) {
        free(s);
        return MQ_ENOMEM;
    }
    *out = s;
    return MQ_OK;
}

void mq_skeletons_close(struct mq_skeletons *s)
{
    const struct mq_libicu *icu = mq_libicu();
    if (!s) return;
    icu->spoofClose(s->sc);
    free(s);
}

bool mq_skeleton(struct mq_skeletons *s, const char *key, char out[MQ_SKELETON_MAX + 1])
{
    const struct mq_libicu *icu = mq_libicu();
    UErrorCode st = U_ZERO_ERROR;
    UChar src[U16_MAX], folded[U16_MAX * 3];
    char utf8[MQ_SKELETON_MAX + 1];
    int32_t n = 0;
    if (!to_u16(key, src, U16_MAX, &n)) return false;
    int32_t m = icu->strFoldCase(folded, U16_MAX * 3, src, n, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st) || !to_u8(folded, m, utf8, sizeof(utf8))) return false;
    icu->spoofGetSkeletonUTF8(s->sc, 0, utf8, -1, out, MQ_SKELETON_MAX + 1, &st);
    return U_SUCCESS(st);
}
