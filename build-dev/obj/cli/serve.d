build-dev/obj/cli/serve.o: src/cli/serve.c src/api/api.h \
 src/core/config.h src/core/err.h src/core/log.h src/core/buf.h \
 src/core/clock.h src/core/netlist.h src/core/ratepolicy.h \
 src/http/router.h src/core/arena.h src/audit/audit.h src/core/ctx.h \
 src/core/rand.h src/store/audit.h src/store/store.h src/auth/keys.h \
 src/auth/jwt.h src/auth/ratelimit.h src/auth/tokencache.h src/cli/cli.h \
 src/core/pool.h src/core/version.h src/http/server.h src/jobs/builtin.h \
 src/jobs/runner.h src/jobs/queue.h src/store/jobs.h src/mail/mail.h \
 src/users/purge.h src/audit/retention.h src/store/migrate.h \
 src/system/system.h src/users/users.h src/store/users.h
src/api/api.h:
src/core/config.h:
src/core/err.h:
src/core/log.h:
src/core/buf.h:
src/core/clock.h:
src/core/netlist.h:
src/core/ratepolicy.h:
src/http/router.h:
src/core/arena.h:
src/audit/audit.h:
src/core/ctx.h:
src/core/rand.h:
src/store/audit.h:
src/store/store.h:
src/auth/keys.h:
src/auth/jwt.h:
src/auth/ratelimit.h:
src/auth/tokencache.h:
src/cli/cli.h:
src/core/pool.h:
src/core/version.h:
src/http/server.h:
src/jobs/builtin.h:
src/jobs/runner.h:
src/jobs/queue.h:
src/store/jobs.h:
src/mail/mail.h:
src/users/purge.h:
src/audit/retention.h:
src/store/migrate.h:
src/system/system.h:
src/users/users.h:
src/store/users.h:
