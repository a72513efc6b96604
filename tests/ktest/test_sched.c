/* Scheduling (ABI 10.2, manual "Scheduling") and register preservation
 * (ABI 1.3, 8.5): the highest-priority runnable thread runs, Yield round
 * robin, preemption by the timer tick, MCP checks between threads; every
 * register a system call does not document as written survives Call,
 * ReplyRecv, Send, Recv, Reply, Yield and preemption, FP/SIMD included, in
 * two threads that both use the FPU.
 *
 * Progress is measured in loop iterations and yields, never in time: EL0
 * cannot read the counters in this configuration (ABI 8.6). */
#include "threads.h"
#include <keel/printf.h>
#include <keel/string.h>

/* Bound of the spin loops: about a second of QEMU time at worst, a hundred
 * time slices (10 ms each) and more at best. A spin that reaches it means no
 * preemption happened. */
#define SPIN_LIMIT 50000000ul

static volatile int order[16];
static volatile int norder;

static void log_id(seL4_Word id)
{
    order[norder++] = (int)id;
}

/* Raising the root task above every thread while they are resumed, then
 * dropping it: the threads run highest priority first. (The order among
 * equal priorities is test_sched_order.c's subject.) */
KT_THREAD_TEST(test_priority_order)
{
    norder = 0;
    const seL4_CPtr root = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, 200));
    static const seL4_Word prios[5] = { 120, 140, 130, 135, 199 };
    for (int i = 0; i < 5; i++) {
        kt_thread_spawn(log_id, (seL4_Word)i + 1, prios[i], 0);
        KT_RETURN_IF_FAILED();
    }
    KT_ASSERT_EQ(norder, 0);
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT));
    KT_ASSERT_EQ(norder, 5);
    static const int want[5] = { 5, 2, 4, 3, 1 };
    for (int i = 0; i < 5; i++) {
        KT_ASSERT_EQ(order[i], want[i]);
    }
}

/* A runnable thread below the root task's priority does not run, however
 * long the root task spins or yields; it runs once the root task blocks. */
static volatile int low_ran;

static void low_then_signal(seL4_Word ntfn)
{
    low_ran = 1;
    seL4_Signal(ntfn);
}

KT_THREAD_TEST(test_lower_priority_waits)
{
    low_ran = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(low_then_signal, ntfn, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    for (int i = 0; i < 100; i++) {
        seL4_Yield();
    }
    KT_ASSERT_EQ(low_ran, 0);
    for (volatile seL4_Word i = 0; i < SPIN_LIMIT / 20; i++) {
    }
    KT_ASSERT_EQ(low_ran, 0);
    seL4_Wait(ntfn, NULL);
    KT_ASSERT_EQ(low_ran, 1);
}

/* Priority changes take effect at once: raising a waiting runnable thread
 * above the caller runs it before the call returns; a thread lowering
 * itself below a runnable one gives way before its next instruction. */
static volatile int stage;

static void lower_myself(seL4_Word ntfn)
{
    stage = 1;
    seL4_TCB_SetPriority(kt_self()->tcb, kt_self()->tcb, KT_PRIO_ROOT - 10);
    stage = 2;
    seL4_Signal(ntfn);
}

KT_THREAD_TEST(test_priority_change_effect)
{
    low_ran = 0;
    stage = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(low_then_signal, ntfn, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(low_ran, 0);
    KT_ASSERT_OK(seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, KT_PRIO_HIGH));
    KT_ASSERT_EQ(low_ran, 1);
    KT_ASSERT(t->finished);
    seL4_Word word;
    seL4_Poll(ntfn, &word);

    /* A thread lowering itself below the root task (its own TCB as the
     * authority, so it needs an MCP). */
    kt_thread_t *u = kt_thread_create(lower_myself, ntfn, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetMCPriority(u->tcb, seL4_CapInitThreadTCB, KT_PRIO_HIGH));
    kt_thread_start(u);
    KT_ASSERT_EQ(stage, 1);
    seL4_Wait(ntfn, NULL);
    KT_ASSERT_EQ(stage, 2);
}

/* MCP checks made by a thread on itself and others (ABI 5.4.2, 10.2). */
static volatile seL4_Word mcp_results[8];

static void mcp_probe(seL4_Word other)
{
    seL4_CPtr me = kt_self()->tcb;
    mcp_results[0] = seL4_TCB_SetPriority(me, me, 121);
    mcp_results[1] = seL4_GetMR(1);
    mcp_results[2] = seL4_TCB_SetPriority(me, me, 120);
    mcp_results[3] = seL4_TCB_SetMCPriority(me, me, 121);
    mcp_results[4] = seL4_TCB_SetMCPriority(other, me, 120);
    mcp_results[5] = seL4_TCB_SetSchedParams(other, me, 120, 121);
    mcp_results[6] = seL4_TCB_SetPriority(me, other, 119);
    mcp_results[7] = 1;
}

KT_THREAD_TEST(test_mcp_between_threads)
{
    seL4_CPtr other = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    memset((void *)mcp_results, 0xff, sizeof(mcp_results));
    kt_thread_t *t = kt_thread_create(mcp_probe, other, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetSchedParams(t->tcb, seL4_CapInitThreadTCB, 120, 110));
    kt_thread_start(t);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(mcp_results[0], seL4_RangeError);
    KT_ASSERT_EQ(mcp_results[1], 120);
    KT_ASSERT_EQ(mcp_results[2], seL4_NoError);
    KT_ASSERT_EQ(mcp_results[3], seL4_RangeError);
    KT_ASSERT_EQ(mcp_results[4], seL4_NoError);
    KT_ASSERT_EQ(mcp_results[5], seL4_RangeError);
    /* other now has MCP 120 and serves as an authority up to 120. */
    KT_ASSERT_EQ(mcp_results[6], seL4_NoError);
    KT_ASSERT_EQ(mcp_results[7], 1);
}

/* --- Yield: round robin among equal priorities -------------------------- */

#define ROUNDS 24

static volatile int rr_log[3 * ROUNDS + 8];
static volatile int rr_n;

static void rr_thread(seL4_Word id)
{
    for (int i = 0; i < ROUNDS; i++) {
        rr_log[rr_n++] = (int)id;
        seL4_Yield();
    }
}

KT_THREAD_TEST(test_yield_round_robin)
{
    rr_n = 0;
    /* Two threads at the root task's own priority. */
    kt_thread_t *a = kt_thread_spawn(rr_thread, 1, KT_PRIO_ROOT, 0);
    kt_thread_t *b = kt_thread_spawn(rr_thread, 2, KT_PRIO_ROOT, 0);
    KT_RETURN_IF_FAILED();
    for (int i = 0; i < ROUNDS; i++) {
        rr_log[rr_n++] = 0;
        seL4_Yield();
    }
    for (int i = 0; i < 10 && !(a->finished && b->finished); i++) {
        seL4_Yield();
    }
    KT_ASSERT(a->finished && b->finished);
    KT_ASSERT_EQ(rr_n, 3 * ROUNDS);
    /* Each turn goes round: no participant is ever two entries ahead of
     * another (a tick may move a turn, never give two in a row). */
    int count[3] = { 0, 0, 0 };
    for (int i = 0; i < rr_n; i++) {
        count[rr_log[i]]++;
        for (int p = 0; p < 3; p++) {
            for (int q = 0; q < 3; q++) {
                if (count[p] - count[q] > 1) {
                    KT_FAIL("after %d entries: %d turns for %d, %d for %d (not round robin)", i + 1,
                            count[p], p, count[q], q);
                }
            }
        }
    }
}

/* --- preemption by the tick ---------------------------------------------- */

static volatile seL4_Word spin_ctr[2];
static volatile int saw_other[2];
static volatile seL4_Word spin_iters[2];

/* Spin until the other party's counter moves (it can only move if this
 * thread is preempted), or the limit. */
static void spinner(seL4_Word id)
{
    seL4_Word other = 1 - id;
    seL4_Word start = spin_ctr[other];
    seL4_Word i;
    for (i = 0; i < SPIN_LIMIT; i++) {
        spin_ctr[id]++;
        if (spin_ctr[other] != start) {
            saw_other[id] = 1;
            break;
        }
    }
    spin_iters[id] = i;
}

KT_THREAD_TEST(test_tick_preemption_equal_threads)
{
    spin_ctr[0] = spin_ctr[1] = 0;
    saw_other[0] = saw_other[1] = 0;
    const seL4_CPtr root = seL4_CapInitThreadTCB;
    kt_thread_t *a = kt_thread_create(spinner, 0, KT_PRIO_HIGH, 0);
    kt_thread_t *b = kt_thread_create(spinner, 1, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, 200));
    kt_thread_start(a);
    kt_thread_start(b);
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT));
    /* Both have finished (the root task runs below them). */
    KT_ASSERT(a->finished && b->finished);
    if (!saw_other[0] || !saw_other[1]) {
        KT_FAIL("no preemption between equal priorities: thread 0 spun %lu times (saw the "
                "other: %d), thread 1 %lu times (%d)",
                spin_iters[0], saw_other[0], spin_iters[1], saw_other[1]);
    }
}

/* The root task itself is preempted in favour of an equal-priority thread. */
KT_THREAD_TEST(test_tick_preemption_of_root)
{
    spin_ctr[0] = spin_ctr[1] = 0;
    saw_other[0] = saw_other[1] = 0;
    kt_thread_t *t = kt_thread_spawn(spinner, 1, KT_PRIO_ROOT, 0);
    KT_RETURN_IF_FAILED();
    spinner(0);
    int yields = 0;
    while (!t->finished && yields < 100) {
        seL4_Yield();
        yields++;
    }
    KT_ASSERT(t->finished);
    if (!saw_other[0]) {
        KT_FAIL("the root task spun %lu times without the equal-priority thread running",
                spin_iters[0]);
    }
    KT_ASSERT(saw_other[1]);
}

/* A higher-priority thread is not preempted by the tick in favour of a
 * lower one, however long it spins. */
KT_THREAD_TEST(test_no_preemption_by_lower)
{
    spin_ctr[0] = spin_ctr[1] = 0;
    saw_other[0] = saw_other[1] = 0;
    kt_thread_t *t = kt_thread_spawn(spinner, 1, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    for (seL4_Word i = 0; i < SPIN_LIMIT / 10; i++) {
        spin_ctr[0]++;
    }
    KT_ASSERT_EQ(spin_ctr[1], 0);
    KT_ASSERT(!t->finished);
}

/* --- register preservation ----------------------------------------------- */

/* Everything a thread owns that the kernel must keep: x0..x30, SP, NZCV,
 * TPIDR_EL0, FPSR, FPCR, V0..V31. sp_before is SP at the svc. */
typedef struct regset {
    seL4_Word x[31];
    seL4_Word sp;
    seL4_Word nzcv;
    seL4_Word tpidr;
    seL4_Word fpsr;
    seL4_Word fpcr;
    seL4_Word v[64];
    seL4_Word sp_before;
} regset_t;

_Static_assert(sizeof(regset_t) == 808, "regset layout");

/* kt_regs_svc(in, out): load every register from *in, `svc #0`, store every
 * register into *out. kt_regs_spin(in, out): the same around a spin loop
 * instead of the svc, with x0 = address of the other thread's counter,
 * x1 = address of this one's, x2 = the limit; out->x[4] != 0 if the other
 * counter moved. Callee-saved registers, d8..d15 and TPIDR_EL0 are restored
 * before returning. */
#define REGS_ENTER(name)                                                                           \
    ".global " name "\n"                                                                           \
    ".type " name ", %function\n" name ":\n"                                                       \
    "    sub sp, sp, #1024\n"                                                                      \
    "    stp x29, x30, [sp, #0]\n"                                                                 \
    "    stp x19, x20, [sp, #16]\n"                                                                \
    "    stp x21, x22, [sp, #32]\n"                                                                \
    "    stp x23, x24, [sp, #48]\n"                                                                \
    "    stp x25, x26, [sp, #64]\n"                                                                \
    "    stp x27, x28, [sp, #80]\n"                                                                \
    "    stp d8, d9, [sp, #96]\n"                                                                  \
    "    stp d10, d11, [sp, #112]\n"                                                               \
    "    stp d12, d13, [sp, #128]\n"                                                               \
    "    stp d14, d15, [sp, #144]\n"                                                               \
    "    stp x0, x1, [sp, #160]\n"                                                                 \
    "    mrs x2, tpidr_el0\n"                                                                      \
    "    str x2, [sp, #176]\n"                                                                     \
    "    mov x2, sp\n"                                                                             \
    "    str x2, [x1, #800]\n"                                                                     \
    "    ldr x2, [x0, #272]\n"                                                                     \
    "    msr fpsr, x2\n"                                                                           \
    "    ldr x2, [x0, #280]\n"                                                                     \
    "    msr fpcr, x2\n"                                                                           \
    "    add x3, x0, #288\n"                                                                       \
    "    ldp q0, q1, [x3, #0]\n"                                                                   \
    "    ldp q2, q3, [x3, #32]\n"                                                                  \
    "    ldp q4, q5, [x3, #64]\n"                                                                  \
    "    ldp q6, q7, [x3, #96]\n"                                                                  \
    "    ldp q8, q9, [x3, #128]\n"                                                                 \
    "    ldp q10, q11, [x3, #160]\n"                                                               \
    "    ldp q12, q13, [x3, #192]\n"                                                               \
    "    ldp q14, q15, [x3, #224]\n"                                                               \
    "    ldp q16, q17, [x3, #256]\n"                                                               \
    "    ldp q18, q19, [x3, #288]\n"                                                               \
    "    ldp q20, q21, [x3, #320]\n"                                                               \
    "    ldp q22, q23, [x3, #352]\n"                                                               \
    "    ldp q24, q25, [x3, #384]\n"                                                               \
    "    ldp q26, q27, [x3, #416]\n"                                                               \
    "    ldp q28, q29, [x3, #448]\n"                                                               \
    "    ldp q30, q31, [x3, #480]\n"                                                               \
    "    ldr x2, [x0, #264]\n"                                                                     \
    "    msr tpidr_el0, x2\n"                                                                      \
    "    ldr x2, [x0, #256]\n"                                                                     \
    "    msr nzcv, x2\n"                                                                           \
    "    mov x30, x0\n"                                                                            \
    "    ldp x0, x1, [x30, #0]\n"                                                                  \
    "    ldp x2, x3, [x30, #16]\n"                                                                 \
    "    ldp x4, x5, [x30, #32]\n"                                                                 \
    "    ldp x6, x7, [x30, #48]\n"                                                                 \
    "    ldp x8, x9, [x30, #64]\n"                                                                 \
    "    ldp x10, x11, [x30, #80]\n"                                                               \
    "    ldp x12, x13, [x30, #96]\n"                                                               \
    "    ldp x14, x15, [x30, #112]\n"                                                              \
    "    ldp x16, x17, [x30, #128]\n"                                                              \
    "    ldp x18, x19, [x30, #144]\n"                                                              \
    "    ldp x20, x21, [x30, #160]\n"                                                              \
    "    ldp x22, x23, [x30, #176]\n"                                                              \
    "    ldp x24, x25, [x30, #192]\n"                                                              \
    "    ldp x26, x27, [x30, #208]\n"                                                              \
    "    ldp x28, x29, [x30, #224]\n"                                                              \
    "    ldr x30, [x30, #240]\n"

#define REGS_LEAVE(name)                                                                           \
    "    stp x0, x1, [sp, #192]\n"                                                                 \
    "    stp x2, x3, [sp, #208]\n"                                                                 \
    "    stp x4, x5, [sp, #224]\n"                                                                 \
    "    stp x6, x7, [sp, #240]\n"                                                                 \
    "    stp x8, x9, [sp, #256]\n"                                                                 \
    "    stp x10, x11, [sp, #272]\n"                                                               \
    "    stp x12, x13, [sp, #288]\n"                                                               \
    "    stp x14, x15, [sp, #304]\n"                                                               \
    "    stp x16, x17, [sp, #320]\n"                                                               \
    "    stp x18, x19, [sp, #336]\n"                                                               \
    "    stp x20, x21, [sp, #352]\n"                                                               \
    "    stp x22, x23, [sp, #368]\n"                                                               \
    "    stp x24, x25, [sp, #384]\n"                                                               \
    "    stp x26, x27, [sp, #400]\n"                                                               \
    "    stp x28, x29, [sp, #416]\n"                                                               \
    "    str x30, [sp, #432]\n"                                                                    \
    "    mrs x0, nzcv\n"                                                                           \
    "    str x0, [sp, #448]\n"                                                                     \
    "    mov x0, sp\n"                                                                             \
    "    str x0, [sp, #440]\n"                                                                     \
    "    mrs x0, tpidr_el0\n"                                                                      \
    "    str x0, [sp, #456]\n"                                                                     \
    "    mrs x0, fpsr\n"                                                                           \
    "    str x0, [sp, #464]\n"                                                                     \
    "    mrs x0, fpcr\n"                                                                           \
    "    str x0, [sp, #472]\n"                                                                     \
    "    add x0, sp, #480\n"                                                                       \
    "    stp q0, q1, [x0, #0]\n"                                                                   \
    "    stp q2, q3, [x0, #32]\n"                                                                  \
    "    stp q4, q5, [x0, #64]\n"                                                                  \
    "    stp q6, q7, [x0, #96]\n"                                                                  \
    "    stp q8, q9, [x0, #128]\n"                                                                 \
    "    stp q10, q11, [x0, #160]\n"                                                               \
    "    stp q12, q13, [x0, #192]\n"                                                               \
    "    stp q14, q15, [x0, #224]\n"                                                               \
    "    stp q16, q17, [x0, #256]\n"                                                               \
    "    stp q18, q19, [x0, #288]\n"                                                               \
    "    stp q20, q21, [x0, #320]\n"                                                               \
    "    stp q22, q23, [x0, #352]\n"                                                               \
    "    stp q24, q25, [x0, #384]\n"                                                               \
    "    stp q26, q27, [x0, #416]\n"                                                               \
    "    stp q28, q29, [x0, #448]\n"                                                               \
    "    stp q30, q31, [x0, #480]\n"                                                               \
    "    ldr x1, [sp, #168]\n"                                                                     \
    "    add x0, sp, #192\n"                                                                       \
    "    mov x2, #0\n"                                                                             \
    "1:  ldr x3, [x0, x2]\n"                                                                       \
    "    str x3, [x1, x2]\n"                                                                       \
    "    add x2, x2, #8\n"                                                                         \
    "    cmp x2, #800\n"                                                                           \
    "    b.lo 1b\n"                                                                                \
    "    ldr x2, [sp, #176]\n"                                                                     \
    "    msr tpidr_el0, x2\n"                                                                      \
    "    ldp d8, d9, [sp, #96]\n"                                                                  \
    "    ldp d10, d11, [sp, #112]\n"                                                               \
    "    ldp d12, d13, [sp, #128]\n"                                                               \
    "    ldp d14, d15, [sp, #144]\n"                                                               \
    "    ldp x19, x20, [sp, #16]\n"                                                                \
    "    ldp x21, x22, [sp, #32]\n"                                                                \
    "    ldp x23, x24, [sp, #48]\n"                                                                \
    "    ldp x25, x26, [sp, #64]\n"                                                                \
    "    ldp x27, x28, [sp, #80]\n"                                                                \
    "    ldp x29, x30, [sp, #0]\n"                                                                 \
    "    add sp, sp, #1024\n"                                                                      \
    "    ret\n"                                                                                    \
    ".size " name ", . - " name "\n"

__asm__(".text\n"
        ".arch_extension fp\n"
        ".arch_extension simd\n" REGS_ENTER("kt_regs_svc") "    svc #0\n" REGS_LEAVE("kt_regs_svc")
            REGS_ENTER("kt_regs_spin") "    ldr x3, [x0]\n"
                                       "2:  ldr x4, [x1]\n"
                                       "    add x4, x4, #1\n"
                                       "    str x4, [x1]\n"
                                       "    ldr x4, [x0]\n"
                                       "    sub x4, x4, x3\n"
                                       "    cbnz x4, 3f\n"
                                       "    sub x2, x2, #1\n"
                                       "    cbnz x2, 2b\n"
                                       "3:\n" REGS_LEAVE("kt_regs_spin"));

void kt_regs_svc(const regset_t *in, regset_t *out);
void kt_regs_spin(const regset_t *in, regset_t *out);

static void regset_fill(regset_t *r, seL4_Word seed)
{
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < 31; i++) {
        r->x[i] = kt_pattern(seed, (seL4_Word)i);
    }
    r->nzcv = (seed * 0x5 & 0xf) << 28;
    r->tpidr = kt_pattern(seed, 99);
    r->fpsr = (seed & 0x1f) | ((seed >> 5) & 1) << 27;
    r->fpcr = ((seed >> 1) & 3) << 22;
    for (int i = 0; i < 64; i++) {
        r->v[i] = kt_pattern(seed, 100 + (seL4_Word)i);
    }
}

/* Compare what must survive: x6..x30, SP, NZCV, TPIDR, FPSR, FPCR, V. */
static bool regset_check(const regset_t *in, const regset_t *out, const char *what, int id,
                         int round)
{
    const char *reg = NULL;
    int index = -1; /* register number, for x and v */
    seL4_Word got = 0, want = 0;
    for (int i = 6; i < 31 && reg == NULL; i++) {
        if (out->x[i] != in->x[i]) {
            reg = "x";
            index = i;
            got = out->x[i];
            want = in->x[i];
        }
    }
    if (reg == NULL && out->sp != out->sp_before) {
        reg = "sp";
        got = out->sp;
        want = out->sp_before;
    }
    if (reg == NULL && out->nzcv != in->nzcv) {
        reg = "nzcv";
        got = out->nzcv;
        want = in->nzcv;
    }
    if (reg == NULL && out->tpidr != in->tpidr) {
        reg = "tpidr_el0";
        got = out->tpidr;
        want = in->tpidr;
    }
    if (reg == NULL && out->fpsr != in->fpsr) {
        reg = "fpsr";
        got = out->fpsr;
        want = in->fpsr;
    }
    if (reg == NULL && out->fpcr != in->fpcr) {
        reg = "fpcr";
        got = out->fpcr;
        want = in->fpcr;
    }
    for (int i = 0; i < 64 && reg == NULL; i++) {
        if (out->v[i] != in->v[i]) {
            reg = i & 1 ? "upper half of v" : "lower half of v";
            index = i / 2;
            got = out->v[i];
            want = in->v[i];
        }
    }
    if (reg != NULL) {
        char name[32];
        if (index >= 0) {
            snprintf(name, sizeof(name), "%s%d", reg, index);
        } else {
            snprintf(name, sizeof(name), "%s", reg);
        }
        ktest_fail(__FILE__, __LINE__, "thread %d, round %d, %s: %s = 0x%lx, expected 0x%lx", id,
                   round, what, name, got, want);
        return false;
    }
    return true;
}

#define PRESERVE_ROUNDS 5

typedef struct pair_args {
    seL4_CPtr ep;   /* unbadged, for the server */
    seL4_CPtr ep_a; /* badged 0xa, for the client */
} pair_args_t;

static regset_t reg_in[2], reg_out[2];

static seL4_Word seed_of(int id, int round, int op)
{
    return (seL4_Word)(id * 1000 + round * 10 + op + 1);
}

/* One system call with every register loaded; check the result. */
static bool preserved_svc(int id, int round, int op, const char *what, seL4_Word x0, seL4_Word x1,
                          seL4_Word x2, long number)
{
    regset_t *in = &reg_in[id], *out = &reg_out[id];
    regset_fill(in, seed_of(id, round, op));
    in->x[0] = x0;
    in->x[1] = x1;
    in->x[2] = x2;
    in->x[7] = (seL4_Word)number;
    kt_regs_svc(in, out);
    if (!regset_check(in, out, what, id, round)) {
        return false;
    }
    /* Send, Reply and Yield write no register at all (ABI 1.3). */
    if (number == seL4_SysSend || number == seL4_SysReply || number == seL4_SysYield) {
        for (int i = 0; i < 6; i++) {
            if (out->x[i] != in->x[i]) {
                ktest_fail(__FILE__, __LINE__,
                           "thread %d, round %d, %s: x%d = 0x%lx, expected 0x%lx", id, round, what,
                           i, out->x[i], in->x[i]);
                return false;
            }
        }
    }
    return true;
}

static bool preserved_spin(int id, int round)
{
    regset_t *in = &reg_in[id], *out = &reg_out[id];
    regset_fill(in, seed_of(id, round, 9));
    in->x[0] = (seL4_Word)&spin_ctr[1 - id];
    in->x[1] = (seL4_Word)&spin_ctr[id];
    in->x[2] = SPIN_LIMIT;
    kt_regs_spin(in, out);
    if (out->x[4] == 0) {
        ktest_fail(__FILE__, __LINE__, "thread %d, round %d: spun to the limit, never preempted",
                   id, round);
        return false;
    }
    return regset_check(in, out, "preemption", id, round);
}

static volatile int client_rounds, server_rounds;

/* Client: Call, Yield, Send, spin. */
static void preserve_client(seL4_Word arg)
{
    const pair_args_t *p = (const pair_args_t *)arg;
    for (int round = 0; round < PRESERVE_ROUNDS; round++) {
        seL4_Word tag = seL4_MessageInfo_new(0x100 + (seL4_Word)round, 0, 0, 1).words[0];
        if (!preserved_svc(0, round, 0, "Call", p->ep_a, tag, 0xc0de, seL4_SysCall)) {
            return;
        }
        if (reg_out[0].x[0] != 0 ||
            reg_out[0].x[1] != seL4_MessageInfo_new(0x200 + (seL4_Word)round, 0, 0, 1).words[0] ||
            reg_out[0].x[2] != 0xc0de + 1) {
            ktest_fail(__FILE__, __LINE__, "round %d: reply x0 0x%lx x1 0x%lx x2 0x%lx", round,
                       reg_out[0].x[0], reg_out[0].x[1], reg_out[0].x[2]);
            return;
        }
        if (!preserved_svc(0, round, 1, "Yield", 0, 0, 0, seL4_SysYield) ||
            !preserved_svc(0, round, 2, "Send", p->ep_a,
                           seL4_MessageInfo_new(0x300, 0, 0, 1).words[0], 0x5e9d, seL4_SysSend) ||
            !preserved_spin(0, round)) {
            return;
        }
        client_rounds++;
    }
}

/* Server: Recv the Call; answer it with ReplyRecv (even rounds) or Reply
 * then Recv (odd rounds), receiving the Send; Yield; spin. */
static void preserve_server(seL4_Word arg)
{
    const pair_args_t *p = (const pair_args_t *)arg;
    for (int round = 0; round < PRESERVE_ROUNDS; round++) {
        if (!preserved_svc(1, round, 0, "Recv", p->ep, 0, 0, seL4_SysRecv)) {
            return;
        }
        if (reg_out[1].x[0] != 0xa || reg_out[1].x[2] != 0xc0de) {
            ktest_fail(__FILE__, __LINE__, "round %d: call badge 0x%lx MR0 0x%lx", round,
                       reg_out[1].x[0], reg_out[1].x[2]);
            return;
        }
        seL4_Word reply = seL4_MessageInfo_new(0x200 + (seL4_Word)round, 0, 0, 1).words[0];
        if (round % 2 == 0) {
            if (!preserved_svc(1, round, 1, "ReplyRecv", p->ep, reply, 0xc0de + 1,
                               seL4_SysReplyRecv)) {
                return;
            }
        } else {
            if (!preserved_svc(1, round, 1, "Reply", 0, reply, 0xc0de + 1, seL4_SysReply) ||
                !preserved_svc(1, round, 2, "Recv", p->ep, 0, 0, seL4_SysRecv)) {
                return;
            }
        }
        if (reg_out[1].x[2] != 0x5e9d) {
            ktest_fail(__FILE__, __LINE__, "round %d: send MR0 0x%lx", round, reg_out[1].x[2]);
            return;
        }
        if (!preserved_svc(1, round, 3, "Yield", 0, 0, 0, seL4_SysYield) ||
            !preserved_spin(1, round)) {
            return;
        }
        server_rounds++;
    }
}

