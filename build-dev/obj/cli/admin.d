build-dev/obj/cli/admin.o: src/cli/admin.c src/audit/audit.h \
 src/core/buf.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/audit.h src/core/arena.h \
 src/store/store.h src/cli/cli.h src/core/version.h src/store/libpq.h \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h src/store/migrate.h
src/audit/audit.h:
src/core/buf.h:
src/core/err.h:
src/core/ctx.h:
src/core/clock.h:
src/core/config.h:
src/core/log.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/store/audit.h:
src/core/arena.h:
src/store/store.h:
src/cli/cli.h:
src/core/version.h:
src/store/libpq.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
src/store/migrate.h:
