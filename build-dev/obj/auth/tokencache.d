build-dev/obj/auth/tokencache.o: src/auth/tokencache.c \
 src/auth/tokencache.h src/core/arena.h src/core/err.h
src/auth/tokencache.h:
src/core/arena.h:
src/core/err.h:
