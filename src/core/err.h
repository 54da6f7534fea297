/* err.h - the one error type used across Marquee, and the one way a
 * service says no.
 *
 * Every fallible function returns an mq_err; MQ_OK (0) is success and results
 * travel through out-parameters. The HTTP layer maps each code to a status and
 * a stable problem code (http/problem.c), so services never speak HTTP.
 *
 * A refusal is an error with reasons a person can act on: a service that
 * refuses (a rule broken, a conflict, not allowed) returns the error and
 * fills a struct mq_refusal with a stable code, the input it is about and
 * words for people. The API turns it into a status and a problem document
 * (api/refusal.h), the command line into a message; the service knows
 * neither. */
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

#define MQ_REFUSAL_DETAIL_MAX 256

/* Why a service refused. err says what kind of refusal it is: MQ_EINVAL a
 * rule the input broke, MQ_ECONFLICT a state that forbids it, MQ_EPERM
 * not allowed to this caller, MQ_ENOTFOUND nothing of that name,
 * MQ_ETOOBIG too large, MQ_EUNSUPPORTED a kind of input not handled. */
struct mq_refusal {
    mq_err err;
    const char *code;  /* stable, machine-readable: "email_taken" (static); NULL = none */
    const char *field; /* the input it is about ("email"), or NULL (static or the caller's) */
    char detail[MQ_REFUSAL_DETAIL_MAX];
};

/* Fills *r (NULL is allowed: the refusal is not wanted) and returns err, so
 * that a service can `return mq_refuse(r, MQ_ECONFLICT, "email_taken",
 * "email", "another account has this e-mail address");`. */
mq_err mq_refuse(struct mq_refusal *r, mq_err err, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
