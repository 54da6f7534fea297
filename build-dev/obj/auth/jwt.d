build-dev/obj/auth/jwt.o: src/auth/jwt.c src/auth/jwt.h src/core/arena.h \
 src/core/err.h
src/auth/jwt.h:
src/core/arena.h:
src/core/err.h:
