build-dev/obj/http/metrics.o: src/http/metrics.c src/http/metrics.h \
 src/core/buf.h src/core/err.h src/http/router.h src/core/arena.h
src/http/metrics.h:
src/core/buf.h:
src/core/err.h:
src/http/router.h:
src/core/arena.h:
