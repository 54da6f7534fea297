build-dev/obj/audit/audit.o: src/audit/audit.c src/audit/audit.h \
 src/core/buf.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/audit.h src/core/arena.h \
 src/store/store.h src/audit/retention.h src/jobs/runner.h \
 src/jobs/queue.h src/store/jobs.h src/core/uuid.h src/store/keys.h
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
src/audit/retention.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
src/core/uuid.h:
src/store/keys.h:
