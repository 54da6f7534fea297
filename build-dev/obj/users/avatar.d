build-dev/obj/users/avatar.o: src/users/avatar.c src/users/avatar.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/users.h \
 src/store/store.h
src/users/avatar.h:
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
src/store/users.h:
src/store/store.h:
