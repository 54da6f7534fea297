/* webapp_fuzz - which request paths the web app takes, and the file each
 * names (http/webapp.h): a file is always a plain relative name inside the
 * app's folder (no "..", no hidden or empty part, no leading '/'), and the
 * API's and probes' names are never the app's. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "fuzz.h"
#include "http/webapp.h"

static void check_name(const char *name)
{
    size_t len = strlen(name);
    if (!len || len > 256 || name[0] == '/' || name[0] == '.') abort();
    /* No part starts with a dot, so none is "." or "..": "a..b" is a name. */
    if (strstr(name, "/.") || strstr(name, "//")) abort();
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/'))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    struct mq_arena *a = mq_arena_new(0);
    char *path = mq_arena_strndup(a, (const char *)data, size);
    if (!path) abort();
    if (mq_webapp_path_ok(path)) {
        if (path[0] != '/' || strstr(path, "//")) abort();
        static const char *const machine[] = {"/api", "/healthz", "/readyz", "/startupz",
                                              "/metrics"};
        for (size_t i = 0; i < sizeof(machine) / sizeof(machine[0]); i++) {
            size_t n = strlen(machine[i]);
            if (!strncasecmp(path, machine[i], n) && (path[n] == 0 || path[n] == '/')) abort();
        }
        bool page;
        const char *name = mq_webapp_file(a, path, &page);
        if (name) check_name(name);
        if (!strcmp(path, "/") && (!name || strcmp(name, "index.html"))) abort();
    }
    mq_arena_free(a);
    return 0;
}
