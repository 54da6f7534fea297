build-dev/obj/main.o: src/main.c src/cli/cli.h src/core/config.h \
 src/core/err.h src/core/log.h src/core/buf.h src/core/clock.h \
 src/core/netlist.h src/core/ratepolicy.h src/store/store.h \
 src/core/arena.h
src/cli/cli.h:
src/core/config.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/store/store.h:
src/core/arena.h:
