/*
 * main.c - the unit-test runner: runs every registered TEST in its own
 * process with a timeout and prints "N passed, N failed" last.
 *
 *   build/unit_tests [--list] [--nofork] [--timeout SECONDS] [FILTER...]
 *
 * FILTER selects tests whose name or file contains the substring.
 */
#include "test.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *name;
    const char *file;
    test_fn fn;
} TestCase;

static TestCase *tests;
static int n_tests, cap_tests;
static char tmp_dir[512];
static char shared_dir[1024];
static char build_dir[1024];

void test_register(const char *name, const char *file, test_fn fn)
{
    if (n_tests == cap_tests) {
        cap_tests = cap_tests ? cap_tests * 2 : 256;
        tests = realloc(tests, (size_t)cap_tests * sizeof *tests);
        if (!tests)
            abort();
    }
    tests[n_tests].name = name;
    tests[n_tests].file = file;
    tests[n_tests].fn = fn;
    n_tests++;
}

void test_fail_exit(void)
{
    fflush(stdout);
    fflush(stderr);
    _exit(1);
}

void test_skip_exit(const char *why)
{
    fprintf(stderr, "skipped: %s\n", why);
    fflush(stdout);
    fflush(stderr);
    _exit(77);
}

const char *test_shared_dir(void)
{
    return shared_dir[0] ? shared_dir : NULL;
}

const char *test_tmp_dir(void)
{
    return tmp_dir;
}

const char *test_build_dir(void)
{
    return build_dir;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void find_dirs(const char *argv0)
{
    const char *env = getenv("TARN_SHARED");
    struct stat st;
    if (env && *env) {
        snprintf(shared_dir, sizeof shared_dir, "%s/testdata", env);
    } else {
        snprintf(shared_dir, sizeof shared_dir, "../shared/testdata");
    }
    if (stat(shared_dir, &st) != 0) {
        char cwd[512];
        if (getcwd(cwd, sizeof cwd)) {
            snprintf(shared_dir, sizeof shared_dir, "%s/../shared/testdata", cwd);
            if (stat(shared_dir, &st) != 0)
                shared_dir[0] = '\0';
        } else {
            shared_dir[0] = '\0';
        }
    }
    /* build dir = directory of argv0 */
    snprintf(build_dir, sizeof build_dir, "%s", argv0);
    char *slash = strrchr(build_dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(build_dir, sizeof build_dir, ".");
}

static bool matches(const TestCase *t, int argc, char **argv, int first)
{
    if (first >= argc)
        return true;
    for (int i = first; i < argc; i++)
        if (strstr(t->name, argv[i]) || strstr(t->file, argv[i]))
            return true;
    return false;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int timeout = 120;
    bool nofork = false, list = false;
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (!strcmp(argv[first], "--nofork"))
            nofork = true;
        else if (!strcmp(argv[first], "--list"))
            list = true;
        else if (!strcmp(argv[first], "--timeout") && first + 1 < argc)
            timeout = atoi(argv[++first]);
        first++;
    }
    find_dirs(argv[0]);
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < n_tests; i++) {
        TestCase *t = &tests[i];
        if (!matches(t, argc, argv, first))
            continue;
        if (list) {
            printf("%s (%s)\n", t->name, t->file);
            continue;
        }
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tarn-test-%d-%d", (int)getpid(), i);
        mkdir(tmp_dir, 0700);
        double t0 = now_s();
        int status = 0;
        if (nofork) {
            t->fn();
        } else {
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid == 0) {
                alarm((unsigned)timeout);
                t->fn();
                fflush(stdout);
                _exit(0);
            }
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        }
        double dt = now_s() - t0;
        nftw(tmp_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
            printf("ok   %-50s %.2fs\n", t->name, dt);
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
            skipped++;
            printf("skip %-50s\n", t->name);
        } else {
            failed++;
            if (WIFSIGNALED(status))
                printf("FAIL %-50s (signal %d%s) %s\n", t->name, WTERMSIG(status),
                       WTERMSIG(status) == SIGALRM ? ", timeout" : "", t->file);
            else
                printf("FAIL %-50s (exit %d) %s\n", t->name, WEXITSTATUS(status), t->file);
        }
        fflush(stdout);
    }
    if (!list) {
        if (skipped)
            printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
        else
            printf("%d passed, %d failed\n", passed, failed);
    }
    return failed ? 1 : 0;
}
