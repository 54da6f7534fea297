build-dev/obj/core/clock.o: src/core/clock.c src/core/clock.h \
 src/core/err.h
src/core/clock.h:
src/core/err.h:
