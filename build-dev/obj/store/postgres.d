build-dev/obj/store/postgres.o: src/store/postgres.c src/core/clock.h \
 src/core/err.h src/store/libpq.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h src/store/store_impl.h \
 src/store/store.h src/core/arena.h src/core/log.h src/core/buf.h
src/core/clock.h:
src/core/err.h:
src/store/libpq.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
src/store/store_impl.h:
src/store/store.h:
src/core/arena.h:
src/core/log.h:
src/core/buf.h:
