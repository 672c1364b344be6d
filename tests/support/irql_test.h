/*
 * irql_test.h — the unit-test harness: Criterion's vocabulary, without Criterion.
 *
 * Criterion cannot start under ThreadSanitizer (its BoxFort arena probes addresses inside
 * TSan's shadow memory: Snaipe/Criterion#274), and every test here must run under TSan. This
 * harness keeps the part of Criterion's API the tests use — Test(suite, name, .signal = …,
 * .timeout = …), cr_assert_*, cr_expect_* — and its isolation: each test runs in a forked
 * child with a time limit, so a crash, an abort or a hang fails one test, not the run.
 *
 *   Test(pool, frees_what_it_allocates) { cr_assert_not_null(p, "allocation %d", i); }
 *   Test(bugcheck, aborts, .signal = SIGABRT) { abort(); }
 *
 * The runner (irql_test_main.c) takes: --filter <suite or suite::name prefix>,
 * --timeout <seconds> (default 60), --list, --verbose; --jobs is accepted and ignored
 * (ctest runs executables in parallel).
 */
#ifndef IRQL_TEST_H
#define IRQL_TEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct irqltest_case {
    const char *suite;
    const char *name;
    void (*fn)(void);
    /* Criterion's option names, so tests read the same. */
    int signal;         /* the test passes only if it dies of this signal */
    int exit_code;      /* the exit status it must end with */
    double timeout;     /* seconds; 0: the runner's default */
    bool disabled;
    const char *description;
    void (*init)(void);
    void (*fini)(void);
    int irqltest_sentinel;
    struct irqltest_case *next;
} irqltest_case;

void irqltest_register(irqltest_case *test_case);

#define Test(...) IRQLTEST_TEST_(__VA_ARGS__, .irqltest_sentinel = 0)
#define IRQLTEST_TEST_(Suite, Name, ...) \
    static void irqltest_fn_##Suite##_##Name(void); \
    static irqltest_case irqltest_case_##Suite##_##Name = { \
        .suite = #Suite, .name = #Name, .fn = irqltest_fn_##Suite##_##Name, __VA_ARGS__}; \
    __attribute__((constructor)) static void irqltest_reg_##Suite##_##Name(void) \
    { \
        irqltest_register(&irqltest_case_##Suite##_##Name); \
    } \
    static void irqltest_fn_##Suite##_##Name(void)

/* Failure reporting. Fatal failures end the test (the child exits 1); cr_expect_* records
   the failure and goes on. Messages are printf formats; the format is not compiler-checked
   because the macros append an empty argument to stay valid C11 with no message at all. */
__attribute__((noreturn)) void irqltest_fatal(const char *file, int line, const char *what,
                                              const char *fmt, ...);
void irqltest_nonfatal(const char *file, int line, const char *what, const char *fmt, ...);
__attribute__((noreturn)) void irqltest_skip(const char *fmt, ...);
void irqltest_log(const char *level, const char *fmt, ...);

/* Printing the two sides of a comparison: integers, floating values and data pointers show
   their value; anything else (function pointers: ISO C cannot print them) shows "?". */
typedef struct irqltest_value {
    char text[64];
} irqltest_value;
/* The leading int lets the catch-all take anything through "...". */
irqltest_value irqltest_int(int, long long v);
irqltest_value irqltest_uint(int, unsigned long long v);
irqltest_value irqltest_double(int, long double v);
irqltest_value irqltest_ptr(int, const volatile void *v);
irqltest_value irqltest_other(int, ...);
#define IRQLTEST_VALUE(X) \
    _Generic((X), \
        _Bool: irqltest_uint, char: irqltest_int, signed char: irqltest_int, \
        unsigned char: irqltest_uint, short: irqltest_int, unsigned short: irqltest_uint, \
        int: irqltest_int, unsigned: irqltest_uint, long: irqltest_int, \
        unsigned long: irqltest_uint, long long: irqltest_int, \
        unsigned long long: irqltest_uint, float: irqltest_double, double: irqltest_double, \
        long double: irqltest_double, void *: irqltest_ptr, const void *: irqltest_ptr, \
        char *: irqltest_ptr, const char *: irqltest_ptr, default: irqltest_other)(0, (X))
void irqltest_compare_failed(const char *file, int line, bool fatal, const char *what,
                             irqltest_value a, irqltest_value b, const char *fmt, ...);

#define IRQLTEST_BOOL_(Fatal, Cond, Text, ...) \
    ((Cond) ? (void)0 \
            : (Fatal) ? irqltest_fatal(__FILE__, __LINE__, Text, __VA_ARGS__) \
                      : irqltest_nonfatal(__FILE__, __LINE__, Text, __VA_ARGS__))
#define IRQLTEST_CMP_(Fatal, A, Op, B, ...) \
    do { \
        if (!((A)Op(B))) { \
            irqltest_compare_failed(__FILE__, __LINE__, Fatal, #A " " #Op " " #B, \
                                    IRQLTEST_VALUE(A), IRQLTEST_VALUE(B), __VA_ARGS__); \
        } \
    } while (0)
#define IRQLTEST_STR_(Fatal, A, Op, B, ...) \
    IRQLTEST_BOOL_(Fatal, strcmp((A), (B)) Op 0, "strcmp(" #A ", " #B ") " #Op " 0", __VA_ARGS__)

#define IRQLTEST_FIRST_(X, ...) X
#define IRQLTEST_TEXT_(X, ...) #X
#define IRQLTEST_TRUE_(Fatal, Negate, ...) \
    IRQLTEST_BOOL_(Fatal, Negate(IRQLTEST_FIRST_(__VA_ARGS__, 0)), \
                   #Negate IRQLTEST_TEXT_(__VA_ARGS__, 0), IRQLTEST_MSG_(__VA_ARGS__))
#define cr_assert(...) IRQLTEST_TRUE_(1, , __VA_ARGS__)
#define cr_expect(...) IRQLTEST_TRUE_(0, , __VA_ARGS__)
#define cr_assert_not(...) IRQLTEST_TRUE_(1, !, __VA_ARGS__)
#define cr_expect_not(...) IRQLTEST_TRUE_(0, !, __VA_ARGS__)
/* The message part of (Cond, fmt, args…): everything after the first argument, plus "". */
#define IRQLTEST_MSG_(...) IRQLTEST_MSG2_(__VA_ARGS__, "")
#define IRQLTEST_MSG2_(X, ...) __VA_ARGS__

#define IRQLTEST_CMP_ALL_(Fatal, Op, ...) IRQLTEST_CMP2_(Fatal, Op, __VA_ARGS__, "")
#define IRQLTEST_CMP2_(Fatal, Op, A, B, ...) IRQLTEST_CMP_(Fatal, A, Op, B, __VA_ARGS__)
#define cr_assert_eq(...) IRQLTEST_CMP_ALL_(1, ==, __VA_ARGS__)
#define cr_assert_neq(...) IRQLTEST_CMP_ALL_(1, !=, __VA_ARGS__)
#define cr_assert_lt(...) IRQLTEST_CMP_ALL_(1, <, __VA_ARGS__)
#define cr_assert_leq(...) IRQLTEST_CMP_ALL_(1, <=, __VA_ARGS__)
#define cr_assert_gt(...) IRQLTEST_CMP_ALL_(1, >, __VA_ARGS__)
#define cr_assert_geq(...) IRQLTEST_CMP_ALL_(1, >=, __VA_ARGS__)
#define cr_expect_eq(...) IRQLTEST_CMP_ALL_(0, ==, __VA_ARGS__)
#define cr_expect_neq(...) IRQLTEST_CMP_ALL_(0, !=, __VA_ARGS__)
#define cr_expect_lt(...) IRQLTEST_CMP_ALL_(0, <, __VA_ARGS__)
#define cr_expect_leq(...) IRQLTEST_CMP_ALL_(0, <=, __VA_ARGS__)
#define cr_expect_gt(...) IRQLTEST_CMP_ALL_(0, >, __VA_ARGS__)
#define cr_expect_geq(...) IRQLTEST_CMP_ALL_(0, >=, __VA_ARGS__)

#define IRQLTEST_NULL_ALL_(Fatal, Op, ...) IRQLTEST_NULL2_(Fatal, Op, __VA_ARGS__, "")
#define IRQLTEST_NULL2_(Fatal, Op, P, ...) \
    IRQLTEST_BOOL_(Fatal, (P) Op NULL, #P " " #Op " NULL", __VA_ARGS__)
#define cr_assert_null(...) IRQLTEST_NULL_ALL_(1, ==, __VA_ARGS__)
#define cr_assert_not_null(...) IRQLTEST_NULL_ALL_(1, !=, __VA_ARGS__)
#define cr_expect_null(...) IRQLTEST_NULL_ALL_(0, ==, __VA_ARGS__)
#define cr_expect_not_null(...) IRQLTEST_NULL_ALL_(0, !=, __VA_ARGS__)

#define IRQLTEST_STR_ALL_(Fatal, Op, ...) IRQLTEST_STR2_(Fatal, Op, __VA_ARGS__, "")
#define IRQLTEST_STR2_(Fatal, Op, A, B, ...) IRQLTEST_STR_(Fatal, A, Op, B, __VA_ARGS__)
#define cr_assert_str_eq(...) IRQLTEST_STR_ALL_(1, ==, __VA_ARGS__)
#define cr_assert_str_neq(...) IRQLTEST_STR_ALL_(1, !=, __VA_ARGS__)
#define cr_expect_str_eq(...) IRQLTEST_STR_ALL_(0, ==, __VA_ARGS__)
#define cr_expect_str_neq(...) IRQLTEST_STR_ALL_(0, !=, __VA_ARGS__)

#define IRQLTEST_ARR_ALL_(Fatal, ...) IRQLTEST_ARR2_(Fatal, __VA_ARGS__, "")
#define IRQLTEST_ARR2_(Fatal, A, B, Size, ...) \
    IRQLTEST_BOOL_(Fatal, memcmp((A), (B), (Size)) == 0, \
                   "memcmp(" #A ", " #B ", " #Size ") == 0", __VA_ARGS__)
#define cr_assert_arr_eq(...) IRQLTEST_ARR_ALL_(1, __VA_ARGS__)
#define cr_expect_arr_eq(...) IRQLTEST_ARR_ALL_(0, __VA_ARGS__)

#define cr_assert_fail(...) irqltest_fatal(__FILE__, __LINE__, "failure", "" __VA_ARGS__)
#define cr_fail(...) cr_assert_fail(__VA_ARGS__)
#define cr_skip_test(...) irqltest_skip("" __VA_ARGS__)
#define cr_log_info(...) irqltest_log("info", __VA_ARGS__)
#define cr_log_warn(...) irqltest_log("warn", __VA_ARGS__)
#define cr_log_error(...) irqltest_log("error", __VA_ARGS__)

#endif
