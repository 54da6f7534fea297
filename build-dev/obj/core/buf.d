build-dev/obj/core/buf.o: src/core/buf.c src/core/buf.h src/core/err.h \
 src/core/utf8.h
src/core/buf.h:
src/core/err.h:
src/core/utf8.h:
