build-dev/obj/core/pool.o: src/core/pool.c src/core/pool.h src/core/err.h
src/core/pool.h:
src/core/err.h:
