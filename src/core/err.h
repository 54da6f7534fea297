/* err.h - the one error type used across Marquee.
 *
 * Every fallible function returns an mq_err; MQ_OK (0) is success and results
 * travel through out-parameters. The HTTP layer maps each code to a status and
 * a stable problem code (http/problem.c), so services never speak HTTP. */
#ifndef MQ_ERR_H
#define MQ_ERR_H

#define MQ_MUST_CHECK __attribute__((warn_unused_result))

typedef enum mq_err {
    MQ_OK = 0,
    MQ_ENOMEM,       /* allocation failed */
    MQ_EINVAL,       /* caller gave an invalid value */
    MQ_ENOTFOUND,    /* the thing asked for does not exist */
    MQ_ECONFLICT,    /* uniqueness or state conflict */
    MQ_ETOOBIG,      /* input exceeds a configured bound */
    MQ_EPARSE,       /* malformed input (JSON, config, ...) */
    MQ_EIO,          /* file or socket error */
    MQ_EDB,          /* the database rejected a statement */
    MQ_EUNAVAILABLE, /* a dependency (database) cannot be reached */
    MQ_ETIMEOUT,     /* waited too long for a resource */
    MQ_ESCHEMA,      /* database schema is newer than, or differs from, this binary */
    MQ_EPERM,        /* not allowed */
    MQ_EUNSUPPORTED, /* feature not available in this build */
    MQ_EINTERNAL,    /* a bug: an invariant did not hold */
    MQ_ERR_COUNT
} mq_err;

/* Returns a static, lower-case name such as "not_found". Never NULL. */
const char *mq_err_name(mq_err err);

#endif
