build-dev/obj/store/migrate.o: src/store/migrate.c src/store/migrate.h \
 src/core/clock.h src/core/err.h src/core/log.h src/core/buf.h \
 src/store/store.h src/core/arena.h
src/store/migrate.h:
src/core/clock.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/store/store.h:
src/core/arena.h:
