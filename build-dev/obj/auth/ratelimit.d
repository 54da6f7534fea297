build-dev/obj/auth/ratelimit.o: src/auth/ratelimit.c src/auth/ratelimit.h \
 src/core/err.h src/core/ratepolicy.h
src/auth/ratelimit.h:
src/core/err.h:
src/core/ratepolicy.h:
