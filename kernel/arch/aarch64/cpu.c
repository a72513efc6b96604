/* Per-CPU machine state the kernel sets once at boot (and a benchmark
 * kernel's PMU split, set at each return to EL0). */
#include <arch/arch.h>
#include <arch/debug.h>
#include <arch/machine.h>
#include <arch/pmu.h>
#include <config.h>
#include <object/tcb.h>
#include <util.h>

#define PMCR_ENABLE BIT(0)
#define PMCR_LONG_CYCLE_COUNTER BIT(6)
#define PMCNTEN_CYCLE_COUNTER BIT(31)
#define PMUSERENR_ALL 0xf /* EL0 may read counters, the cycle counter, events */

/* The benchmark configuration lets EL0 read the cycle counter (under QEMU
 * with -icount, it counts instructions). */
static void export_pmu_to_user(void)
{
    SYSREG_WRITE(pmcr_el0, SYSREG_READ(pmcr_el0) | PMCR_ENABLE | PMCR_LONG_CYCLE_COUNTER);
    SYSREG_WRITE(pmcntenset_el0, PMCNTEN_CYCLE_COUNTER);
    SYSREG_WRITE(pmccfiltr_el0, 0); /* count at EL0 and EL1 */
    SYSREG_WRITE(pmuserenr_el0, PMUSERENR_ALL);
    isb();
}

#if CONFIG_BENCH_PMU_PROGRAMS
/* The programs' counter (arch/pmu.h): written on every return to EL0, so
 * that whatever EL0 wrote to the enable registers meanwhile, the thread
 * that runs next decides. Costs the few instructions of every switch that
 * the benchmark kernel pays for it. */
void arch_pmu_activate(const tcb_t *thread)
{
    if (thread->priority < CONFIG_BENCH_PMU_PROGRAMS) {
        SYSREG_WRITE(pmcntenset_el0, BIT(PMU_PROGRAM_COUNTER));
    } else {
        SYSREG_WRITE(pmcntenclr_el0, BIT(PMU_PROGRAM_COUNTER));
    }
}
#endif

#define CNTKCTL_EL0PCTEN BIT(0) /* CNTPCT_EL0 (and CNTFRQ_EL0) */
#define CNTKCTL_EL0VCTEN BIT(1) /* CNTVCT_EL0 (and CNTFRQ_EL0) */
#define CNTKCTL_EL0VTEN BIT(8)  /* CNTV_CTL, CNTV_CVAL, CNTV_TVAL */
#define CNTKCTL_EL0PTEN BIT(9)  /* CNTP_CTL, CNTP_CVAL, CNTP_TVAL */

/* What EL0 may touch of the generic timer (plat/machine.h). The whole register is
 * written: its reset value is not architecturally defined, and everything
 * not exported (the event stream too) must trap. */
static void configure_user_timer_access(void)
{
    word_t cntkctl = (CONFIG_EXPORT_PCNT_USER ? CNTKCTL_EL0PCTEN : 0) |
                     (CONFIG_EXPORT_VCNT_USER ? CNTKCTL_EL0VCTEN : 0) |
                     (CONFIG_EXPORT_PTMR_USER ? CNTKCTL_EL0PTEN : 0) |
                     (CONFIG_EXPORT_VTMR_USER ? CNTKCTL_EL0VTEN : 0);
    SYSREG_WRITE(cntkctl_el1, cntkctl);
    isb();
}

void arch_init_cpu(void)
{
    arch_fpu_init(); /* FP/SIMD is switched lazily: EL0 use traps at first */
    if (CONFIG_HARDWARE_DEBUG_API) {
        arch_debug_init(); /* EL0 breakpoints, watchpoints, single step */
    }
    configure_user_timer_access();
    if (CONFIG_EXPORT_PMU_USER) {
        export_pmu_to_user();
    }
}

/* DC ZVA zeroes a whole block (its size is in DCZID_EL0) per instruction;
 * bytes before the first and after the last whole block are zeroed singly. */
void arch_zero_memory(void *p, word_t size)
{
    uint8_t *at = p;
    word_t dczid = SYSREG_READ(dczid_el0);
    if ((dczid & 0x10) != 0) { /* DC ZVA prohibited */
        memset(p, 0, size);
        return;
    }
    word_t block = 4ull << (dczid & 0xf);
    for (; size > 0 && ((uintptr_t)at & (block - 1)) != 0; size--) {
        *at++ = 0;
    }
    for (; size >= block; at += block, size -= block) {
        __asm__ volatile("dc zva, %0" ::"r"(at) : "memory");
    }
    for (; size > 0; size--) {
        *at++ = 0;
    }
}

const uint8_t user_context_order[USER_CONTEXT_WORDS] = KEEL_USER_CONTEXT_ORDER;
