/* range.h - the Range header of a request for a file (RFC 9110 section
 * 14.2): one range of bytes, or the whole file. */
#ifndef MQ_HTTP_RANGE_H
#define MQ_HTTP_RANGE_H

#include <stdint.h>

enum mq_range_result {
    MQ_RANGE_ALL = 0,            /* no usable Range: answer with the whole file */
    MQ_RANGE_ONE = 1,            /* one satisfiable range, [*from, *to] */
    MQ_RANGE_UNSATISFIABLE = -1, /* it starts past the end: 416 */
};

/* "bytes=a-b", "bytes=a-" and "bytes=-n" against a file of `size` bytes.
 * Several ranges at once, other units and anything malformed give
 * MQ_RANGE_ALL, as the RFC allows a server to ignore them. */
enum mq_range_result mq_range_parse(const char *header, uint64_t size, uint64_t *from,
                                    uint64_t *to);

#endif
