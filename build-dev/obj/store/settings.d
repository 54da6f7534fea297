build-dev/obj/store/settings.o: src/store/settings.c src/store/settings.h \
 src/core/arena.h src/core/err.h src/store/store.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/settings.h:
src/core/arena.h:
src/core/err.h:
src/store/store.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
