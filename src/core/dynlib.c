#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

mq_err mq_dynlib_load(const char *soname, const char *package, const struct mq_dynsym *syms,
                      size_t nsyms, void *table, void **handle, char *errbuf, size_t errlen)
{
    *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        snprintf(errbuf, errlen, "cannot load %s (Debian package %s): %s", soname, package,
                 dlerror());
        return MQ_EUNSUPPORTED;
    }
    for (size_t i = 0; i < nsyms; i++) {
        void *fn = dlsym(*handle, syms[i].name);
        if (!fn) {
            snprintf(errbuf, errlen, "%s lacks %s", soname, syms[i].name);
            dlclose(*handle);
            *handle = NULL;
            return MQ_EUNSUPPORTED;
        }
        /* POSIX guarantees that a function pointer survives this round trip. */
        memcpy((char *)table + syms[i].offset, &fn, sizeof(fn));
    }
    return MQ_OK;
}
