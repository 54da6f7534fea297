#include "media/books.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "core/dynlib.h"
#include "core/utf8.h"
#include "media/xml.h"

/* ---- the libraries, loaded in the helper at the first book -------------- */

struct libzip {
    void *handle;
    zip_t *(*fdopen)(int fd, int flags, int *errorp);
    zip_int64_t (*num_entries)(zip_t *z, zip_flags_t flags);
    const char *(*get_name)(zip_t *z, zip_uint64_t index, zip_flags_t flags);
    zip_int64_t (*name_locate)(zip_t *z, const char *name, zip_flags_t flags);
    int (*stat_index)(zip_t *z, zip_uint64_t index, zip_flags_t flags, zip_stat_t *st);
    zip_file_t *(*fopen_index)(zip_t *z, zip_uint64_t index, zip_flags_t flags);
    zip_int64_t (*fread)(zip_file_t *f, void *buf, zip_uint64_t n);
    int (*fclose)(zip_file_t *f);
    void (*discard)(zip_t *z);
};

#define ZSYM(name, field) MQ_DYNSYM(struct libzip, name, field)

static const struct mq_dynsym zip_symbols[] = {
    ZSYM("zip_fdopen", fdopen),         ZSYM("zip_get_num_entries", num_entries),
    ZSYM("zip_get_name", get_name),     ZSYM("zip_name_locate", name_locate),
    ZSYM("zip_stat_index", stat_index), ZSYM("zip_fopen_index", fopen_index),
    ZSYM("zip_fread", fread),           ZSYM("zip_fclose", fclose),
    ZSYM("zip_discard", discard),
};

/* The helper is one process serving one request at a time: the tables
 * are filled once and only read after. */
static struct libzip zipl;
static bool zip_ok;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char why[256];
    zip_ok = !mq_dynlib_load("libzip.so.4", "libzip4", zip_symbols,
                             sizeof(zip_symbols) / sizeof(zip_symbols[0]), &zipl, &zipl.handle, why,
                             sizeof(why));
}

/* ---- XML ------------------------------------------------------------------ */

#define named   mq_xml_named
#define attr    mq_xml_attr
#define text_of mq_xml_text

static void set(json_t *o, const char *key, const char *v)
{
    if (v && *v && !json_object_get(o, key)) json_object_set_new(o, key, json_string(v));
}

/* "urn:isbn:978-0-441-01359-3", "9780441013593": the digits, if it is one. */
static bool isbn_of(const char *id, char out[14])
{
    const char *p = id;
    if (!strncasecmp(p, "urn:isbn:", 9))
        p += 9;
    else if (!strncasecmp(p, "isbn:", 5))
        p += 5;
    size_t n = 0;
    for (; *p && n < 14; p++) {
        if (isdigit((unsigned char)*p) || ((*p == 'X' || *p == 'x') && n == 9))
            out[n++] = *p;
        else if (*p != '-' && *p != ' ')
            return false;
    }
    if (*p || (n != 10 && n != 13)) return false;
    out[n] = 0;
    return true;
}

