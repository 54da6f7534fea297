build-dev/obj/core/config.o: src/core/config.c src/core/config.h \
 src/core/err.h src/core/log.h src/core/buf.h src/core/clock.h \
 src/core/netlist.h src/core/ratepolicy.h
src/core/config.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/core/netlist.h:
src/core/ratepolicy.h:
