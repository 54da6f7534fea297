build-dev/obj/store/sqlite.o: src/store/sqlite.c src/core/clock.h \
 src/core/err.h src/store/store_impl.h src/store/store.h src/core/arena.h \
 src/core/log.h src/core/buf.h
src/core/clock.h:
src/core/err.h:
src/store/store_impl.h:
src/store/store.h:
src/core/arena.h:
src/core/log.h:
src/core/buf.h:
