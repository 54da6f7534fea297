build-dev/obj/store/audit.o: src/store/audit.c src/store/audit.h \
 src/core/arena.h src/core/err.h src/store/store.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/audit.h:
src/core/arena.h:
src/core/err.h:
src/store/store.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
