build-dev/obj/auth/keys.o: src/auth/keys.c src/auth/keys.h src/auth/jwt.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/keys.h src/store/store.h
src/auth/keys.h:
src/auth/jwt.h:
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
src/store/keys.h:
src/store/store.h:
