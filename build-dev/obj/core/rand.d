build-dev/obj/core/rand.o: src/core/rand.c src/core/rand.h
src/core/rand.h:
