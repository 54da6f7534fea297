#include "http/form.h"

#include <string.h>
#include <strings.h>

#include <microhttpd.h>

bool mq_req_is_form(const struct mq_req *req)
{
    const char *ct = mq_req_header(req, "Content-Type");
    return ct && (!strncasecmp(ct, "multipart/form-data", 19) ||
                  !strncasecmp(ct, "application/x-www-form-urlencoded", 33));
}

struct reading {
    struct mq_req *req;
    struct mq_form *form;
    size_t cap[MQ_FORM_FIELDS_MAX];
    bool oom;
};

/* libmicrohttpd hands each field over in pieces (off is where a piece
 * goes); they are gathered in the arena, doubling as they grow. */
static enum MHD_Result piece(void *cls, enum MHD_ValueKind kind, const char *key,
                             const char *filename, const char *content_type,
                             const char *transfer_encoding, const char *data, uint64_t off,
                             size_t size)
{
    struct reading *r = cls;
    struct mq_form *f = r->form;
    struct mq_arena *a = r->req->arena;
    (void)kind;
    (void)transfer_encoding;
    size_t i = f->n;
    if (i && !strcmp(f->fields[i - 1].name, key) && off > 0) i--;
    if (i == f->n) {
        if (f->n == MQ_FORM_FIELDS_MAX) return MHD_YES;
        struct mq_form_field *nf = &f->fields[f->n++];
        memset(nf, 0, sizeof(*nf));
        nf->name = mq_arena_strdup(a, key);
        nf->filename = filename ? mq_arena_strdup(a, filename) : NULL;
        nf->content_type = content_type ? mq_arena_strdup(a, content_type) : NULL;
        r->cap[i] = 0;
        if (!nf->name) goto oom;
    }
    struct mq_form_field *fl = &f->fields[i];
    if (off + size + 1 > r->cap[i]) {
        size_t cap = r->cap[i] ? r->cap[i] : 256;
        while (cap < off + size + 1) cap *= 2;
        char *b = mq_arena_alloc(a, cap);
        if (!b) goto oom;
        if (fl->len) memcpy(b, fl->data, fl->len);
        fl->data = b;
        r->cap[i] = cap;
    }
    memcpy((char *)fl->data + off, data, size);
    if (off + size > fl->len) fl->len = off + size;
    ((char *)fl->data)[fl->len] = '\0';
    return MHD_YES;
oom:
    r->oom = true;
    return MHD_NO;
}

mq_err mq_req_form(struct mq_req *req, struct mq_form *out)
{
    memset(out, 0, sizeof(*out));
    if (!req->conn || !mq_req_is_form(req)) return MQ_EPARSE;
    struct reading r = {.req = req, .form = out};
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 64 * 1024, piece, &r);
    if (!pp) return MQ_EPARSE;
    enum MHD_Result ok = req->body_len ? MHD_post_process(pp, req->body, req->body_len) : MHD_YES;
    enum MHD_Result done = MHD_destroy_post_processor(pp);
    if (r.oom) return MQ_ENOMEM;
    if (ok != MHD_YES || done != MHD_YES) return MQ_EPARSE;
    for (size_t i = 0; i < out->n; i++)
        if (!out->fields[i].data) out->fields[i].data = "";
    return MQ_OK;
}

const struct mq_form_field *mq_form_get(const struct mq_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->fields[i].name, name)) return &f->fields[i];
    return NULL;
}
