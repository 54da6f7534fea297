build-dev/obj/users/account.o: src/users/account.c src/users/account.h \
 src/auth/sessions.h src/core/arena.h src/core/err.h src/core/ctx.h \
 src/core/clock.h src/core/config.h src/core/log.h src/core/buf.h \
 src/core/netlist.h src/core/ratepolicy.h src/core/rand.h \
 src/store/sessions.h src/store/store.h src/auth/password.h \
 src/auth/token.h src/mail/mail.h src/jobs/runner.h src/jobs/queue.h \
 src/store/jobs.h src/store/users.h src/users/users.h
src/users/account.h:
src/auth/sessions.h:
src/core/arena.h:
src/core/err.h:
src/core/ctx.h:
src/core/clock.h:
src/core/config.h:
src/core/log.h:
src/core/buf.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/core/rand.h:
src/store/sessions.h:
src/store/store.h:
src/auth/password.h:
src/auth/token.h:
src/mail/mail.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/users.h:
src/users/users.h:
