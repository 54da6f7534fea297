build-dev/obj/jobs/schedule.o: src/jobs/schedule.c src/jobs/schedule.h \
 src/core/err.h
src/jobs/schedule.h:
src/core/err.h:
