/* The ktest runner: runs every test, or only the one named by the boot
 * argument test=<name>, and prints the result lines the test runner parses. */
#include "ktest.h"
#include "runner.h"
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/string.h>
#include <stdarg.h>

static struct {
    bool failed;
    bool skipped;
    char reason[256];
} current;

void ktest_skip(const char *reason)
{
    if (!current.failed) {
        current.skipped = true;
        snprintf(current.reason, sizeof(current.reason), "%s", reason);
    }
}

void ktest_fail(const char *file, int line, const char *format, ...)
{
    if (current.failed) {
        return;
    }
    current.failed = true;
    int n = snprintf(current.reason, sizeof(current.reason), "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof(current.reason)) {
        return;
    }
    va_list args;
    va_start(args, format);
    vsnprintf(current.reason + n, sizeof(current.reason) - (size_t)n, format, args);
    va_end(args);
}

void ktest_fail_compare(const char *file, int line, const char *a, const char *op, const char *b,
                        seL4_Word a_value, seL4_Word b_value)
{
    ktest_fail(file, line, "%s %s %s (0x%lx vs 0x%lx)", a, op, b, a_value, b_value);
}

bool ktest_failed(void)
{
    return current.failed;
}

void ktest_retry(void (*attempt)(void), int attempts)
{
    for (int i = 0; i < attempts; i++) {
        current.failed = false;
        current.reason[0] = '\0';
        attempt();
        if (!current.failed) {
            return;
        }
    }
}

static bool run_case(const ktest_case_t *test)
{
    current.failed = false;
    current.skipped = false;
    current.reason[0] = '\0';
    test->run();
    if (current.failed) {
        printf("TEST FAIL %s: %s\n", test->name, current.reason);
    } else if (current.skipped) {
        printf("TEST SKIP %s: %s\n", test->name, current.reason);
    } else {
        printf("TEST PASS %s\n", test->name);
    }
    return !current.failed;
}

static bool name_matches(const char *name, const char *wanted, size_t wanted_len)
{
    return strlen(name) == wanted_len && strncmp(name, wanted, wanted_len) == 0;
}

int ktest_run_all(const ktest_case_t *const *tables, size_t ntables)
{
    size_t wanted_len = 0;
    const char *wanted = keel_bootarg("test", &wanted_len);
    int passed = 0, failed = 0;
    for (size_t t = 0; t < ntables; t++) {
        for (const ktest_case_t *test = tables[t]; test->name != NULL; test++) {
            if (wanted != NULL && !name_matches(test->name, wanted, wanted_len)) {
                continue;
            }
            if (run_case(test)) {
                passed++;
            } else {
                failed++;
            }
        }
    }
    printf("ktest: %d passed, %d failed\n", passed, failed);
    printf("TEST DONE\n");
    return failed;
}
