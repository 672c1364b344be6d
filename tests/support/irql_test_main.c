/*
 * The runner behind irql_test.h: every registered test runs in its own forked child with a
 * time limit; the parent reports each failure and a Criterion-style synthesis line.
 */
#define _GNU_SOURCE
#include "irql_test.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_FAILED = 1, EXIT_SKIPPED = 77 };

/*
 * ThreadSanitizer sleeps atexit_sleep_ms (1 s) at exit while other threads live, and host-
 * kernel tests leave some (the DPC thread lives until the process exits): a second per test,
 * since each test is its own process. Read by the TSan runtime only; inert elsewhere.
 */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "atexit_sleep_ms=0";
}

static irqltest_case *Tests;
static bool ExpectFailed;

void irqltest_register(irqltest_case *test_case)
{
    test_case->next = Tests;
    Tests = test_case;
}

static void Report(const char *file, int line, const char *what, const char *fmt, va_list args)
{
    fprintf(stderr, "[----] %s:%d: Assertion failed: %s\n", file, line, what);
    if (fmt != NULL && fmt[0] != '\0') {
        fprintf(stderr, "[----]   ");
        vfprintf(stderr, fmt, args);
        fputc('\n', stderr);
    }
}

void irqltest_fatal(const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    Report(file, line, what, fmt, args);
    va_end(args);
    fflush(NULL);
    _exit(EXIT_FAILED);
}

void irqltest_nonfatal(const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    Report(file, line, what, fmt, args);
    va_end(args);
    ExpectFailed = true;
}

void irqltest_compare_failed(const char *file, int line, bool fatal, const char *what,
                             irqltest_value a, irqltest_value b, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    Report(file, line, what, fmt, args);
    va_end(args);
    fprintf(stderr, "[----]   left: %s, right: %s\n", a.text, b.text);
    if (fatal) {
        fflush(NULL);
        _exit(EXIT_FAILED);
    }
    ExpectFailed = true;
}

void irqltest_skip(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "[SKIP] ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    fflush(NULL);
    _exit(EXIT_SKIPPED);
}

void irqltest_log(const char *level, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "[%s] ", level);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
}

irqltest_value irqltest_int(int tag, long long v)
{
    irqltest_value r;
    (void)tag;
    snprintf(r.text, sizeof(r.text), "%lld (0x%llx)", v, (unsigned long long)v);
    return r;
}

irqltest_value irqltest_uint(int tag, unsigned long long v)
{
    irqltest_value r;
    (void)tag;
    snprintf(r.text, sizeof(r.text), "%llu (0x%llx)", v, v);
    return r;
}

irqltest_value irqltest_double(int tag, long double v)
{
    irqltest_value r;
    (void)tag;
    snprintf(r.text, sizeof(r.text), "%Lg", v);
    return r;
}

irqltest_value irqltest_ptr(int tag, const volatile void *v)
{
    irqltest_value r;
    (void)tag;
    snprintf(r.text, sizeof(r.text), "%p", (const void *)v);
    return r;
}

irqltest_value irqltest_other(int tag, ...)
{
    irqltest_value r = {"?"};
    (void)tag;
    return r;
}

static double Now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef enum { PASSED, FAILED, CRASHED, SKIPPED } OUTCOME;

static OUTCOME Run(irqltest_case *t, double default_timeout, bool verbose)
{
    double timeout = t->timeout > 0 ? t->timeout : default_timeout;
    double start = Now();
    int status;
    pid_t child;

    fflush(NULL);
    child = fork();
    if (child < 0) {
        perror("fork");
        return CRASHED;
    }
    if (child == 0) {
        alarm((unsigned)ceil(timeout));
        if (t->init != NULL) {
            t->init();
        }
        t->fn();
        if (t->fini != NULL) {
            t->fini();
        }
        fflush(NULL);
        exit(ExpectFailed ? EXIT_FAILED : t->exit_code);
    }
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return CRASHED;
        }
    }

    const char *verdict;
    OUTCOME outcome;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (t->signal != 0 && sig == t->signal) {
            outcome = PASSED, verdict = "PASS";
        } else if (sig == SIGALRM) {
            fprintf(stderr, "[----] timed out after %.0f s\n", timeout);
            outcome = CRASHED, verdict = "TIME";
        } else {
            fprintf(stderr, "[----] died of signal %d (%s)%s\n", sig, strsignal(sig),
                    t->signal ? "" : ", expected to return");
            outcome = CRASHED, verdict = "CRASH";
        }
    } else {
        int code = WEXITSTATUS(status);
        if (code == EXIT_SKIPPED) {
            outcome = SKIPPED, verdict = "SKIP";
        } else if (t->signal != 0) {
            fprintf(stderr, "[----] exited with %d, expected signal %d (%s)\n", code, t->signal,
                    strsignal(t->signal));
            outcome = FAILED, verdict = "FAIL";
        } else if (code != t->exit_code) {
            if (code != EXIT_FAILED) {
                fprintf(stderr, "[----] exited with %d, expected %d\n", code, t->exit_code);
            }
            outcome = FAILED, verdict = "FAIL";
        } else {
            outcome = PASSED, verdict = "PASS";
        }
    }
    if (outcome != PASSED || verbose) {
        fprintf(stderr, "[%s] %s::%s: (%.2fs)\n", verdict, t->suite, t->name, Now() - start);
    }
    return outcome;
}

static bool Selected(const irqltest_case *t, const char *filter)
{
    char full[256];
    if (filter == NULL) {
        return true;
    }
    snprintf(full, sizeof(full), "%s::%s", t->suite, t->name);
    return strncmp(full, filter, strlen(filter)) == 0;
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    double timeout = 60;
    bool verbose = false, list = false;
    int tested = 0, passing = 0, failing = 0, crashing = 0, skipped = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            filter = argv[++i];
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout = atof(argv[++i]);
        } else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            i++;
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else if (strcmp(argv[i], "--list") == 0) {
            list = true;
        } else {
            fprintf(stderr, "usage: %s [--filter suite[::name]] [--timeout s] [--list] [--verbose]\n",
                    argv[0]);
            return 2;
        }
    }

    /* Registration prepends: reverse to run in source order. */
    irqltest_case *ordered = NULL;
    while (Tests != NULL) {
        irqltest_case *next = Tests->next;
        Tests->next = ordered;
        ordered = Tests;
        Tests = next;
    }
    for (irqltest_case *t = ordered; t != NULL; t = t->next) {
        if (!Selected(t, filter)) {
            continue;
        }
        if (list) {
            printf("%s::%s\n", t->suite, t->name);
            continue;
        }
        if (t->disabled) {
            skipped++;
            continue;
        }
        tested++;
        switch (Run(t, timeout, verbose)) {
        case PASSED: passing++; break;
        case FAILED: failing++; break;
        case CRASHED: crashing++; break;
        case SKIPPED: tested--, skipped++; break;
        }
    }
    if (list) {
        return 0;
    }
    fprintf(stderr, "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d%s\n",
            tested, passing, failing, crashing, skipped ? " (some skipped)" : "");
    if (tested == 0 && filter != NULL) {
        fprintf(stderr, "no test matches %s\n", filter);
        return 1;
    }
    return failing + crashing == 0 ? 0 : 1;
}
