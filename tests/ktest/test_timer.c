/* The generic timer at EL0 (kernel/include/config.h, CONFIG_EXPORT_*_USER).
 * ktest sees its kernel's CONFIG_EXPORT_* settings (keel/gen/config.h), so
 * each kernel variant checks what it exports: every counter and timer
 * register access EL0 may make works, every other one is a user exception
 * for the thread's fault handler (ESR EC 0x18, the register in the ISS) that
 * a reply skips. The EL1 timer the kernel tick does not use raises a PPI
 * that IRQControl_Get hands out like any other IRQ; when that timer is
 * exported, its interrupt reaches the handler's notification, stays masked
 * until the Ack, and comes again after it. The tick's own PPI cannot be
 * taken. */
#include "threads.h"
#include <keel/gen/config.h>

#define PHYSICAL_TIMER_PPI 30
#define VIRTUAL_TIMER_PPI 27
/* The kernel tick uses the virtual timer unless user level has it. */
#define KERNEL_TICK_PPI (CONFIG_EXPORT_VTMR_USER ? PHYSICAL_TIMER_PPI : VIRTUAL_TIMER_PPI)
#define OTHER_TIMER_PPI (CONFIG_EXPORT_VTMR_USER ? VIRTUAL_TIMER_PPI : PHYSICAL_TIMER_PPI)

#define TIMER_CTL_ENABLE 1ul
#define TIMER_CTL_ISTATUS 4ul
#define TIMER_TICKS 0x1000ul /* until the armed timer fires: ~65 us at 62.5 MHz */
#define TIMER_BADGE 0x7130ul
#define KT_TAG_IRQ_HANDLER 16

/* One system-register access each, the first instruction of the function:
 * readers return the register, writers store their argument into it. */
#define TIMER_ACCESSOR(name, insn)                                                                 \
    ".text\n.global " #name "\n.type " #name ", %function\n" #name ":\n    " insn                  \
    "\n    ret\n.size " #name ", . - " #name "\n"

__asm__(TIMER_ACCESSOR(read_cntfrq, "mrs x0, cntfrq_el0"));
__asm__(TIMER_ACCESSOR(read_cntpct, "mrs x0, cntpct_el0"));
__asm__(TIMER_ACCESSOR(read_cntvct, "mrs x0, cntvct_el0"));
__asm__(TIMER_ACCESSOR(read_cntp_ctl, "mrs x0, cntp_ctl_el0"));
__asm__(TIMER_ACCESSOR(read_cntp_cval, "mrs x0, cntp_cval_el0"));
__asm__(TIMER_ACCESSOR(read_cntp_tval, "mrs x0, cntp_tval_el0"));
__asm__(TIMER_ACCESSOR(write_cntp_ctl, "msr cntp_ctl_el0, x0"));
__asm__(TIMER_ACCESSOR(write_cntp_tval, "msr cntp_tval_el0, x0"));
__asm__(TIMER_ACCESSOR(read_cntv_ctl, "mrs x0, cntv_ctl_el0"));
__asm__(TIMER_ACCESSOR(read_cntv_cval, "mrs x0, cntv_cval_el0"));
__asm__(TIMER_ACCESSOR(read_cntv_tval, "mrs x0, cntv_tval_el0"));
__asm__(TIMER_ACCESSOR(write_cntv_ctl, "msr cntv_ctl_el0, x0"));
__asm__(TIMER_ACCESSOR(write_cntv_tval, "msr cntv_tval_el0, x0"));

typedef seL4_Word timer_accessor_fn(seL4_Word value);
timer_accessor_fn read_cntfrq, read_cntpct, read_cntvct, read_cntp_ctl, read_cntp_cval,
    read_cntp_tval, write_cntp_ctl, write_cntp_tval, read_cntv_ctl, read_cntv_cval, read_cntv_tval,
    write_cntv_ctl, write_cntv_tval;

/* ESR of a trapped MRS/MSR of an op0 3, op1 3, CRn 14 register with x0:
 * EC 0x18, IL, then the ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14],
 * CRn [13:10], Rt [9:5], CRm [4:1], direction [0] (1 = MRS). */
#define TRAPPED_TIMER_ESR(crm, op2, is_read)                                                       \
    ((0x18ul << 26) | (1ul << 25) | (3ul << 20) | ((seL4_Word)(op2) << 17) | (3ul << 14) |         \
     (14ul << 10) | ((seL4_Word)(crm) << 1) | (seL4_Word)(is_read))

typedef struct timer_access {
    const char *what;
    timer_accessor_fn *fn;
    seL4_Word esr; /* if it traps */
    bool allowed;
} timer_access_t;

static const timer_access_t accesses[] = {
    { "read CNTFRQ_EL0", read_cntfrq, TRAPPED_TIMER_ESR(0, 0, 1),
      CONFIG_EXPORT_PCNT_USER || CONFIG_EXPORT_VCNT_USER },
    { "read CNTPCT_EL0", read_cntpct, TRAPPED_TIMER_ESR(0, 1, 1), CONFIG_EXPORT_PCNT_USER },
    { "read CNTVCT_EL0", read_cntvct, TRAPPED_TIMER_ESR(0, 2, 1), CONFIG_EXPORT_VCNT_USER },
    { "read CNTP_CTL_EL0", read_cntp_ctl, TRAPPED_TIMER_ESR(2, 1, 1), CONFIG_EXPORT_PTMR_USER },
    { "read CNTP_CVAL_EL0", read_cntp_cval, TRAPPED_TIMER_ESR(2, 2, 1), CONFIG_EXPORT_PTMR_USER },
    { "read CNTP_TVAL_EL0", read_cntp_tval, TRAPPED_TIMER_ESR(2, 0, 1), CONFIG_EXPORT_PTMR_USER },
    { "write CNTP_CTL_EL0", write_cntp_ctl, TRAPPED_TIMER_ESR(2, 1, 0), CONFIG_EXPORT_PTMR_USER },
    { "write CNTP_TVAL_EL0", write_cntp_tval, TRAPPED_TIMER_ESR(2, 0, 0), CONFIG_EXPORT_PTMR_USER },
    { "read CNTV_CTL_EL0", read_cntv_ctl, TRAPPED_TIMER_ESR(3, 1, 1), CONFIG_EXPORT_VTMR_USER },
    { "read CNTV_CVAL_EL0", read_cntv_cval, TRAPPED_TIMER_ESR(3, 2, 1), CONFIG_EXPORT_VTMR_USER },
    { "read CNTV_TVAL_EL0", read_cntv_tval, TRAPPED_TIMER_ESR(3, 0, 1), CONFIG_EXPORT_VTMR_USER },
    { "write CNTV_CTL_EL0", write_cntv_ctl, TRAPPED_TIMER_ESR(3, 1, 0), CONFIG_EXPORT_VTMR_USER },
    { "write CNTV_TVAL_EL0", write_cntv_tval, TRAPPED_TIMER_ESR(3, 0, 0), CONFIG_EXPORT_VTMR_USER },
};
#define ACCESS_COUNT (sizeof(accesses) / sizeof(accesses[0]))

/* How far the accessing thread got, and what each access returned. */
static volatile seL4_Word accesses_reached;
static volatile seL4_Word access_values[ACCESS_COUNT];

/* Every access in table order; the writes store 0 (timer disabled). */
static void run_accesses(seL4_Word arg)
{
    (void)arg;
    for (seL4_Word i = 0; i < ACCESS_COUNT; i++) {
        accesses_reached = i;
        access_values[i] = accesses[i].fn(0);
    }
    accesses_reached = ACCESS_COUNT;
}

/* Receive the thread's fault for access i, check it and skip the access. */
static void expect_trap(seL4_CPtr ep, seL4_Word i)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    seL4_Word fault_ip = seL4_GetMR(seL4_UserException_FaultIP);
    seL4_Word esr = seL4_GetMR(seL4_UserException_Number);
    if (seL4_MessageInfo_get_label(info) != seL4_Fault_UserException ||
        seL4_MessageInfo_get_length(info) != seL4_UserException_Length ||
        fault_ip != (seL4_Word)accesses[i].fn || esr != accesses[i].esr || accesses_reached != i) {
        KT_FAIL("%s: fault label %lu at 0x%lx ESR 0x%lx after access %lu; expected a user "
                "exception at 0x%lx ESR 0x%lx",
                accesses[i].what, seL4_MessageInfo_get_label(info), fault_ip, esr, accesses_reached,
                (seL4_Word)accesses[i].fn, accesses[i].esr);
    }
    seL4_SetMR(seL4_UserException_FaultIP, fault_ip + 4);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
}

/* What this kernel exports works; the rest traps, each access in turn. */
KT_THREAD_TEST(test_el0_access_as_configured)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(run_accesses, 0, KT_PRIO_HIGH, ep);
    KT_RETURN_IF_FAILED();
    for (seL4_Word i = 0; i < ACCESS_COUNT; i++) {
        if (!accesses[i].allowed) {
            expect_trap(ep, i);
            KT_RETURN_IF_FAILED();
        }
    }
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(accesses_reached, ACCESS_COUNT);
    if (accesses[0].allowed) {
        KT_ASSERT_NE(access_values[0], 0); /* the frequency */
    }
}

/* The kernel tick's PPI is never handed out; the other EL1 timer's is an
 * IRQ like any other (whether or not EL0 may program that timer). */
static void test_timer_ppis(void)
{
    seL4_CPtr slot = kt_slots(1);
    KT_ASSERT_NE(slot, 0);
    KT_ASSERT_ERROR(
        seL4_IRQControl_Get(seL4_CapIRQControl, KERNEL_TICK_PPI, KT_ROOT, slot, KT_DEPTH),
        seL4_RevokeFirst);
    KT_ASSERT_ERROR(
        seL4_IRQControl_GetTrigger(seL4_CapIRQControl, KERNEL_TICK_PPI, 0, KT_ROOT, slot, KT_DEPTH),
        seL4_RevokeFirst);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_IRQControl_Get(seL4_CapIRQControl, OTHER_TIMER_PPI, KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_IRQ_HANDLER);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, slot, KT_DEPTH));
}

#if CONFIG_EXPORT_PCNT_USER || CONFIG_EXPORT_VCNT_USER
/* The exported counters run: a later read is larger. */
static void test_el0_counters(void)
{
    KT_ASSERT_NE(read_cntfrq(0), 0);
    timer_accessor_fn *counter = CONFIG_EXPORT_PCNT_USER ? read_cntpct : read_cntvct;
    seL4_Word before = counter(0);
    seL4_Yield();
    KT_ASSERT_LT(before, counter(0));
    if (CONFIG_EXPORT_PCNT_USER && CONFIG_EXPORT_VCNT_USER) {
        seL4_Word virtual_before = read_cntvct(0);
        seL4_Yield();
        KT_ASSERT_LT(virtual_before, read_cntvct(0));
    }
}
#endif

#if CONFIG_EXPORT_PTMR_USER || CONFIG_EXPORT_VTMR_USER
/* The timer EL0 may program, and its PPI. */
#define USER_TIMER_PPI OTHER_TIMER_PPI

static seL4_Word user_timer_ctl(void)
{
    return CONFIG_EXPORT_PTMR_USER ? read_cntp_ctl(0) : read_cntv_ctl(0);
}

static void user_timer_set_ctl(seL4_Word ctl)
{
    (void)(CONFIG_EXPORT_PTMR_USER ? write_cntp_ctl(ctl) : write_cntv_ctl(ctl));
}

static void arm_user_timer(void)
{
    (void)(CONFIG_EXPORT_PTMR_USER ? write_cntp_tval(TIMER_TICKS) : write_cntv_tval(TIMER_TICKS));
    user_timer_set_ctl(TIMER_CTL_ENABLE);
}

static seL4_Word poll_word(seL4_CPtr ntfn)
{
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    return word;
}

static seL4_Word wait_word(seL4_CPtr ntfn)
{
    seL4_Word word = 0;
    seL4_Wait(ntfn, &word);
    return word;
}

/* Runs while the root task waits for the timer, so that the watchdog does
 * not take the wait for a deadlock. */
static void spin(seL4_Word arg)
{
    (void)arg;
    for (;;) {
        __asm__ volatile("" ::: "memory");
    }
}

/* A notification (in *ntfn) signalled with TIMER_BADGE by an IRQ handler
 * for the user timer's PPI (returned; 0 on failure). */
static seL4_CPtr user_timer_handler(seL4_CPtr *ntfn)
{
    *ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr badged = *ntfn != 0 ? kt_env_mint(*ntfn, seL4_AllRights, TIMER_BADGE) : 0;
    seL4_CPtr handler = kt_env_slot();
    if (badged == 0 || handler == 0) {
        return 0;
    }
    seL4_Error err =
        seL4_IRQControl_Get(seL4_CapIRQControl, USER_TIMER_PPI, KT_ROOT, handler, KT_DEPTH);
    if (err == seL4_NoError) {
        err = seL4_IRQHandler_SetNotification(handler, badged);
    }
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "IRQ handler for PPI %d: error %d", USER_TIMER_PPI,
                   (int)err);
        return 0;
    }
    return handler;
}

/* EL0 programs the timer and takes its interrupt: delivered, masked while
 * the line stays asserted until the Ack, delivered again by the Ack, quiet
 * with the timer off, and delivered at the next expiry. */
KT_THREAD_TEST(test_user_timer_interrupt)
{
    user_timer_set_ctl(0);
    seL4_CPtr ntfn;
    seL4_CPtr handler = user_timer_handler(&ntfn);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(spin, 0, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();

    arm_user_timer();
    KT_ASSERT_EQ(wait_word(ntfn), TIMER_BADGE);
    KT_ASSERT(user_timer_ctl() & TIMER_CTL_ISTATUS);
    KT_ASSERT_EQ(poll_word(ntfn), 0); /* still asserted, but masked */
    seL4_Yield();
    KT_ASSERT_EQ(poll_word(ntfn), 0);

    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll_word(ntfn), TIMER_BADGE); /* unmasked, still asserted */

    user_timer_set_ctl(0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll_word(ntfn), 0);

    arm_user_timer();
    KT_ASSERT_EQ(wait_word(ntfn), TIMER_BADGE);
    KT_ASSERT(user_timer_ctl() & TIMER_CTL_ISTATUS);
    user_timer_set_ctl(0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll_word(ntfn), 0);
}

/* The handler goes while its interrupt is asserted and masked; a new one
 * (which unmasks it, with no notification yet: the kernel drops it and
 * masks it again) gets it after SetNotification and Ack. */
KT_THREAD_TEST(test_user_timer_handler_replaced)
{
    user_timer_set_ctl(0);
    seL4_CPtr ntfn;
    seL4_CPtr handler = user_timer_handler(&ntfn);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(spin, 0, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    arm_user_timer();
    KT_ASSERT_EQ(wait_word(ntfn), TIMER_BADGE);

    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, handler, KT_DEPTH));
    KT_ASSERT_OK(
        seL4_IRQControl_Get(seL4_CapIRQControl, USER_TIMER_PPI, KT_ROOT, handler, KT_DEPTH));
    seL4_Yield();
    KT_ASSERT_EQ(poll_word(ntfn), 0);
    seL4_CPtr badged = kt_env_mint(ntfn, seL4_AllRights, TIMER_BADGE + 1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, badged));
    KT_ASSERT_EQ(poll_word(ntfn), 0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll_word(ntfn), TIMER_BADGE + 1);
    user_timer_set_ctl(0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
}
#endif

const ktest_case_t ktest_timer_cases[] = {
    { "timer.el0_access_as_configured", test_el0_access_as_configured },
    { "timer.ppis", test_timer_ppis },
#if CONFIG_EXPORT_PCNT_USER || CONFIG_EXPORT_VCNT_USER
    { "timer.el0_counters", test_el0_counters },
#endif
#if CONFIG_EXPORT_PTMR_USER || CONFIG_EXPORT_VTMR_USER
    { "timer.user_timer_interrupt", test_user_timer_interrupt },
    { "timer.user_timer_handler_replaced", test_user_timer_handler_replaced },
#endif
    { NULL, NULL },
};
