build-dev/obj/api/guard.o: src/api/guard.c src/api/guard.h \
 src/auth/sessions.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/store/sessions.h src/store/store.h src/http/http.h src/http/router.h
src/api/guard.h:
src/auth/sessions.h:
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
src/store/sessions.h:
src/store/store.h:
src/http/http.h:
src/http/router.h:
