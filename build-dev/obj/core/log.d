build-dev/obj/core/log.o: src/core/log.c src/core/log.h src/core/buf.h \
 src/core/err.h src/core/clock.h
src/core/log.h:
src/core/buf.h:
src/core/err.h:
src/core/clock.h:
