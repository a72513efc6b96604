/* Threads for the IPC, fault and scheduling tests: a test environment with
 * its own untyped, second threads running C functions in the root task's
 * address space, and a watchdog that turns a deadlock into a test failure.
 *
 * A thread test is written as
 *
 *     KT_THREAD_TEST(test_name)
 *     {
 *         ... body ...
 *     }
 *
 * and listed in the case table as test_name. Around the body the wrapper
 * sets up the environment (kt_env_*) and tears it down again whatever
 * happened: every thread is deleted, every object retyped for the test is
 * revoked, the root task gets back priority 255 and its own IPC buffer.
 *
 * A thread's function may use the KT_ASSERT macros too: a failure is
 * recorded for the running test and the function returns, which stops the
 * thread (it suspends itself).
 *
 * Priorities during a thread test: the root task runs at KT_PRIO_ROOT. A
 * thread at KT_PRIO_HIGH runs as soon as it is runnable and until it blocks,
 * so when the root task runs again every such thread is blocked or stopped:
 * that is how a test waits for a thread. A thread at KT_PRIO_LOW only runs
 * while the root task is blocked.
 *
 * The watchdog runs at KT_PRIO_WATCHDOG, below every other thread: it runs
 * only when every thread of the test (the root task included) is blocked or
 * stopped, which is a deadlock. It then records a failure naming where the
 * root task stood, and puts the root task back into the test wrapper, which
 * cleans up and lets the next test run.
 *
 * Threads in another VSpace need page mapping (issue 5) and are not
 * provided yet. Cases left for then: IPC between VSpaces (the kernel copies
 * through the buffer frames, ABI 3.2, so a buffer mapped at different
 * addresses on each side), fault handlers in another VSpace, a VM fault
 * restarted after the handler maps the page, Configure/SetSpace with a
 * fresh VSpace that has been given an ASID. */
#pragma once

#include "boot.h"
#include "ktest.h"
#include "objects.h"
#include <sel4/sel4.h>

#define KT_MAX_THREADS 32
#define KT_STACK_SIZE 16384
#define KT_TLS_AREA_SIZE 256

#define KT_PRIO_ROOT 100
#define KT_PRIO_HIGH 150
#define KT_PRIO_LOW 50
#define KT_PRIO_WATCHDOG 1

/* Size of the untyped each thread test gets (2^bits bytes). */
#define KT_ENV_UNTYPED_BITS 17

typedef void (*kt_thread_fn)(seL4_Word arg);

typedef struct kt_thread {
    seL4_CPtr tcb;       /* root slot of its TCB cap */
    seL4_IPCBuffer *ipc; /* its IPC buffer (at the start of its own page) */
    seL4_CPtr ipc_frame; /* frame cap of that page (a root-image frame) */
    seL4_Word stack_top; /* initial SP */
    seL4_Word tls;       /* initial TPIDR_EL0 */
    kt_thread_fn fn;
    seL4_Word arg;
    volatile bool finished; /* fn returned */
    bool in_use;
    int index;
} kt_thread_t;

/* --- environment ------------------------------------------------------- */

/* The untyped of the running thread test. */
seL4_CPtr kt_env_untyped(void);

/* A fresh root slot, emptied again when the test ends. */
seL4_CPtr kt_env_slot(void);

/* One object of `type` (size_bits for CNodes) from the test's untyped, in a
 * fresh root slot; 0 (and the test fails) on error. */
seL4_CPtr kt_env_object(seL4_Word type, seL4_Word size_bits);

/* A copy of root slot `src` with `rights` and `badge` (Mint) in a fresh
 * slot; 0 (and the test fails) on error. */
seL4_CPtr kt_env_mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge);

/* The frame cap of the root-image page holding `addr`. */
seL4_CPtr kt_image_frame(const void *addr);

/* A spare 4 KiB page of the root image (0 <= i < 2), for IPC-buffer tests. */
void *kt_spare_page(int i);

/* --- threads ----------------------------------------------------------- */

/* A new thread that will run fn(arg): a TCB retyped from the test's untyped,
 * configured with the root CNode, the root VSpace, its own IPC buffer and
 * fault handler cptr `fault_ep` (0 for none), priority `prio`, its registers
 * written (pc, sp, TPIDR_EL0, x0) but not resumed. NULL (and the test
 * fails) on error. */
kt_thread_t *kt_thread_create(kt_thread_fn fn, seL4_Word arg, seL4_Word prio, seL4_CPtr fault_ep);

/* Resume it. */
void kt_thread_start(kt_thread_t *t);

/* Create and start. */
kt_thread_t *kt_thread_spawn(kt_thread_fn fn, seL4_Word arg, seL4_Word prio, seL4_CPtr fault_ep);

/* The register context kt_thread_create wrote (for tests that rewrite it). */
void kt_thread_context(const kt_thread_t *t, seL4_UserContext *regs);

/* Delete its TCB and give its stack and buffer back. */
void kt_thread_destroy(kt_thread_t *t);

/* The calling thread's kt_thread_t (NULL in the root task). */
kt_thread_t *kt_self(void);

/* The entry point kt_thread_create uses (x0 = the kt_thread_t). */
void kt_thread_entry(kt_thread_t *t) __attribute__((noreturn));

/* --- the test wrapper -------------------------------------------------- */

bool kt_env_begin(void);
void kt_env_end(void);

typedef struct kt_jmp {
    seL4_Word x19_x30[12];
    seL4_Word sp;
} kt_jmp_t;

int kt_setjmp(kt_jmp_t *buf) __attribute__((returns_twice));
extern kt_jmp_t kt_env_jmp;

#define KT_THREAD_TEST(name)                                                                       \
    static void name##_body(void);                                                                 \
    static void name(void)                                                                         \
    {                                                                                              \
        if (kt_env_begin() && kt_setjmp(&kt_env_jmp) == 0) {                                       \
            name##_body();                                                                         \
        }                                                                                          \
        kt_env_end();                                                                              \
    }                                                                                              \
    static void name##_body(void)

/* A thread test whose outcome a time slice ending at the wrong moment may
 * change (threads of the root task's priority take turns on the tick): the
 * whole test, environment included, is tried up to KT_SLICE_ATTEMPTS times
 * and passes if one attempt passes. */
#define KT_SLICE_ATTEMPTS 3
#define KT_SLICE_SENSITIVE_TEST(name)                                                              \
    static void name##_body(void);                                                                 \
    static void name##_once(void)                                                                  \
    {                                                                                              \
        if (kt_env_begin() && kt_setjmp(&kt_env_jmp) == 0) {                                       \
            name##_body();                                                                         \
        }                                                                                          \
        kt_env_end();                                                                              \
    }                                                                                              \
    static void name(void)                                                                         \
    {                                                                                              \
        ktest_retry(name##_once, KT_SLICE_ATTEMPTS);                                               \
    }                                                                                              \
    static void name##_body(void)

/* Raw system call with x0..x7 taken from regs[0..7] (x7 = number) and all
 * eight stored back afterwards; the `svc` instruction is at kt_svc_insn. */
void kt_svc(seL4_Word regs[8]);
extern char kt_svc_insn[];

/* Assert the label and length of a reply or received message. */
#define KT_ASSERT_INFO(info, want_label, want_length)                                              \
    do {                                                                                           \
        seL4_MessageInfo_t kt_info_ = (info);                                                      \
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(kt_info_), (want_label));                          \
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(kt_info_), (want_length));                        \
    } while (0)

/* The i-th word of a recognisable message pattern. */
static inline seL4_Word kt_pattern(seL4_Word seed, seL4_Word i)
{
    return (seed * 0x9e3779b97f4a7c15ul) ^ (i * 0x0101010101010101ul) ^ (i << 56);
}
