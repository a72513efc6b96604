/* irq_user: a user-level interrupt from the generic timer, measured the way
 * sel4bench's irquser benchmark measures it on this board (its timer there is
 * the EL1 physical timer, PPI 30, which the benchmark kernel exports to EL0).
 *
 * A spinner thread (priority 253) stores the cycle counter to shared memory
 * in a tight loop, forever. A ticker thread (254) waits on the notification
 * of the timer's IRQ handler; when its Wait returns it reads the counter at
 * once; then, unmeasured, it sets the next expiry (periodic: the compare
 * value advances by one period) and acknowledges the IRQ. A sample is the
 * ticker's counter minus the spinner's last stored value, minus the cost of
 * a counter read (two back-to-back reads, as sel4bench subtracts its minimum
 * measurement overhead): from the interrupted spinner's last count to the
 * driver running, through the kernel's entry, the notification, the switch
 * and the return. As in sel4bench, it runs twice: the spinner in the
 * ticker's address space ("without context switch": a thread switch only),
 * reported as irq_user, and in space B ("with context switch"), reported as
 * irq_user_other_as. The period is 100 us of counter time (sel4bench: 10 ms;
 * the length does not enter the figure, and under -icount it keeps a run
 * short). */
#include "bench.h"

#define TIMER_PPI 30 /* the EL1 physical timer */
#define TICKER_PRIO (seL4_MaxPrio - 1)
#define SPINNER_PRIO (seL4_MaxPrio - 2)
#define PERIODS_PER_SECOND 10000
#define CNTP_CTL_ENABLE 1ul

static volatile uint64_t spinner_count; /* the spinner's last counter value */

static struct {
    seL4_CPtr ntfn, handler;
    uint64_t period, next_expiry; /* counter ticks */
    int total;                    /* samples, warm-up included */
} timer;

static inline uint64_t physical_count(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) : : "memory");
    return v;
}

static void set_expiry(uint64_t at)
{
    __asm__ volatile("msr cntp_cval_el0, %0\n\tisb" : : "r"(at) : "memory");
}

static void set_timer_control(seL4_Word ctl)
{
    __asm__ volatile("msr cntp_ctl_el0, %0\n\tisb" : : "r"(ctl) : "memory");
}

static void spinner(int slot)
{
    (void)slot;
    for (;;) {
        __asm__ volatile("isb\n\t"
                         "mrs x9, pmccntr_el0\n\t"
                         "str x9, [%[at]]"
                         :
                         : [at] "r"(&spinner_count)
                         : "x9", "memory");
    }
}

static void ticker(int slot)
{
    (void)slot;
    for (int i = 0; i < timer.total; i++) {
        volatile uint64_t ignored;
        seL4_Word r[6] = { timer.ntfn };
        uint64_t end = stamped_syscall(seL4_SysRecv, r, &ignored);
        samples0[i] = minus(end, spinner_count, overhead_ccnt);
        timer.next_expiry += timer.period;
        set_expiry(timer.next_expiry);
        seL4_IRQHandler_Ack(timer.handler);
    }
}

/* One run: the spinner in `spinner_space`, the ticker in the root space. */
static void run_timer_irq(const char *name, seL4_CPtr spinner_space)
{
    scope_begin();
    timer.ntfn = make(ut_scope, seL4_NotificationObject, 0, 1);
    timer.handler = alloc_slots(1);
    CHECK(seL4_IRQControl_Get(seL4_CapIRQControl, TIMER_PPI, seL4_CapInitThreadCNode, timer.handler,
                              64));
    CHECK(seL4_IRQHandler_SetNotification(timer.handler, timer.ntfn));
    start_thread(1, ticker, seL4_CapInitThreadVSpace, TICKER_PRIO, 0);
    start_thread(0, spinner, spinner_space, SPINNER_PRIO, 0);
    timer.next_expiry = physical_count() + timer.period;
    set_expiry(timer.next_expiry);
    set_timer_control(CNTP_CTL_ENABLE);
    wait_done();
    set_timer_control(0);
    /* Not derived from the scope untyped: deleted by hand (PPI 30 is free again). */
    CHECK(seL4_CNode_Delete(seL4_CapInitThreadCNode, timer.handler, 64));
    scope_end();
    report_from(name, samples0, timer.total, warmup);
}

void bench_irq_timer(void)
{
    uint64_t frequency;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
    timer.period = frequency / PERIODS_PER_SECOND;
    timer.total = warmup + iterations;
    run_timer_irq("irq_user", seL4_CapInitThreadVSpace);
    run_timer_irq("irq_user_other_as", vspace_b);
}
