build-dev/obj/http/headwatch.o: src/http/headwatch.c src/http/headwatch.h \
 src/core/err.h
src/http/headwatch.h:
src/core/err.h:
