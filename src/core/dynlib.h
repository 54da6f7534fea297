/* dynlib.h - libraries loaded at run time, when first needed.
 *
 * Some libraries cost every process megabytes of resident memory just by
 * being linked (their own dependencies are loaded and relocated at start):
 * libpq drags OpenSSL, Kerberos and LDAP; libvips drags GLib and a dozen
 * image libraries. Marquee loads those with dlopen only when a feature
 * needs them, into a table of function pointers described by mq_dynsym. */
#ifndef MQ_DYNLIB_H
#define MQ_DYNLIB_H

#include <stddef.h>

#include "core/err.h"

struct mq_dynsym {
    const char *name; /* the symbol */
    size_t offset;    /* where its pointer goes in the table */
};

#define MQ_DYNSYM(type, name, field)                                                               \
    {                                                                                              \
        name, offsetof(type, field)                                                                \
    }

/* Loads `soname` and fills `table` with every symbol of `syms` (looked up in
 * the library and its dependencies). MQ_EUNSUPPORTED, with a message naming
 * the Debian `package`, when the library or a symbol is missing; *handle is
 * then NULL. */
MQ_MUST_CHECK mq_err mq_dynlib_load(const char *soname, const char *package,
                                    const struct mq_dynsym *syms, size_t nsyms, void *table,
                                    void **handle, char *errbuf, size_t errlen);

#endif
