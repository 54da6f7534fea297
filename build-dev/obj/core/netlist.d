build-dev/obj/core/netlist.o: src/core/netlist.c src/core/netlist.h \
 src/core/err.h
src/core/netlist.h:
src/core/err.h:
