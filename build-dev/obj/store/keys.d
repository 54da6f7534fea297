build-dev/obj/store/keys.o: src/store/keys.c src/store/keys.h \
 src/store/store.h src/core/arena.h src/core/err.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/keys.h:
src/store/store.h:
src/core/arena.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
