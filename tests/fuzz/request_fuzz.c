/* request_fuzz - whole requests, as bytes on a connection to the real
 * server: libmicrohttpd's parsing of the head, then ours (request id, path,
 * limits, routing, the gate's reading of Authorization, X-Api-Key and,
 * from a trusted proxy, X-Forwarded-For), and the API's body reader
 * (Content-Type, JSON, fields) in whichever handler the path reaches.
 *
 * The server runs in this process, on the context `marquee serve` builds
 * (mq_cli_services_open), on loopback, over a fresh SQLite database in a
 * temporary directory that is removed at exit; each input is written to a new connection and the
 * answer read until the server closes it. A crash anywhere in the server is a crash of the driver.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/keyring.h"
#include "cli/cli.h"
#include "core/pool.h"
#include "fuzz.h"
#include "http/server.h"
#include "store/migrate.h"
#include "system/settings.h"
#include "system/system.h"

static struct {
    char dir[64];
    struct mq_config cfg;
    struct mq_log log;
    struct mq_ctx ctx;
    struct mq_router *router;
    struct mq_http_server *http;
    uint16_t port;
} fz;

static void set(const char *key, const char *value)
{
    char err[256];
    int i = mq_config_key_index(key);
    if (i < 0 || mq_config_set(&fz.cfg, (size_t)i, value, MQ_SRC_FLAG, err, sizeof(err))) {
        fprintf(stderr, "request_fuzz: %s\n", err);
        abort();
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void stop(void)
{
    mq_cli_pools_free(&fz.ctx); /* they resume their connections before the server stops */
    mq_http_stop(fz.http);
    mq_router_free(fz.router);
    mq_cli_services_close(&fz.ctx);
    mq_config_cleanup(&fz.cfg);
    nftw(fz.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int applied = 0;
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    snprintf(fz.dir, sizeof(fz.dir), "/tmp/mq-fuzz-XXXXXX");
    if (!mkdtemp(fz.dir) || mq_config_init(&fz.cfg)) abort();
    set("data_dir", fz.dir);
    set("listen", "127.0.0.1:0");
    set("argon2_memory", "8MiB");
    set("argon2_iterations", "1");
    set("rate_limit_default", "off");
    set("rate_limit_login", "off");
    set("trusted_proxies", "127.0.0.1");
    set("admin_token", "fuzz-admin-token");
    set("cpu_workers", "2");
    set("http_threads", "2");
    mq_log_init(&fz.log, MQ_LOG_ERROR, open("/dev/null", O_WRONLY), &mq_clock_system);
    if (mq_cli_services_open(&fz.ctx, &fz.cfg, &fz.log) ||
        mq_migrate_up(fz.ctx.store, fz.ctx.clock, fz.ctx.log, &applied) ||
        mq_system_init(&fz.ctx) || mq_keyring_open(&fz.ctx, &fz.ctx.keyring) ||
        mq_settings_open(&fz.ctx, &fz.cfg, &fz.ctx.settings) || mq_router_new(&fz.router) ||
        mq_api_register(fz.router, &fz.cfg) || mq_http_start(&fz.ctx, fz.router, &fz.http))
        abort();
    atomic_store(&fz.ctx.started, 1);
    fz.port = mq_http_port(fz.http);
    atexit(stop);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(fz.port)};
    char answer[65536];
    if (size > 65536) return 0;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) abort(); /* the server is gone */
    for (size_t sent = 0; sent < size;) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break; /* it may answer and close before reading everything */
        sent += (size_t)n;
    }
    /* A complete head may be answered by work on the CPU pool (password
     * hashing), which libmicrohttpd would drop if it saw the connection
     * half-closed first: give the answer a moment to start. A head left
     * incomplete waits for http_header_timeout, the server's to enforce,
     * not ours to wait out: half-close at once, and the server ends it. */
    struct pollfd p = {fd, POLLIN, 0};
    if (memmem(data, size, "\r\n\r\n", 4) || memmem(data, size, "\n\n", 2)) poll(&p, 1, 100);
    shutdown(fd, SHUT_WR);
    ssize_t got, first = 0;
    while (poll(&p, 1, 2000) == 1 && (got = recv(fd, answer, sizeof(answer) - 1, 0)) > 0)
        if (!first) first = got;
    /* MQ_FUZZ_SHOW=1: the first line of each answer, to see what inputs reach. */
    if (first && getenv("MQ_FUZZ_SHOW")) {
        answer[first] = '\0';
        fprintf(stderr, "%.*s\n", (int)strcspn(answer, "\r\n"), answer);
    }
    close(fd);
    return 0;
}
