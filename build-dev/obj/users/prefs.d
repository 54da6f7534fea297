build-dev/obj/users/prefs.o: src/users/prefs.c src/users/prefs.h \
 src/core/arena.h src/core/err.h
src/users/prefs.h:
src/core/arena.h:
src/core/err.h:
