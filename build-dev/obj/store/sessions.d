build-dev/obj/store/sessions.o: src/store/sessions.c src/store/sessions.h \
 src/core/arena.h src/core/err.h src/store/store.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/sessions.h:
src/core/arena.h:
src/core/err.h:
src/store/store.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