KT_THREAD_TEST(test_registers_preserved)
{
    client_rounds = server_rounds = 0;
    spin_ctr[0] = spin_ctr[1] = 0;
    static pair_args_t p;
    p.ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    p.ep_a = kt_env_mint(p.ep, seL4_AllRights, 0xa);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr root = seL4_CapInitThreadTCB;
    kt_thread_t *client = kt_thread_create(preserve_client, (seL4_Word)&p, KT_PRIO_HIGH, 0);
    kt_thread_t *server = kt_thread_create(preserve_server, (seL4_Word)&p, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, 200));
    kt_thread_start(server);
    kt_thread_start(client);
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT));
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(client_rounds, PRESERVE_ROUNDS);
    KT_ASSERT_EQ(server_rounds, PRESERVE_ROUNDS);
    KT_ASSERT(client->finished && server->finished);
}

/* The same checks with a root-task thread at a lower priority doing IPC
 * with a higher one: switches in both directions on every call. */
static void preserve_echo(seL4_Word ep)
{
    for (int round = 0; round < PRESERVE_ROUNDS; round++) {
        if (!preserved_svc(1, round, 0, "Recv", ep, 0, 0, seL4_SysRecv) ||
            !preserved_svc(1, round, 1, "Reply", 0, seL4_MessageInfo_new(0, 0, 0, 1).words[0],
                           reg_out[1].x[2] + 1, seL4_SysReply)) {
            return;
        }
        server_rounds++;
    }
}

static void preserve_low_caller(seL4_Word ep)
{
    for (int round = 0; round < PRESERVE_ROUNDS; round++) {
        if (!preserved_svc(0, round, 0, "Call", ep, seL4_MessageInfo_new(0, 0, 0, 1).words[0],
                           (seL4_Word)round, seL4_SysCall)) {
            return;
        }
        if (reg_out[0].x[2] != (seL4_Word)round + 1) {
            ktest_fail(__FILE__, __LINE__, "round %d: reply MR0 0x%lx", round, reg_out[0].x[2]);
            return;
        }
        client_rounds++;
    }
}

KT_THREAD_TEST(test_registers_preserved_across_priorities)
{
    client_rounds = server_rounds = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(preserve_echo, ep, KT_PRIO_HIGH, 0);
    kt_thread_t *low = kt_thread_spawn(preserve_low_caller, ep, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    /* Below the low thread: it runs (and calls the high one) until done. */
    KT_ASSERT_OK(
        seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, KT_PRIO_LOW - 1));
    KT_ASSERT(low->finished);
    KT_ASSERT_EQ(client_rounds, PRESERVE_ROUNDS);
    KT_ASSERT_EQ(server_rounds, PRESERVE_ROUNDS);
}

const ktest_case_t ktest_sched_cases[] = {
    { "sched.priority_order", test_priority_order },
    { "sched.lower_priority_waits", test_lower_priority_waits },
    { "sched.priority_change_effect", test_priority_change_effect },
    { "sched.mcp_between_threads", test_mcp_between_threads },
    { "sched.yield_round_robin", test_yield_round_robin },
    { "sched.tick_preemption_equal_threads", test_tick_preemption_equal_threads },
    { "sched.tick_preemption_of_root", test_tick_preemption_of_root },
    { "sched.no_preemption_by_lower", test_no_preemption_by_lower },
    { "regs.preserved_two_fpu_threads", test_registers_preserved },
    { "regs.preserved_across_priorities", test_registers_preserved_across_priorities },
    { NULL, NULL },
};
