build-dev/obj/http/server.o: src/http/server.c src/http/server.h \
 src/core/buf.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/http/router.h src/core/arena.h \
 src/audit/audit.h src/store/audit.h src/store/store.h \
 src/auth/ratelimit.h src/core/pool.h src/core/uuid.h src/http/clientip.h \
 src/http/headwatch.h src/http/http.h src/http/metrics.h \
 src/http/problem.h
src/http/server.h:
src/core/buf.h:
src/core/err.h:
src/core/ctx.h:
src/core/clock.h:
src/core/config.h:
src/core/log.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/http/router.h:
src/core/arena.h:
src/audit/audit.h:
src/store/audit.h:
src/store/store.h:
src/auth/ratelimit.h:
src/core/pool.h:
src/core/uuid.h:
src/http/clientip.h:
src/http/headwatch.h:
src/http/http.h:
src/http/metrics.h:
src/http/problem.h:
