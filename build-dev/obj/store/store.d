build-dev/obj/store/store.o: src/store/store.c src/store/store.h \
 src/core/arena.h src/core/err.h src/core/log.h src/core/buf.h \
 src/core/clock.h src/store/store_impl.h
src/store/store.h:
src/core/arena.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/store/store_impl.h:
