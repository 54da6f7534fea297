/* xml.h - libxml2 for the probe helpers (EPUB package documents, NFO
 * files): loaded at the first use, in the helper only (media/probe.h),
 * with the few tree helpers both readers share. */
#ifndef MQ_MEDIA_XML_H
#define MQ_MEDIA_XML_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

struct mq_libxml {
    void *handle;
    xmlDocPtr (*read_memory)(const char *buf, int size, const char *url, const char *encoding,
                             int options);
    void (*free_doc)(xmlDocPtr doc);
};

/* NULL when libxml2 cannot be loaded. */
const struct mq_libxml *mq_libxml_get(void);

/* An element of this local name (case-insensitive). */
bool mq_xml_named(const xmlNode *n, const char *local);
/* An attribute's value by local name, borrowed from the tree, or NULL. */
const char *mq_xml_attr(const xmlNode *n, const char *local);
/* An element's text, whitespace folded and invalid bytes replaced, in out
 * (cap bytes, at most 4 KiB of it kept). */
const char *mq_xml_text(const xmlNode *n, char *out, size_t cap);

#endif
