build-dev/obj/system/system.o: src/system/system.c src/system/system.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/core/uuid.h src/jobs/runner.h \
 src/jobs/queue.h src/store/jobs.h src/store/store.h src/store/migrate.h \
 src/store/settings.h
src/system/system.h:
src/core/arena.h:
src/core/err.h:
src/core/ctx.h:
src/core/clock.h:
src/core/config.h:
src/core/log.h:
src/core/buf.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/core/uuid.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/store.h:
src/store/migrate.h:
src/store/settings.h:
