build-dev/obj/core/uuid.o: src/core/uuid.c src/core/uuid.h \
 src/core/clock.h src/core/err.h src/core/rand.h
src/core/uuid.h:
src/core/clock.h:
src/core/err.h:
src/core/rand.h:
