build-dev/obj/api/metrics.o: src/api/metrics.c src/api/handlers.h \
 src/http/http.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/http/router.h src/audit/audit.h src/store/audit.h src/store/store.h \
 src/core/version.h src/http/server.h src/jobs/runner.h src/jobs/queue.h \
 src/store/jobs.h
src/api/handlers.h:
src/http/http.h:
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
src/http/router.h:
src/audit/audit.h:
src/store/audit.h:
src/store/store.h:
src/core/version.h:
src/http/server.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
