build-dev/obj/api/jobs.o: src/api/jobs.c src/api/guard.h \
 src/auth/sessions.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/store/sessions.h src/store/store.h src/http/http.h src/http/router.h \
 src/api/handlers.h src/core/uuid.h src/http/page.h src/jobs/queue.h \
 src/store/jobs.h
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
src/api/handlers.h:
src/core/uuid.h:
src/http/page.h:
src/jobs/queue.h:
src/store/jobs.h:
