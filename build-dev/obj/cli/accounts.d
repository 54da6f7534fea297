build-dev/obj/cli/accounts.o: src/cli/accounts.c src/audit/audit.h \
 src/core/buf.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/audit.h src/core/arena.h \
 src/store/store.h src/auth/password.h src/cli/cli.h src/store/migrate.h \
 src/users/users.h src/store/users.h
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
src/auth/password.h:
src/cli/cli.h:
src/store/migrate.h:
src/users/users.h:
src/store/users.h:
