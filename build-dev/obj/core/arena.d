build-dev/obj/core/arena.o: src/core/arena.c src/core/arena.h \
 src/core/err.h
src/core/arena.h:
src/core/err.h:
