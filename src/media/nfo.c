#include "media/nfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "media/xml.h"

#define TEXT_MAX   20000
#define PEOPLE_MAX 50
#define GENRES_MAX 32

static void set(json_t *o, const char *key, const char *v)
{
    if (v && *v && !json_object_get(o, key)) json_object_set_new(o, key, json_string(v));
}

static bool digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    if (n < lo || n > hi) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static bool imdb_ok(const char *s)
{
    return s && !strncmp(s, "tt", 2) && digits(s + 2, 5, 10);
}

static void put_id(json_t *ids, const char *type, const char *v)
{
    if (!type || !v || !*v) return;
    if (!strcasecmp(type, "imdb") && imdb_ok(v))
        set(ids, "imdb", v);
    else if ((!strcasecmp(type, "tmdb") || !strcasecmp(type, "themoviedb")) && digits(v, 1, 12))
        set(ids, "tmdb", v);
    else if (!strcasecmp(type, "tvdb") && digits(v, 1, 12))
        set(ids, "tvdb", v);
}

static int year_of(const char *s)
{
    if (!s || strlen(s) < 4 || !(s[0] >= '1' && s[0] <= '2')) return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        y = y * 10 + s[i] - '0';
    }
    return y >= 1870 && y <= 2200 ? y : 0;
}

static bool date_ok(const char *d)
{
    if (!d || strlen(d) != 10 || !year_of(d) || d[4] != '-' || d[7] != '-') return false;
    for (int i = 5; i < 10; i++)
        if (i != 7 && (d[i] < '0' || d[i] > '9')) return false;
    return true;
}

/* <actor><name/><role/><order/><thumb/></actor> */
static json_t *person(const xmlNode *n, const char *role_tag, char *buf, size_t cap)
{
    json_t *p = json_object();
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (mq_xml_named(c, "name"))
            set(p, "name", mq_xml_text(c, buf, cap));
        else if (role_tag && mq_xml_named(c, role_tag))
            set(p, "role", mq_xml_text(c, buf, cap));
    }
    const char *name = json_string_value(json_object_get(p, "name"));
    if (!name || strlen(name) > 200) {
        json_decref(p);
        return NULL;
    }
    return p;
}

/* <ratings><rating name="themoviedb" max="10" default="true"><value>7.3</value>...
 * or <rating>7.3</rating>: out of 10, kept 0-100. */
static void put_rating(json_t *doc, const xmlNode *n, char *buf, size_t cap)
{
    double best = -1;
    if (mq_xml_named(n, "rating") && n->children && !n->children->next &&
        n->children->type == XML_TEXT_NODE) {
        best = strtod(mq_xml_text(n, buf, cap), NULL);
    } else {
        for (const xmlNode *r = n->children; r; r = r->next) {
            if (!mq_xml_named(r, "rating")) continue;
            double max = 10;
            const char *m = mq_xml_attr(r, "max");
            if (m) max = strtod(m, NULL);
            for (const xmlNode *v = r->children; v; v = v->next)
                if (mq_xml_named(v, "value") && max > 0) {
                    double x = strtod(mq_xml_text(v, buf, cap), NULL) * 10 / max;
                    const char *def = mq_xml_attr(r, "default");
                    if (best < 0 || (def && !strcasecmp(def, "true"))) best = x;
                }
        }
    }
    if (best >= 0 && best <= 10)
        json_object_set_new(doc, "rating", json_integer((long long)(best * 10 + 0.5)));
}

static const char *kind_of_root(const xmlNode *root)
{
    if (mq_xml_named(root, "movie")) return "movie";
    if (mq_xml_named(root, "tvshow")) return "series";
    if (mq_xml_named(root, "season")) return "season";
    if (mq_xml_named(root, "episodedetails")) return "episode";
    return NULL;
}

/* An NFO that is only a link: "https://www.imdb.com/title/tt0133093/". */
static json_t *from_links(const char *text, size_t n)
{
    json_t *ids = json_object();
    for (size_t i = 0; i + 9 < n; i++) {
        if (text[i] == 't' && text[i + 1] == 't' && (i == 0 || text[i - 1] == '/')) {
            char id[16];
            size_t k = 0;
            while (k < 12 && i + 2 + k < n && text[i + 2 + k] >= '0' && text[i + 2 + k] <= '9') k++;
            if (k >= 7 && k <= 10) {
                snprintf(id, sizeof(id), "tt%.*s", (int)k, text + i + 2);
                set(ids, "imdb", id);
            }
        }
        static const char *const TMDB[] = {"themoviedb.org/movie/", "themoviedb.org/tv/"};
        for (int t = 0; t < 2; t++) {
            size_t l = strlen(TMDB[t]);
            if (i + l < n && !memcmp(text + i, TMDB[t], l)) {
                char id[16];
                size_t k = 0;
                while (k < 12 && i + l + k < n && text[i + l + k] >= '0' && text[i + l + k] <= '9')
                    k++;
                if (k) {
                    snprintf(id, sizeof(id), "%.*s", (int)k, text + i + l);
                    set(ids, "tmdb", id);
                }
            }
        }
    }
    if (!json_object_size(ids)) {
        json_decref(ids);
        return json_pack("{s:s}", "error", "the NFO file is neither XML nor a link to a title");
    }
    return json_pack("{s:s, s:o}", "provider", "local", "external_ids", ids);
}

/* A document type that declares entities: refused, expanded or not. */
static bool declares_entities(const char *text, size_t n)
{
    for (size_t i = 0; i + 8 < n; i++)
        if (text[i] == '<' && text[i + 1] == '!' && !strncasecmp(text + i + 2, "ENTITY", 6))
            return true;
    return false;
}

static void element(json_t *doc, json_t *ids, json_t *genres, json_t *cast, json_t *crew,
                    const xmlNode *c, char *buf, size_t cap)
{
    const char *t;
    if (mq_xml_named(c, "title"))
        set(doc, "title", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "originaltitle"))
        set(doc, "original_title", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "sorttitle"))
        set(doc, "sort_title", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "plot") || mq_xml_named(c, "outline"))
        set(doc, "overview", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "tagline"))
        set(doc, "tagline", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "status"))
        set(doc, "status", mq_xml_text(c, buf, cap));
    else if (mq_xml_named(c, "year")) {
        int y = year_of(mq_xml_text(c, buf, cap));
        if (y && !json_object_get(doc, "year")) json_object_set_new(doc, "year", json_integer(y));
    } else if (mq_xml_named(c, "premiered") || mq_xml_named(c, "aired") ||
               mq_xml_named(c, "releasedate")) {
        t = mq_xml_text(c, buf, cap);
        if (date_ok(t)) {
            set(doc, "release_date", t);
            if (!json_object_get(doc, "year"))
                json_object_set_new(doc, "year", json_integer(year_of(t)));
        }
    } else if (mq_xml_named(c, "runtime")) {
        long m = strtol(mq_xml_text(c, buf, cap), NULL, 10);
        if (m > 0 && m < 6000) json_object_set_new(doc, "runtime_min", json_integer(m));
    } else if (mq_xml_named(c, "mpaa") || mq_xml_named(c, "certification")) {
        /* "Rated PG-13", "US:PG-13", "PG-13". */
        t = mq_xml_text(c, buf, cap);
        if (!strncasecmp(t, "Rated ", 6)) t += 6;
        const char *colon = strchr(t, ':');
        if (colon && colon - t == 2) t = colon + 1;
        if (*t && strlen(t) <= 16 && !json_object_get(doc, "content_ratings"))
            json_object_set_new(doc, "content_ratings", json_pack("{s:s}", "", t));
    } else if (mq_xml_named(c, "genre")) {
        t = mq_xml_text(c, buf, cap);
        /* "Action / Drama" in one element, as some writers do. */
        char *copy = strdup(t), *save = NULL;
        for (char *g = copy ? strtok_r(copy, "/|", &save) : NULL; g;
             g = strtok_r(NULL, "/|", &save)) {
            while (*g == ' ') g++;
            size_t l = strlen(g);
            while (l && g[l - 1] == ' ') g[--l] = 0;
            if (l && l <= 64 && json_array_size(genres) < GENRES_MAX)
                json_array_append_new(genres, json_string(g));
        }
        free(copy);
    } else if (mq_xml_named(c, "uniqueid")) {
        put_id(ids, mq_xml_attr(c, "type"), mq_xml_text(c, buf, cap));
    } else if (mq_xml_named(c, "imdbid") || mq_xml_named(c, "imdb_id")) {
        put_id(ids, "imdb", mq_xml_text(c, buf, cap));
    } else if (mq_xml_named(c, "tmdbid")) {
        put_id(ids, "tmdb", mq_xml_text(c, buf, cap));
    } else if (mq_xml_named(c, "tvdbid")) {
        put_id(ids, "tvdb", mq_xml_text(c, buf, cap));
    } else if (mq_xml_named(c, "id")) {
        t = mq_xml_text(c, buf, cap);
        if (imdb_ok(t)) put_id(ids, "imdb", t);
    } else if (mq_xml_named(c, "actor") && json_array_size(cast) < PEOPLE_MAX) {
        json_t *p = person(c, "role", buf, cap);
        if (p) json_array_append_new(cast, p);
    } else if ((mq_xml_named(c, "director") || mq_xml_named(c, "credits")) &&
               json_array_size(crew) < PEOPLE_MAX) {
        t = mq_xml_text(c, buf, cap);
        if (*t && strlen(t) <= 200)
            json_array_append_new(crew,
                                  json_pack("{s:s, s:s}", "name", t, "role",
                                            mq_xml_named(c, "director") ? "Director" : "Writer"));
    } else if (mq_xml_named(c, "set")) {
        json_t *coll = json_object();
        if (c->children && c->children->type == XML_TEXT_NODE && !c->children->next)
            set(coll, "name", mq_xml_text(c, buf, cap));
        for (const xmlNode *s = c->children; s; s = s->next) {
            if (mq_xml_named(s, "name")) set(coll, "name", mq_xml_text(s, buf, cap));
            if (mq_xml_named(s, "overview")) set(coll, "overview", mq_xml_text(s, buf, cap));
        }
        const char *name = json_string_value(json_object_get(coll, "name"));
        if (name && strlen(name) <= 500 && !json_object_get(doc, "collection"))
            json_object_set_new(doc, "collection", coll);
        else
            json_decref(coll);
    } else if (mq_xml_named(c, "season") || mq_xml_named(c, "episode")) {
        const char *key = mq_xml_named(c, "season") ? "season" : "episode";
        char *end = NULL;
        t = mq_xml_text(c, buf, cap);
        long v = strtol(t, &end, 10);
        if (end != t && v >= 0 && v < 100000 && !json_object_get(doc, key))
            json_object_set_new(doc, key, json_integer(v));
    } else if (mq_xml_named(c, "ratings") || mq_xml_named(c, "rating")) {
        if (!json_object_get(doc, "rating")) put_rating(doc, c, buf, cap);
    }
}

json_t *mq_nfo_parse(const char *text, size_t n)
{
    if (n > MQ_NFO_MAX) return json_pack("{s:s}", "error", "the NFO file is larger than 1 MiB");
    const struct mq_libxml *xml = mq_libxml_get();
    if (!xml) return json_pack("{s:s}", "error", "libxml2 cannot be loaded");
    size_t lead = 0;
    while (lead < n &&
           (text[lead] == ' ' || text[lead] == '\t' || text[lead] == '\r' || text[lead] == '\n'))
        lead++;
    if (lead + 3 <= n && !memcmp(text + lead, "\xef\xbb\xbf", 3)) lead += 3;
    if (lead >= n || text[lead] != '<') return from_links(text, n);
    if (declares_entities(text, n))
        return json_pack("{s:s}", "error", "the NFO file declares entities, which are refused");
    xmlDocPtr doc = xml->read_memory(text, (int)n, "nfo.xml", NULL,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                         XML_PARSE_NOCDATA);
    if (!doc) return json_pack("{s:s}", "error", "the NFO file is not well-formed XML");
    /* Declared another way (a parameter entity, a DTD the parser kept):
     * refused as well. */
    if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
        xml->free_doc(doc);
        return json_pack("{s:s}", "error", "the NFO file declares entities, which are refused");
    }
    const xmlNode *root = NULL;
    for (const xmlNode *c = doc->children; c && !root; c = c->next)
        if (c->type == XML_ELEMENT_NODE) root = c;
    const char *kind = root ? kind_of_root(root) : NULL;
    if (!kind) {
        xml->free_doc(doc);
        return json_pack("{s:s}", "error",
                         "the NFO file is no <movie>, <tvshow>, <season> or <episodedetails>");
    }
    char *buf = malloc(TEXT_MAX + 1);
    json_t *out = json_pack("{s:s, s:s}", "provider", "local", "kind", kind);
    json_t *ids = json_object(), *genres = json_array(), *cast = json_array(), *crew = json_array();
    for (const xmlNode *c = root->children; c && buf; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            element(out, ids, genres, cast, crew, c, buf, TEXT_MAX + 1);
    free(buf);
    xml->free_doc(doc);
    json_object_set_new(out, "external_ids", ids);
    if (json_array_size(genres))
        json_object_set_new(out, "genres", genres);
    else
        json_decref(genres);
    if (json_array_size(cast))
        json_object_set_new(out, "cast", cast);
    else
        json_decref(cast);
    if (json_array_size(crew))
        json_object_set_new(out, "crew", crew);
    else
        json_decref(crew);
    return out;
}

json_t *mq_nfo_read(int fd)
{
    char *buf = malloc(MQ_NFO_MAX + 1);
    size_t n = 0;
    if (!buf) return json_pack("{s:s}", "error", "out of memory");
    while (n <= MQ_NFO_MAX) {
        ssize_t r = pread(fd, buf + n, MQ_NFO_MAX + 1 - n, (off_t)n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    json_t *doc = mq_nfo_parse(buf, n);
    free(buf);
    return doc;
}
