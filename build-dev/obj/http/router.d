build-dev/obj/http/router.o: src/http/router.c src/http/router.h \
 src/core/arena.h src/core/err.h src/core/utf8.h
src/http/router.h:
src/core/arena.h:
src/core/err.h:
src/core/utf8.h:
