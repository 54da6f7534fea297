build-dev/obj/http/clientip.o: src/http/clientip.c src/http/clientip.h \
 src/core/netlist.h src/core/err.h
src/http/clientip.h:
src/core/netlist.h:
src/core/err.h:
