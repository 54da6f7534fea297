/* replay - runs a libFuzzer driver over corpus files without libFuzzer, so
 * the suite can check the corpus with gcc, ASan and UBSan.
 * usage: replay FILE_OR_DIR...   prints one TAP line with the count. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Drivers that need a set-up (request_fuzz starts a server) define it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    static uint8_t buf[1 << 17];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0;
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) continue;
        if (!S_ISDIR(st.st_mode)) {
            files += replay_file(argv[i]) == 0;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            files += replay_file(path) == 0;
        }
        if (d) closedir(d);
    }
    printf("%s - fuzz corpus replayed: %d inputs\n", files > 0 ? "ok" : "not ok", files);
    return files > 0 ? 0 : 1;
}
