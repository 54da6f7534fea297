build-dev/obj/store/jobs.o: src/store/jobs.c src/store/jobs.h \
 src/core/arena.h src/core/err.h src/store/store.h src/core/log.h \
 src/core/buf.h src/core/clock.h
src/store/jobs.h:
src/core/arena.h:
src/core/err.h:
src/store/store.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
