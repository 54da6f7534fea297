build-dev/obj/core/ratepolicy.o: src/core/ratepolicy.c \
 src/core/ratepolicy.h src/core/err.h
src/core/ratepolicy.h:
src/core/err.h:
