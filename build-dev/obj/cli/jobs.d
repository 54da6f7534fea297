build-dev/obj/cli/jobs.o: src/cli/jobs.c src/audit/audit.h src/core/buf.h \
 src/core/err.h src/core/ctx.h src/core/clock.h src/core/config.h \
 src/core/log.h src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/store/audit.h src/core/arena.h src/store/store.h src/cli/cli.h \
 src/core/uuid.h src/jobs/queue.h src/store/jobs.h src/store/migrate.h
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
src/core/uuid.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/migrate.h:
