#include "media/xml.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dynlib.h"
#include "core/utf8.h"

#define XSYM(name, field) MQ_DYNSYM(struct mq_libxml, name, field)

static const struct mq_dynsym symbols[] = {
    XSYM("xmlReadMemory", read_memory),
    XSYM("xmlFreeDoc", free_doc),
};

/* Filled once per helper process, then only read. */
static struct mq_libxml xmll;
static bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char why[256];
    loaded =
        !mq_dynlib_load("libxml2.so.2", "libxml2", symbols, sizeof(symbols) / sizeof(symbols[0]),
                        &xmll, &xmll.handle, why, sizeof(why));
}

const struct mq_libxml *mq_libxml_get(void)
{
    pthread_once(&once, load);
    return loaded ? &xmll : NULL;
}

bool mq_xml_named(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && n->name && !strcasecmp((const char *)n->name, local);
}

const char *mq_xml_attr(const xmlNode *n, const char *local)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && !strcasecmp((const char *)a->name, local) && a->children &&
            a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

const char *mq_xml_text(const xmlNode *n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (const xmlNode *c = n->children; c && o + 1 < cap; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
            continue;
        const char *t = (const char *)c->content;
        size_t k = strlen(t);
        if (k > cap - 1 - o) k = cap - 1 - o;
        memcpy(out + o, t, k);
        o += k;
    }
    out[o] = 0;
    /* Whitespace folded, invalid bytes replaced. */
    char *tmp = malloc(o + 1);
    if (!tmp) {
        out[0] = 0;
        return out;
    }
    size_t w = 0;
    bool space = true;
    for (size_t i = 0; i < o; i++) {
        bool s = isspace((unsigned char)out[i]);
        if (s && space) continue;
        tmp[w++] = s ? ' ' : out[i];
        space = s;
    }
    while (w && tmp[w - 1] == ' ') w--;
    mq_utf8_repair(tmp, w, out, cap);
    free(tmp);
    return out;
}
