build-dev/obj/users/users.o: src/users/users.c src/users/users.h \
 src/core/ctx.h src/core/clock.h src/core/err.h src/core/config.h \
 src/core/log.h src/core/buf.h src/core/netlist.h src/core/ratepolicy.h \
 src/core/rand.h src/store/users.h src/core/arena.h src/store/store.h \
 src/auth/password.h src/core/utf8.h src/core/uuid.h src/store/settings.h \
 src/users/prefs.h
src/users/users.h:
src/core/ctx.h:
src/core/clock.h:
src/core/err.h:
src/core/config.h:
src/core/log.h:
src/core/buf.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/store/users.h:
src/core/arena.h:
src/store/store.h:
src/auth/password.h:
src/core/utf8.h:
src/core/uuid.h:
src/store/settings.h:
src/users/prefs.h:
