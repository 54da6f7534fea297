/* migrate.h - schema migrations.
 *
 * Migrations are the numbered files in store/migrations/, one per version
 * for both dialects, embedded in the binary at build time. Where SQLite and
 * PostgreSQL differ, a file holds a section for each ("-- @sqlite",
 * "-- @postgres", back to shared lines with "-- @both"); each dialect is
 * given the shared lines and its own, so a file without sections reaches
 * both byte for byte. All
 * pending migrations are applied in one transaction; on PostgreSQL an advisory
 * lock lets several instances start at once. Each applied migration is
 * recorded with a checksum, so an edited migration is caught, and a database
 * whose version is newer than this binary is refused. */
#ifndef MQ_MIGRATE_H
#define MQ_MIGRATE_H

#include <stddef.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

struct mq_migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated from the .sql files (build/gen/migrations.c). */
extern const struct mq_migration mq_migrations_sqlite[];
extern const size_t mq_migrations_sqlite_count;
extern const struct mq_migration mq_migrations_postgres[];
extern const size_t mq_migrations_postgres_count;

/* Highest version this binary knows for the store's dialect. */
int mq_migrate_latest(const struct mq_store *store);

/* Highest version recorded in the database (0 when none). */
MQ_MUST_CHECK mq_err mq_migrate_current(struct mq_store *store, int *version);

/* Applies every pending migration. *applied (may be NULL) gets how many.
 * MQ_ESCHEMA when the database is newer than this binary or an applied
 * migration differs from the one embedded here (details are logged). */
MQ_MUST_CHECK mq_err mq_migrate_up(struct mq_store *store, const struct mq_clock *clock,
                                   const struct mq_log *log, int *applied);

#endif
