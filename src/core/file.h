/* file.h - replacing a file whole: written beside it, synced, renamed
 * over it, so a reader sees the old contents or the new, never part. */
#ifndef MQ_FILE_H
#define MQ_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

/* Writes len bytes to path.tmp with `mode` (whatever the umask), fsyncs
 * it and renames it to path. MQ_EIO (errno set) when any step fails; the
 * temporary file is then removed and path left as it was. Symbolic links
 * are not followed. */
MQ_MUST_CHECK mq_err mq_file_replace(const char *path, const void *data, size_t len, mode_t mode);

#endif
