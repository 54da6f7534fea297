build-dev/obj/jobs/queue.o: src/jobs/queue.c src/jobs/queue.h \
 src/core/ctx.h src/core/clock.h src/core/err.h src/core/config.h \
 src/core/log.h src/core/buf.h src/core/netlist.h src/core/ratepolicy.h \
 src/core/rand.h src/store/jobs.h src/core/arena.h src/store/store.h \
 src/core/uuid.h src/jobs/runner.h
src/jobs/queue.h:
src/core/ctx.h:
src/core/clock.h:
src/core/err.h:
src/core/config.h:
src/core/log.h:
src/core/buf.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/store/jobs.h:
src/core/arena.h:
src/store/store.h:
src/core/uuid.h:
src/jobs/runner.h:
