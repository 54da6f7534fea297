build-dev/obj/users/purge.o: src/users/purge.c src/users/purge.h \
 src/jobs/runner.h src/core/arena.h src/core/err.h src/core/buf.h \
 src/core/ctx.h src/core/clock.h src/core/config.h src/core/log.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/jobs/queue.h src/store/jobs.h src/store/store.h src/store/users.h \
 src/users/avatar.h
src/users/purge.h:
src/jobs/runner.h:
src/core/arena.h:
src/core/err.h:
src/core/buf.h:
src/core/ctx.h:
src/core/clock.h:
src/core/config.h:
src/core/log.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/store.h:
src/store/users.h:
src/users/avatar.h:
