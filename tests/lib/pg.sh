# tests/lib/pg.sh - a throwaway PostgreSQL server for the tests.
#
# Source it, then `pg_start`: initdb in a temporary directory, loopback only,
# a free port, trust authentication for the role "marquee". Exports
# MQ_TEST_PG_URL (a database the unit tests may wipe), MQ_TEST_PG_ADMIN_URL
# (for creating per-test databases), MQ_TEST_PG_BIN, MQ_TEST_PG_DATA and
# MQ_TEST_PG_RUNAS. `pg_stop` stops it and removes the directory.
# `pg_start durable` keeps PostgreSQL's crash-safe defaults (fsync, synchronous
# commit) for benchmarks; the tests run without them.
# PostgreSQL refuses to run as root, so as root it runs as Debian's postgres user.

pg_start() {
    MQ_TEST_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$MQ_TEST_PG_BIN/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; return 1; }
    PG_TMP=$(mktemp -d /tmp/mq-pg.XXXXXX)
    MQ_TEST_PG_RUNAS=
    if [ "$(id -u)" = 0 ]; then
        MQ_TEST_PG_RUNAS=postgres
        chown postgres: "$PG_TMP"
    fi
    MQ_TEST_PG_DATA=$PG_TMP/data
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    pg_as "$MQ_TEST_PG_BIN/initdb" -D "$MQ_TEST_PG_DATA" -U marquee -A trust --no-sync -E UTF8 \
        >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    cat >>"$MQ_TEST_PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_TMP'
max_connections = 200
CONF
    if [ "${1:-}" != durable ]; then
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' \
            >>"$MQ_TEST_PG_DATA/postgresql.conf"
    fi
    pg_as "$MQ_TEST_PG_BIN/pg_ctl" -D "$MQ_TEST_PG_DATA" -l "$PG_TMP/server.log" -w start >/dev/null ||
        { cat "$PG_TMP/server.log" >&2; return 1; }
    MQ_TEST_PG_ADMIN_URL="postgres://marquee@127.0.0.1:$port/postgres"
    MQ_TEST_PG_URL="postgres://marquee@127.0.0.1:$port/marquee_unit"
    pg_as "$MQ_TEST_PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U marquee -d postgres \
        -c "CREATE DATABASE marquee_unit" >/dev/null
    export MQ_TEST_PG_BIN MQ_TEST_PG_DATA MQ_TEST_PG_RUNAS MQ_TEST_PG_URL MQ_TEST_PG_ADMIN_URL
}

pg_as() {
    if [ -n "${MQ_TEST_PG_RUNAS:-}" ]; then
        runuser -u "$MQ_TEST_PG_RUNAS" -- "$@"
    else
        "$@"
    fi
}

pg_stop() {
    [ -n "${PG_TMP:-}" ] || return 0
    pg_as "$MQ_TEST_PG_BIN/pg_ctl" -D "$MQ_TEST_PG_DATA" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PG_TMP"
    PG_TMP=
}
