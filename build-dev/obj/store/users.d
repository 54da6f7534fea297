build-dev/obj/store/users.o: src/store/users.c src/store/users.h \
 src/core/arena.h src/core/err.h src/store/store.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/users.h:
src/core/arena.h:
src/core/err.h:
src/store/store.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
