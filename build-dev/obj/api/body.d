build-dev/obj/api/body.o: src/api/body.c src/api/body.h src/http/http.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/http/router.h
src/api/body.h:
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
