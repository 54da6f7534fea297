build-dev/obj/auth/token.o: src/auth/token.c src/auth/token.h \
 src/core/arena.h src/core/err.h src/core/rand.h
src/auth/token.h:
src/core/arena.h:
src/core/err.h:
src/core/rand.h:
