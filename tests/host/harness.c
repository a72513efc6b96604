/* The host test harness: the registry of tests, failure recording, and main,
 * which runs the tests and prints the result-line protocol (see harness.h). */
#include <harness.h>
#include <splitmix64.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 256
/* Failures printed per test; the first one goes on the TEST FAIL line. */
#define MAX_REPORTED 10
#define DEFAULT_SEED 20261123u

typedef struct test_case {
    const char *name;
    harness_fn_t *fn;
} test_case_t;

static test_case_t tests[MAX_TESTS];
static unsigned test_count;

/* State of the running test. */
static const char *current_name;
static unsigned current_failures;
static char first_failure[512];

static const char *seed_argument;
static bool seed_printed;

void harness_register(const char *name, harness_fn_t *fn)
{
    if (test_count == MAX_TESTS) {
        fprintf(stderr, "harness: more than %d tests\n", MAX_TESTS);
        exit(2);
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

static void record_failure(const char *file, int line, const char *format, va_list args)
{
    char message[400];
    vsnprintf(message, sizeof(message), format, args);
    current_failures++;
    if (current_failures == 1) {
        snprintf(first_failure, sizeof(first_failure), "%s:%d: %s", file, line, message);
    } else if (current_failures <= MAX_REPORTED) {
        printf("# %s: also %s:%d: %s\n", current_name, file, line, message);
    }
}

bool harness_check(bool ok, const char *file, int line, const char *format, ...)
{
    if (!ok) {
        va_list args;
        va_start(args, format);
        record_failure(file, line, format, args);
        va_end(args);
    }
    return ok;
}

bool harness_check_cmp(uint64_t a, uint64_t b, enum harness_op op, const char *a_text,
                       const char *b_text, const char *file, int line)
{
    static const char *const op_text[] = { "==", "!=", "<", "<=" };
    bool ok = false;
    switch (op) {
    case HARNESS_EQ:
        ok = a == b;
        break;
    case HARNESS_NE:
        ok = a != b;
        break;
    case HARNESS_LT:
        ok = a < b;
        break;
    case HARNESS_LE:
        ok = a <= b;
        break;
    }
    return harness_check(ok, file, line,
                         "expected %s %s %s: 0x%" PRIx64 " (%" PRId64 ") vs 0x%" PRIx64 " (%" PRId64
                         ")",
                         a_text, op_text[op], b_text, a, (int64_t)a, b, (int64_t)b);
}

bool harness_check_str(const char *a, const char *b, const char *a_text, const char *b_text,
                       const char *file, int line)
{
    bool ok = a != NULL && b != NULL && strcmp(a, b) == 0;
    return harness_check(ok, file, line, "expected %s == %s: \"%s\" vs \"%s\"", a_text, b_text,
                         a ? a : "(null)", b ? b : "(null)");
}

bool harness_check_mem(const void *a, const void *b, size_t n, const char *a_text,
                       const char *b_text, const char *file, int line)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return harness_check(false, file, line,
                                 "expected %s == %s (%zu bytes): first difference at %zu: "
                                 "0x%02x vs 0x%02x",
                                 a_text, b_text, n, i, x[i], y[i]);
        }
    }
    return true;
}

void harness_note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("# ", stdout);
    vprintf(format, args);
    fputc('\n', stdout);
    va_end(args);
    fflush(stdout);
}

uint64_t harness_seed(void)
{
    uint64_t seed = seed_argument ? strtoull(seed_argument, NULL, 0) : DEFAULT_SEED;
    if (!seed_printed) {
        harness_note("seed=%" PRIu64 " (rerun with seed=%" PRIu64 ")", seed, seed);
        seed_printed = true;
    }
    return seed;
}

uint64_t harness_rng_next(harness_rng_t *rng)
{
    return splitmix64_next(&rng->state);
}

uint64_t harness_rng_below(harness_rng_t *rng, uint64_t bound)
{
    /* Rejection sampling keeps the result unbiased. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do {
        x = harness_rng_next(rng);
    } while (x >= limit);
    return x % bound;
}

uint8_t *harness_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!harness_check(f != NULL, __FILE__, __LINE__,
                       "cannot open %s (tests run from the "
                       "repository root)",
                       path)) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = length > 0 ? malloc((size_t)length) : NULL;
    bool ok = data != NULL && fread(data, 1, (size_t)length, f) == (size_t)length;
    fclose(f);
    if (!harness_check(ok, __FILE__, __LINE__, "cannot read %s", path)) {
        free(data);
        return NULL;
    }
    *size = (size_t)length;
    return data;
}

static bool run_one(const test_case_t *t)
{
    current_name = t->name;
    current_failures = 0;
    t->fn();
    if (current_failures == 0) {
        printf("TEST PASS %s\n", t->name);
    } else {
        printf("TEST FAIL %s: %s", t->name, first_failure);
        if (current_failures > 1) {
            printf(" (and %u more)", current_failures - 1);
        }
        printf("\n");
    }
    fflush(stdout);
    return current_failures == 0;
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    bool list = false;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "test=", 5) == 0) {
            only = argv[i] + 5;
        } else if (strncmp(argv[i], "seed=", 5) == 0) {
            seed_argument = argv[i] + 5;
        } else if (strcmp(argv[i], "list") == 0) {
            list = true;
        } else {
            fprintf(stderr, "usage: %s [test=NAME] [seed=N] [list]\n", argv[0]);
            return 2;
        }
    }
    bool all_passed = true;
    for (unsigned i = 0; i < test_count; i++) {
        if (list) {
            printf("%s\n", tests[i].name);
        } else if (only == NULL || strcmp(only, tests[i].name) == 0) {
            all_passed &= run_one(&tests[i]);
        }
    }
    if (!list) {
        printf("TEST DONE\n");
    }
    return all_passed ? 0 : 1;
}