json_t *mq_book_parse_opf(const char *xml, size_t n)
{
    pthread_once(&once, load);
    const struct mq_libxml *xmll = mq_libxml_get();
    if (!xmll) return NULL;
    if (n > (size_t)MQ_BOOK_ENTRY_MAX)
        return json_pack("{s:s}", "error", "the package is too large");
    /* No network, no entity substitution, no DTD: the document as given. */
    xmlDocPtr doc = xmll->read_memory(xml, (int)n, "package.opf", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    if (!doc) return json_pack("{s:s}", "error", "the package document is not XML");
    json_t *o = json_object();
    json_t *authors = json_array();
    const char *cover_id = NULL, *series_id = NULL;
    char buf[4096];
    xmlNode *root = NULL;
    for (xmlNode *c = doc->children; c && !root; c = c->next)
        if (c->type == XML_ELEMENT_NODE) root = c;
    for (xmlNode *sec = root ? root->children : NULL; sec; sec = sec->next) {
        if (named(sec, "metadata")) {
            for (xmlNode *m = sec->children; m; m = m->next) {
                if (m->type != XML_ELEMENT_NODE) continue;
                if (named(m, "title"))
                    set(o, "title", text_of(m, buf, sizeof(buf)));
                else if (named(m, "creator")) {
                    const char *role = attr(m, "role");
                    if ((!role || !strcasecmp(role, "aut")) && json_array_size(authors) < 32)
                        json_array_append_new(authors, json_string(text_of(m, buf, sizeof(buf))));
                } else if (named(m, "language"))
                    set(o, "language", text_of(m, buf, sizeof(buf)));
                else if (named(m, "publisher"))
                    set(o, "publisher", text_of(m, buf, sizeof(buf)));
                else if (named(m, "date"))
                    set(o, "date", text_of(m, buf, sizeof(buf)));
                else if (named(m, "description"))
                    set(o, "description", text_of(m, buf, sizeof(buf)));
                else if (named(m, "identifier")) {
                    char isbn[14];
                    const char *scheme = attr(m, "scheme");
                    text_of(m, buf, sizeof(buf));
                    if (isbn_of(buf, isbn) && (!scheme || !strcasecmp(scheme, "ISBN") ||
                                               !strncasecmp(buf, "urn:isbn:", 9)))
                        set(o, "isbn", isbn);
                } else if (named(m, "meta")) {
                    const char *name = attr(m, "name"), *content = attr(m, "content");
                    const char *prop = attr(m, "property");
                    if (name && content && !strcasecmp(name, "cover"))
                        cover_id = content;
                    else if (name && content && !strcasecmp(name, "calibre:series"))
                        set(o, "series", content);
                    else if (name && content && !strcasecmp(name, "calibre:series_index"))
                        set(o, "series_index", content);
                    else if (prop && !strcasecmp(prop, "belongs-to-collection")) {
                        set(o, "series", text_of(m, buf, sizeof(buf)));
                        series_id = attr(m, "id");
                    } else if (prop && !strcasecmp(prop, "group-position") && series_id) {
                        const char *ref = attr(m, "refines");
                        if (ref && ref[0] == '#' && !strcmp(ref + 1, series_id))
                            set(o, "series_index", text_of(m, buf, sizeof(buf)));
                    }
                }
            }
        }
    }
    /* The cover: the manifest's cover-image, or the item `meta cover` names. */
    for (xmlNode *sec = root ? root->children : NULL; sec; sec = sec->next) {
        if (!named(sec, "manifest")) continue;
        for (xmlNode *it = sec->children; it; it = it->next) {
            if (!named(it, "item")) continue;
            const char *props = attr(it, "properties"), *id = attr(it, "id"),
                       *href = attr(it, "href"), *type = attr(it, "media-type");
            bool image = type && !strncasecmp(type, "image/", 6);
            if (href && image &&
                ((props && strstr(props, "cover-image")) ||
                 (cover_id && id && !strcmp(id, cover_id)))) {
                char clean[1024];
                mq_utf8_repair(href, strlen(href), clean, sizeof(clean));
                json_object_set_new(o, "cover", json_string(clean));
                break;
            }
        }
    }
    if (json_array_size(authors))
        json_object_set_new(o, "authors", authors);
    else
        json_decref(authors);
    xmll->free_doc(doc);
    return o;
}

/* ---- ZIP ------------------------------------------------------------------ */

static zip_t *open_zip(int fd)
{
    pthread_once(&once, load);
    if (!zip_ok) return NULL;
    int copy = dup(fd); /* libzip closes what it is given */
    if (copy < 0) return NULL;
    lseek(copy, 0, SEEK_SET);
    int err = 0;
    zip_t *z = zipl.fdopen(copy, ZIP_RDONLY, &err);
    if (!z) close(copy);
    return z;
}

/* An entry's bytes, at most max (NUL-terminated), or NULL. */
static char *read_entry(zip_t *z, zip_int64_t index, zip_int64_t max, size_t *n)
{
    zip_stat_t st;
    if (index < 0 || zipl.stat_index(z, (zip_uint64_t)index, 0, &st) ||
        !(st.valid & ZIP_STAT_SIZE) || st.size > (zip_uint64_t)max)
        return NULL;
    zip_file_t *f = zipl.fopen_index(z, (zip_uint64_t)index, 0);
    char *buf = f ? malloc(st.size + 1) : NULL;
    zip_int64_t got = buf ? zipl.fread(f, buf, st.size) : -1;
    if (f) zipl.fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(buf);
        return NULL;
    }
    buf[got] = 0;
    *n = (size_t)got;
    return buf;
}

/* The OPF's path, from META-INF/container.xml. */
static char *package_path(zip_t *z)
{
    size_t n = 0;
    char *xml = read_entry(z, zipl.name_locate(z, "META-INF/container.xml", ZIP_FL_NOCASE),
                           MQ_BOOK_ENTRY_MAX, &n);
    const struct mq_libxml *xmll = mq_libxml_get();
    if (!xml || !xmll) {
        free(xml);
        return NULL;
    }
    xmlDocPtr doc = xmll->read_memory(xml, (int)n, "container.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(xml);
    if (!doc) return NULL;
    char *path = NULL;
    xmlNode *root = NULL;
    for (xmlNode *c = doc->children; c && !root; c = c->next)
        if (c->type == XML_ELEMENT_NODE) root = c;
    for (xmlNode *s = root ? root->children : NULL; s && !path; s = s->next)
        if (named(s, "rootfiles"))
            for (xmlNode *r = s->children; r && !path; r = r->next)
                if (named(r, "rootfile") && attr(r, "full-path"))
                    path = strdup(attr(r, "full-path"));
    xmll->free_doc(doc);
    return path;
}

static bool image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot &&
           (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png") ||
            !strcasecmp(dot, ".webp") || !strcasecmp(dot, ".gif"));
}

/* A comic's cover: its first picture by name (entries are not sorted). */
static zip_int64_t first_picture(zip_t *z)
{
    zip_int64_t best = -1, n = zipl.num_entries(z, 0);
    const char *best_name = NULL;
    for (zip_int64_t i = 0; i < n && i < 100000; i++) {
        const char *name = zipl.get_name(z, (zip_uint64_t)i, 0);
        if (!name || !image_name(name) || strstr(name, "__MACOSX")) continue;
        if (!best_name || strcmp(name, best_name) < 0) best = i, best_name = name;
    }
    return best;
}

/* "OEBPS/content.opf" + "images/cover.jpg" = "OEBPS/images/cover.jpg". */
static void resolve(const char *opf, const char *href, char *out, size_t cap)
{
    const char *slash = strrchr(opf, '/');
    size_t dir = slash ? (size_t)(slash - opf) + 1 : 0;
    snprintf(out, cap, "%.*s%s", (int)dir, opf, href);
}

json_t *mq_book_read(int fd)
{
    zip_t *z = open_zip(fd);
    if (!zip_ok) return json_pack("{s:s}", "error", "libzip cannot be loaded");
    if (!z) return json_pack("{s:s}", "error", "not a ZIP archive");
    json_t *out = NULL;
    char *opf = package_path(z);
    if (opf) {
        size_t n = 0;
        char *xml = read_entry(z, zipl.name_locate(z, opf, 0), MQ_BOOK_ENTRY_MAX, &n);
        out = xml ? mq_book_parse_opf(xml, n) : NULL;
        free(xml);
        if (out && !json_object_get(out, "error")) {
            json_object_set_new(out, "format", json_string("epub"));
            const char *c = json_string_value(json_object_get(out, "cover"));
            if (c) {
                char full[2048];
                resolve(opf, c, full, sizeof(full));
                json_object_set_new(out, "cover", json_string(full));
            }
        }
        if (!out) out = json_pack("{s:s}", "error", "the package document cannot be read");
    } else {
        zip_int64_t pic = first_picture(z);
        out = pic >= 0 ? json_pack("{s:s,s:s}", "format", "cbz", "cover",
                                   zipl.get_name(z, (zip_uint64_t)pic, 0))
                       : json_pack("{s:s}", "error", "neither an EPUB nor a comic archive");
    }
    free(opf);
    zipl.discard(z);
    return out;
}

json_t *mq_book_cover(int fd, int outfd)
{
    json_t *info = mq_book_read(fd);
    const char *cover = json_string_value(json_object_get(info, "cover"));
    json_t *res = NULL;
    if (cover) {
        zip_t *z = open_zip(fd);
        size_t n = 0;
        char *data = z ? read_entry(z, zipl.name_locate(z, cover, 0), MQ_BOOK_COVER_MAX, &n) : NULL;
        if (z) zipl.discard(z);
        size_t done = 0;
        while (data && done < n) {
            ssize_t k = write(outfd, data + done, n - done);
            if (k <= 0) break;
            done += (size_t)k;
        }
        res = data && done == n ? json_pack("{s:b,s:I}", "ok", 1, "bytes", (json_int_t)n)
                                : json_pack("{s:s}", "error", "the cover cannot be read");
        free(data);
    }
    json_decref(info);
    return res ? res : json_pack("{s:s}", "error", "the book carries no cover");
}
