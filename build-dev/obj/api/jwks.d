build-dev/obj/api/jwks.o: src/api/jwks.c src/api/handlers.h \
 src/http/http.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/http/router.h src/auth/keys.h src/auth/jwt.h
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
src/auth/keys.h:
src/auth/jwt.h:
