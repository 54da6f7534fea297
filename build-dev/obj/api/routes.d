build-dev/obj/api/routes.o: src/api/routes.c src/api/api.h \
 src/core/config.h src/core/err.h src/core/log.h src/core/buf.h \
 src/core/clock.h src/core/netlist.h src/core/ratepolicy.h \
 src/http/router.h src/core/arena.h src/api/handlers.h src/http/http.h \
 src/core/ctx.h src/core/rand.h
src/api/api.h:
src/core/config.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/http/router.h:
src/core/arena.h:
src/api/handlers.h:
src/http/http.h:
src/core/ctx.h:
src/core/rand.h:
