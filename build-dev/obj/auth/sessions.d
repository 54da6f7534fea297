build-dev/obj/auth/sessions.o: src/auth/sessions.c src/auth/sessions.h \
 src/core/arena.h src/core/err.h src/core/ctx.h src/core/clock.h \
 src/core/config.h src/core/log.h src/core/buf.h src/core/netlist.h \
 src/core/ratepolicy.h src/core/rand.h src/store/sessions.h \
 src/store/store.h src/auth/jwt.h src/auth/keys.h src/auth/password.h \
 src/auth/token.h src/auth/tokencache.h src/core/uuid.h src/mail/mail.h \
 src/jobs/runner.h src/jobs/queue.h src/store/jobs.h src/store/users.h \
 src/users/users.h
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
src/auth/jwt.h:
src/auth/keys.h:
src/auth/password.h:
src/auth/token.h:
src/auth/tokencache.h:
src/core/uuid.h:
src/mail/mail.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
src/store/users.h:
src/users/users.h:
