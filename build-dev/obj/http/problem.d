build-dev/obj/http/problem.o: src/http/problem.c src/http/problem.h \
 src/core/err.h
src/http/problem.h:
src/core/err.h:
