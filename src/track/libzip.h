/* libzip.h - libzip, loaded at run time (as for e-books, media/books.c):
 * writing a member's export, and reading the zip a Letterboxd export is,
 * within limits that a zip bomb cannot pass: at most MQ_UNZIP_FILES
 * entries looked at, each file and all of them together at most `max`
 * bytes once inflated, whatever their headers claim (reading stops at the
 * limit). */
#ifndef MQ_TRACK_LIBZIP_H
#define MQ_TRACK_LIBZIP_H

#include <stdbool.h>
#include <stddef.h>

#include <zip.h>

#include "core/arena.h"
#include "core/err.h"

struct mq_libzip {
    void *handle;
    zip_source_t *(*buffer_create)(const void *data, zip_uint64_t len, int freep, zip_error_t *e);
    zip_t *(*open_from_source)(zip_source_t *src, int flags, zip_error_t *e);
    void (*keep)(zip_source_t *src);
    zip_source_t *(*buffer)(zip_t *z, const void *data, zip_uint64_t len, int freep);
    zip_int64_t (*file_add)(zip_t *z, const char *name, zip_source_t *src, zip_flags_t flags);
    int (*close)(zip_t *z);
    void (*discard)(zip_t *z);
    int (*open)(zip_source_t *src);
    zip_int64_t (*read)(zip_source_t *src, void *buf, zip_uint64_t len);
    int (*src_close)(zip_source_t *src);
    void (*src_free)(zip_source_t *src);
    int (*stat)(zip_source_t *src, zip_stat_t *st);
    void (*error_init)(zip_error_t *e);
    void (*error_fini)(zip_error_t *e);
    zip_int64_t (*num_entries)(zip_t *z, zip_flags_t flags);
    const char *(*get_name)(zip_t *z, zip_uint64_t index, zip_flags_t flags);
    zip_file_t *(*fopen_index)(zip_t *z, zip_uint64_t index, zip_flags_t flags);
    zip_int64_t (*fread)(zip_file_t *f, void *buf, zip_uint64_t n);
    int (*fclose)(zip_file_t *f);
};

/* The table, or NULL when libzip (Debian's libzip4) is missing. */
const struct mq_libzip *mq_libzip(void);

#define MQ_UNZIP_FILES 64

struct mq_unzipped {
    const char *name; /* the entry's name, as the zip has it */
    const char *data; /* inflated, NUL-terminated, in the arena */
    size_t len;
};

/* Whether the bytes start like a zip. */
bool mq_is_zip(const char *data, size_t len);

/* The entries of a zip in memory whose name `want` accepts (NULL: all),
 * inflated. MQ_ETOOBIG past `max` bytes (one or all); MQ_EPARSE for what
 * is no zip; MQ_EUNSUPPORTED without libzip. */
MQ_MUST_CHECK mq_err mq_unzip(struct mq_arena *a, const char *data, size_t len, size_t max,
                              bool (*want)(const char *name), struct mq_unzipped *out, size_t *n);

#endif
