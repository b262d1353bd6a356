/*
 * test.h - tarn's C unit-test framework (libuv-runner style).
 *
 * A test is `TEST(name) { ... }` in any .c under tests/unit/; it registers
 * itself at start-up.  The runner (tests/unit/main.c) runs each test in its
 * own process with a timeout, so a crash fails one test, and ends with
 * "N passed, N failed".  Run one test alone: build/unit_tests NAME_SUBSTRING.
 *
 * Assertions print both values with file:line and end the test.
 * SKIP("why") ends a test as skipped (e.g. an optional tool is missing).
 */
#ifndef TARN_TEST_H
#define TARN_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_fail_exit(void) __attribute__((noreturn));
void test_skip_exit(const char *why) __attribute__((noreturn));
/* Path of the shared test data folder (../shared/testdata from the repo, or
 * $TARN_SHARED/testdata); NULL when absent. */
const char *test_shared_dir(void);
/* A fresh temporary directory for this test (removed by the runner). */
const char *test_tmp_dir(void);
/* Directory of the built binaries (build/ or build/san/). */
const char *test_build_dir(void);

#define TEST(name)                                                        \
    static void name(void);                                               \
    __attribute__((constructor)) static void test_reg_##name(void)        \
    {                                                                     \
        test_register(#name, __FILE__, name);                             \
    }                                                                     \
    static void name(void)

#define TFAIL(...)                                                        \
    do {                                                                  \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                   \
        fprintf(stderr, __VA_ARGS__);                                     \
        fprintf(stderr, "\n");                                            \
        test_fail_exit();                                                 \
    } while (0)

#define SKIP(why) test_skip_exit(why)

#define ASSERT(c)                                                         \
    do {                                                                  \
        if (!(c))                                                         \
            TFAIL("assertion failed: %s", #c);                            \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                               \
    do {                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);               \
        if (a_ != b_)                                                     \
            TFAIL("%s == %s: %lld != %lld", #a, #b, a_, b_);              \
    } while (0)

#define ASSERT_EQ_U64(a, b)                                               \
    do {                                                                  \
        unsigned long long a_ = (unsigned long long)(a),                  \
                           b_ = (unsigned long long)(b);                  \
        if (a_ != b_)                                                     \
            TFAIL("%s == %s: %llu != %llu", #a, #b, a_, b_);              \
    } while (0)

#define ASSERT_EQ_DBL(a, b)                                               \
    do {                                                                  \
        double a_ = (double)(a), b_ = (double)(b);                        \
        if (!(a_ == b_))                                                  \
            TFAIL("%s == %s: %.17g != %.17g", #a, #b, a_, b_);            \
    } while (0)

#define ASSERT_EQ_STR(a, b)                                               \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                            \
            TFAIL("%s == %s:\n  got:      \"%s\"\n  expected: \"%s\"",    \
                  #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");        \
    } while (0)

#define ASSERT_EQ_MEM(a, b, n)                                            \
    do {                                                                  \
        if (memcmp((a), (b), (n)) != 0)                                   \
            TFAIL("%s == %s: %zu bytes differ", #a, #b, (size_t)(n));     \
    } while (0)

/* Asserts rc == 0; on failure prints the error object. */
#define ASSERT_OK(rc, errp)                                               \
    do {                                                                  \
        int rc_ = (rc);                                                   \
        if (rc_ != 0)                                                     \
            TFAIL("%s failed (rc %d): %s%s%s", #rc, rc_, (errp)->message, \
                  (errp)->context[0] ? " | " : "", (errp)->context);      \
    } while (0)

/* Asserts a non-NULL result; on failure prints the error object. */
#define ASSERT_NOT_NULL(p, errp)                                          \
    do {                                                                  \
        if (!(p))                                                         \
            TFAIL("%s returned NULL: %s%s%s", #p, (errp)->message,        \
                  (errp)->context[0] ? " | " : "", (errp)->context);      \
    } while (0)

/* Asserts the error message contains a fragment. */
#define ASSERT_ERR_CONTAINS(errp, frag)                                   \
    do {                                                                  \
        if (!strstr((errp)->message, (frag)))                             \
            TFAIL("error message \"%s\" lacks \"%s\"", (errp)->message,   \
                  (frag));                                                \
    } while (0)

#endif
