build-dev/obj/http/page.o: src/http/page.c src/http/page.h \
 src/http/http.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/http/router.h src/core/utf8.h
src/http/page.h:
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
src/core/utf8.h:
