/* version.h - build identity, filled in by the Makefile. */
#ifndef MQ_VERSION_H
#define MQ_VERSION_H

#ifndef MQ_VERSION
#define MQ_VERSION "0.0.0-dev"
#endif
#ifndef MQ_COMMIT
#define MQ_COMMIT "unknown"
#endif

#endif
