build-dev/obj/mail/template.o: src/mail/template.c src/mail/template.h \
 src/core/arena.h src/core/err.h src/core/buf.h
src/mail/template.h:
src/core/arena.h:
src/core/err.h:
src/core/buf.h:
