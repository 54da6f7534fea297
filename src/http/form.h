/* form.h - fields of a multipart/form-data or urlencoded body (a file
 * upload, Plex's webhook), read by libmicrohttpd's post processor from the
 * body the server already holds. */
#ifndef MQ_HTTP_FORM_H
#define MQ_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

#define MQ_FORM_FIELDS_MAX 16

struct mq_form_field {
    const char *name, *filename, *content_type; /* filename and type NULL when not given */
    const char *data;                           /* NUL-terminated copy in the arena */
    size_t len;
};

struct mq_form {
    struct mq_form_field fields[MQ_FORM_FIELDS_MAX];
    size_t n;
};

/* Whether the request's Content-Type is multipart/form-data or
 * application/x-www-form-urlencoded. */
bool mq_req_is_form(const struct mq_req *req);

/* Reads the body's fields (past MQ_FORM_FIELDS_MAX, the rest are left
 * out). MQ_EPARSE for a body the post processor refuses. */
MQ_MUST_CHECK mq_err mq_req_form(struct mq_req *req, struct mq_form *out);

/* A field by name, or NULL. */
const struct mq_form_field *mq_form_get(const struct mq_form *f, const char *name);

#endif
