/* ktest: the in-QEMU kernel test root task. Tests are functions listed in
 * per-file tables; each prints one line, "TEST PASS <name>" or
 * "TEST FAIL <name>: <reason>", and "TEST DONE" follows the last one.
 *
 * Assertions record the first failure (file:line, the expression and both
 * values) and return from the calling function, which must return void. */
#pragma once

#include <keel/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ktest_case {
    const char *name; /* dotted: <area>.<behaviour> */
    void (*run)(void);
} ktest_case_t;

/* The tables, each ended by {NULL, NULL}. */
extern const ktest_case_t ktest_bootinfo_cases[];
extern const ktest_case_t ktest_untyped_cases[];
extern const ktest_case_t ktest_syscall_cases[];
extern const ktest_case_t ktest_memory_cases[];
extern const ktest_case_t ktest_invocation_cases[];
extern const ktest_case_t ktest_retype_cases[];
extern const ktest_case_t ktest_cnode_cases[];
extern const ktest_case_t ktest_revoke_cases[];
extern const ktest_case_t ktest_libkeel_cases[];
extern const ktest_case_t ktest_fpu_cases[];
extern const ktest_case_t ktest_tcb_cases[];
extern const ktest_case_t ktest_ipc_cases[];
extern const ktest_case_t ktest_notification_cases[];
extern const ktest_case_t ktest_fault_cases[];
extern const ktest_case_t ktest_sched_cases[];
extern const ktest_case_t ktest_sched_order_cases[];
extern const ktest_case_t ktest_domain_cases[];
extern const ktest_case_t ktest_irq_wake_cases[];
extern const ktest_case_t ktest_hwdebug_cases[];
extern const ktest_case_t ktest_timer_cases[];

/* Record a failure unless one is recorded already for the current test. */
void ktest_fail(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void ktest_fail_compare(const char *file, int line, const char *a, const char *op, const char *b,
                        seL4_Word a_value, seL4_Word b_value);

/* Has the current test failed? For helpers that assert on its behalf. */
bool ktest_failed(void);

/* Run `attempt` until it passes, at most `attempts` times; the last
 * failure stands. Only for outcomes that an event outside the test's
 * control (a time slice ending on the real-time tick) may legitimately
 * change: a wrong kernel rule fails every attempt the same way. */
void ktest_retry(void (*attempt)(void), int attempts);

/* The current test does not apply to this kernel's configuration: it is
 * reported as skipped with `reason` (unless it has failed already). */
void ktest_skip(const char *reason);

#define KT_SKIP(reason)                                                                            \
    do {                                                                                           \
        ktest_skip(reason);                                                                        \
        return;                                                                                    \
    } while (0)

#define KT_FAIL(...)                                                                               \
    do {                                                                                           \
        ktest_fail(__FILE__, __LINE__, __VA_ARGS__);                                               \
        return;                                                                                    \
    } while (0)

#define KT_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            KT_FAIL("%s", #cond);                                                                  \
        }                                                                                          \
    } while (0)

#define KT_ASSERT_CMP(a, op, b)                                                                    \
    do {                                                                                           \
        seL4_Word kt_a_ = (seL4_Word)(a), kt_b_ = (seL4_Word)(b);                                  \
        if (!(kt_a_ op kt_b_)) {                                                                   \
            ktest_fail_compare(__FILE__, __LINE__, #a, #op, #b, kt_a_, kt_b_);                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define KT_ASSERT_EQ(a, b) KT_ASSERT_CMP(a, ==, b)
#define KT_ASSERT_NE(a, b) KT_ASSERT_CMP(a, !=, b)
#define KT_ASSERT_LT(a, b) KT_ASSERT_CMP(a, <, b)
#define KT_ASSERT_LE(a, b) KT_ASSERT_CMP(a, <=, b)
#define KT_ASSERT_GE(a, b) KT_ASSERT_CMP(a, >=, b)

/* Return from the caller if a helper it called has failed. */
#define KT_RETURN_IF_FAILED()                                                                      \
    do {                                                                                           \
        if (ktest_failed()) {                                                                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)
