build-dev/obj/mail/mail.o: src/mail/mail.c src/mail/mail.h src/core/ctx.h \
 src/core/clock.h src/core/err.h src/core/config.h src/core/log.h \
 src/core/buf.h src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/jobs/runner.h src/core/arena.h src/jobs/queue.h src/store/jobs.h \
 src/store/store.h src/core/uuid.h src/mail/smtp.h src/mail/template.h
src/mail/mail.h:
src/core/ctx.h:
src/core/clock.h:
src/core/err.h:
src/core/config.h:
src/core/log.h:
src/core/buf.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/jobs/runner.h:
src/core/arena.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/store.h:
src/core/uuid.h:
src/mail/smtp.h:
src/mail/template.h:
