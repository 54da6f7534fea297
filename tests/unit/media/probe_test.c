/* The probe helpers: real files made with ffmpeg, probed by the real
 * helper (this build's marquee binary); helpers hung and killed from
 * outside cost one file, never the caller. */
#include "test.h"

#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/probe.h"

static char dir[] = "/tmp/mq-probe-test.XXXXXX";
static char exe[PATH_MAX + 16];

static void path_of(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int setup(void **state)
{
    (void)state;
    /* build/tests/media/probe_test -> build/marquee (any build directory) */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) return -1;
    self[n] = 0;
    char *t = strstr(self, "/tests/");
    if (!t) return -1;
    *t = 0;
    snprintf(exe, sizeof(exe), "%s/marquee", self);
    if (!mkdtemp(dir)) return -1;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=25:duration=1 "
             "-f lavfi -i sine=frequency=440:duration=1 -c:v libx264 -pix_fmt yuv420p -c:a aac "
             "-metadata:s:a:0 language=fre %s/clip.mp4",
             dir);
    if (system(cmd)) return -1;
    char p[PATH_MAX];
    path_of("garbage.mkv", p, sizeof(p));
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 5000; i++) fputc((i * 7919) & 0xff, f);
    fclose(f);
    path_of("empty.mp4", p, sizeof(p));
    fclose(fopen(p, "w"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) ? -1 : 0;
}

static mq_err probe(struct mq_prober *p, const char *name, json_t **doc, char *why, size_t wl)
{
    char path[PATH_MAX];
    path_of(name, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    struct mq_arena *a = mq_arena_new(0);
    const char *json = NULL;
    mq_err err = mq_prober_probe(p, fd, name, a, &json, why, wl);
    close(fd);
    *doc = json ? json_loads(json, 0, NULL) : NULL;
    mq_arena_free(a);
    return err;
}

static struct mq_prober *new_prober(int workers, int64_t timeout_ms)
{
    struct mq_prober *p = NULL;
    struct mq_prober_opts o = {
        .exe = exe, .workers = workers, .timeout_ms = timeout_ms, .memory_limit = 1ULL << 30};
    assert_int_equal(mq_prober_new(&o, &p), MQ_OK);
    return p;
}

static void test_reads_a_clip(void **state)
{
    (void)state;
    struct mq_prober *p = new_prober(1, 20000);
    json_t *doc = NULL;
    char why[256];
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    assert_non_null(doc);
    json_t *streams = json_object_get(doc, "streams");
    assert_int_equal(json_array_size(streams), 2);
    json_t *v = json_array_get(streams, 0), *a = json_array_get(streams, 1);
    assert_string_equal(json_string_value(json_object_get(v, "codec")), "h264");
    assert_int_equal(json_integer_value(json_object_get(v, "width")), 320);
    assert_int_equal(json_integer_value(json_object_get(v, "bit_depth")), 8);
    assert_string_equal(json_string_value(json_object_get(v, "hdr")), "SDR");
    assert_string_equal(json_string_value(json_object_get(a, "codec")), "aac");
    assert_string_equal(json_string_value(json_object_get(a, "language")), "fre");
    json_int_t ms = json_integer_value(json_object_get(doc, "duration_ms"));
    assert_true(ms >= 900 && ms <= 1200);
    json_decref(doc);
    mq_prober_free(p);
}

static void test_unreadable_files_fail_alone(void **state)
{
    (void)state;
    struct mq_prober *p = new_prober(1, 20000);
    json_t *doc = NULL;
    char why[256];
    assert_int_equal(probe(p, "garbage.mkv", &doc, why, sizeof(why)), MQ_EIO);
    assert_null(doc);
    assert_non_null(strstr(why, "demuxer"));
    assert_int_equal(probe(p, "empty.mp4", &doc, why, sizeof(why)), MQ_EIO);
    /* The same helper goes on. */
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    json_decref(doc);
    assert_int_equal(mq_prober_restarts(p), 0);
    mq_prober_free(p);
}

/* Sends sig to every child of this process (the helpers). */
static int signal_children(int sig)
{
    char path[320];
    int hit = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1) hit += kill(pid, sig) == 0;
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return hit;
}

/* Whether every child of this process has exited (a zombie, not reaped
 * yet, counts as exited). */
static bool children_dead(void)
{
    char path[320];
    bool dead = true;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1) {
            char stat[64], state = 0;
            snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
            FILE *sf = fopen(stat, "r");
            if (sf && fscanf(sf, "%*d %*s %c", &state) == 1 && state != 'Z') dead = false;
            if (sf) fclose(sf);
        }
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return dead;
}

/* A helper that stops answering (a demuxer in a loop) is killed at the
 * time limit; the next file gets a new one. */
static void test_a_hung_helper_is_replaced(void **state)
{
    (void)state;
    struct mq_prober *p = new_prober(1, 1000);
    json_t *doc = NULL;
    char why[256];
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    json_decref(doc);
    assert_true(signal_children(SIGSTOP) >= 1);
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_ETIMEOUT);
    assert_non_null(strstr(why, "longer than"));
    assert_int_equal(mq_prober_restarts(p), 1);
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    json_decref(doc);
    mq_prober_free(p);
}

/* A helper that dies (a crash in a demuxer) is replaced; a file sent to a
 * helper that had already died is not blamed. */
static void test_a_dead_helper_is_replaced(void **state)
{
    (void)state;
    struct mq_prober *p = new_prober(1, 20000);
    json_t *doc = NULL;
    char why[256];
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    json_decref(doc);
    assert_true(signal_children(SIGSEGV) >= 1);
    /* Dead, not dying: under ASan a helper takes a while to report. */
    for (int i = 0; i < 500 && !children_dead(); i++) usleep(10 * 1000);
    assert_true(children_dead());
    assert_int_equal(probe(p, "clip.mp4", &doc, why, sizeof(why)), MQ_OK);
    json_decref(doc);
    assert_int_equal(mq_prober_restarts(p), 1);
    mq_prober_free(p);
}

static struct mq_prober *shared;
static int failures;
static pthread_mutex_t failures_mu = PTHREAD_MUTEX_INITIALIZER;

static void *probe_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 8; i++) {
        json_t *doc = NULL;
        char why[256];
        char path[PATH_MAX + 300];
        path_of("clip.mp4", path, sizeof(path));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct mq_arena *a = mq_arena_new(0);
        const char *json = NULL;
        mq_err err = mq_prober_probe(shared, fd, "clip.mp4", a, &json, why, sizeof(why));
        close(fd);
        doc = json ? json_loads(json, 0, NULL) : NULL;
        if (err || json_array_size(json_object_get(doc, "streams")) != 2) {
            fprintf(stderr, "probe: %s: %s\n", mq_err_name(err), why);
            pthread_mutex_lock(&failures_mu);
            failures++;
            pthread_mutex_unlock(&failures_mu);
        }
        json_decref(doc);
        mq_arena_free(a);
    }
    return NULL;
}

static void test_callers_share_the_helpers(void **state)
{
    (void)state;
    shared = new_prober(2, 20000);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, probe_many, NULL), 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    assert_int_equal(failures, 0);
    mq_prober_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_clip),
        cmocka_unit_test(test_unreadable_files_fail_alone),
        cmocka_unit_test(test_a_hung_helper_is_replaced),
        cmocka_unit_test(test_a_dead_helper_is_replaced),
        cmocka_unit_test(test_callers_share_the_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
