/* A minimal harness for host tests of kernel code: tests register themselves
 * with TEST(name), checks record file:line and the values involved, and the
 * program prints the result-line protocol of tools/runtests.py
 * (TEST PASS|FAIL <name>, TEST DONE) and exits 1 if any test failed.
 * Arguments: `test=NAME` runs one test, `seed=N` fixes harness_seed(),
 * `list` prints the test names. */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void harness_fn_t(void);

/* Called by TEST() before main; tests run in registration order. */
void harness_register(const char *name, harness_fn_t *fn);

/* Records a failed check of the running test unless ok; returns ok. */
bool harness_check(bool ok, const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints an informational line ("# ...") that the runner ignores. */
void harness_note(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The seed for randomised tests: `seed=N` from the command line, else a fixed
 * default, so every run is reproducible. Printed by the first call. */
uint64_t harness_seed(void);

/* A small deterministic generator (splitmix64) for randomised tests. */
typedef struct harness_rng {
    uint64_t state;
} harness_rng_t;

uint64_t harness_rng_next(harness_rng_t *rng);
/* Uniform in [0, bound); bound must be non-zero. */
uint64_t harness_rng_below(harness_rng_t *rng, uint64_t bound);

/* Reads a whole file into a malloc'd buffer of exactly its size (so that ASan
 * catches any read past the end); NULL and a failed check if it cannot.
 * Relative paths are relative to the repository root, where tests run. */
uint8_t *harness_read_file(const char *path, size_t *size);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void harness_register_##name(void)                         \
    {                                                                                              \
        harness_register(#name, name);                                                             \
    }                                                                                              \
    static void name(void)

#define HARNESS_CHECK_(ok, ...) harness_check((ok), __FILE__, __LINE__, __VA_ARGS__)

/* EXPECT_*: record a failure and go on. ASSERT_*: record it and return from the
 * calling function (use them in the test body or in void helpers). */
#define EXPECT_TRUE(cond) ((void)HARNESS_CHECK_((cond) ? true : false, "expected %s", #cond))
#define EXPECT_FALSE(cond) ((void)HARNESS_CHECK_((cond) ? false : true, "expected !(%s)", #cond))

/* Integer comparisons, as unsigned 64-bit values; a failure prints both values
 * in hex and (as signed) in decimal. Each argument is evaluated once. */
enum harness_op { HARNESS_EQ, HARNESS_NE, HARNESS_LT, HARNESS_LE };
bool harness_check_cmp(uint64_t a, uint64_t b, enum harness_op op, const char *a_text,
                       const char *b_text, const char *file, int line);
#define HARNESS_CMP_(a, op, b)                                                                     \
    harness_check_cmp((uint64_t)(a), (uint64_t)(b), op, #a, #b, __FILE__, __LINE__)
#define EXPECT_EQ(a, b) ((void)HARNESS_CMP_(a, HARNESS_EQ, b))
#define EXPECT_NE(a, b) ((void)HARNESS_CMP_(a, HARNESS_NE, b))
#define EXPECT_LT(a, b) ((void)HARNESS_CMP_(a, HARNESS_LT, b))
#define EXPECT_LE(a, b) ((void)HARNESS_CMP_(a, HARNESS_LE, b))
#define ASSERT_TRUE(cond)                                                                          \
    do {                                                                                           \
        if (!HARNESS_CHECK_((cond) ? true : false, "required %s", #cond)) {                        \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        if (!HARNESS_CMP_(a, HARNESS_EQ, b)) {                                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define EXPECT_NULL(p)                                                                             \
    ((void)HARNESS_CHECK_((p) == NULL, "expected %s == NULL, got %p", #p, (const void *)(p)))
#define EXPECT_NOT_NULL(p) ((void)HARNESS_CHECK_((p) != NULL, "expected %s != NULL", #p))
#define EXPECT_STREQ(a, b) ((void)harness_check_str((a), (b), #a, #b, __FILE__, __LINE__))
#define EXPECT_MEMEQ(a, b, n) ((void)harness_check_mem((a), (b), (n), #a, #b, __FILE__, __LINE__))

bool harness_check_str(const char *a, const char *b, const char *a_text, const char *b_text,
                       const char *file, int line);
bool harness_check_mem(const void *a, const void *b, size_t n, const char *a_text,
                       const char *b_text, const char *file, int line);
