build-dev/obj/api/me.o: src/api/me.c src/api/body.h src/http/http.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/http/router.h src/api/guard.h \
 src/auth/sessions.h src/store/sessions.h src/store/store.h \
 src/api/handlers.h src/users/account.h src/users/avatar.h \
 src/users/prefs.h src/users/users.h src/store/users.h
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
src/api/guard.h:
src/auth/sessions.h:
src/store/sessions.h:
src/store/store.h:
src/api/handlers.h:
src/users/account.h:
src/users/avatar.h:
src/users/prefs.h:
src/users/users.h:
src/store/users.h:
