build-dev/obj/auth/password.o: src/auth/password.c src/auth/password.h \
 src/core/config.h src/core/err.h src/core/log.h src/core/buf.h \
 src/core/clock.h src/core/netlist.h src/core/ratepolicy.h \
 src/core/utf8.h
src/auth/password.h:
src/core/config.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/utf8.h:
