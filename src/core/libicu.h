/* libicu.h - ICU, loaded at run time by the address rules (core/address.h)
 * and local time in a member's time zone (core/zone.h).
 *
 * Linking ICU costs every process about 2.5 MB of resident memory (its two
 * libraries and the C++ runtime they bring; bench/README.md), for code that
 * runs when someone registers or changes an address. So the binary does not
 * link it: the first use loads it with dlopen (core/dynlib.h). ICU renames
 * every function with its major version (u_strFromUTF8 is u_strFromUTF8_72),
 * so the names looked up are those its headers give. */
#ifndef MQ_LIBICU_H
#define MQ_LIBICU_H

#include <unicode/ucal.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

#define MQ_ICU_STR(x)     #x
#define MQ_ICU_XSTR(x)    MQ_ICU_STR(x)
#define MQ_LIBICU_SONAME  "libicui18n.so." MQ_ICU_XSTR(U_ICU_VERSION_MAJOR_NUM)
#define MQ_LIBICU_PACKAGE "libicu" MQ_ICU_XSTR(U_ICU_VERSION_MAJOR_NUM)

#define MQ_LIBICU_FUNCTIONS(X)                                                                     \
    X(u_strFromUTF8, strFromUTF8)                                                                  \
    X(u_strToUTF8, strToUTF8)                                                                      \
    X(u_strFoldCase, strFoldCase)                                                                  \
    X(u_charType, charType)                                                                        \
    X(u_hasBinaryProperty, hasBinaryProperty)                                                      \
    X(unorm2_getNFCInstance, getNFCInstance)                                                       \
    X(unorm2_getNFKDInstance, getNFKDInstance)                                                     \
    X(unorm2_normalize, normalize)                                                                 \
    X(uspoof_open, spoofOpen)                                                                      \
    X(uspoof_close, spoofClose)                                                                    \
    X(uspoof_setChecks, spoofSetChecks)                                                            \
    X(uspoof_setRestrictionLevel, spoofSetRestrictionLevel)                                        \
    X(uspoof_checkUTF8, spoofCheckUTF8)                                                            \
    X(uspoof_getSkeletonUTF8, spoofGetSkeletonUTF8)                                                \
    X(ucal_open, calOpen)                                                                          \
    X(ucal_close, calClose)                                                                        \
    X(ucal_setMillis, calSetMillis)                                                                \
    X(ucal_get, calGet)

#define MQ_LIBICU_FIELD(fn, field) __typeof__(fn) *field;

struct mq_libicu {
    void *handle;
    MQ_LIBICU_FUNCTIONS(MQ_LIBICU_FIELD)
};

/* The loaded library (once per process, never unloaded), or NULL when it
 * cannot be loaded (said once on stderr). */
const struct mq_libicu *mq_libicu(void);

#endif
