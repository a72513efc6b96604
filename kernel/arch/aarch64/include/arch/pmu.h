/* The benchmark kernels' split of the PMU's instruction count between the
 * OS's programs and everything else (CONFIG_BENCH_PMU_PROGRAMS,
 * config.h; docs/benchmarks.md "Application benchmarks"). Every other
 * kernel compiles the hook to nothing. */
#pragma once

#include <config.h>
#include <util.h>

struct tcb;

/* The PMU event counter the kernel turns on and off. */
#define PMU_PROGRAM_COUNTER 2

#if CONFIG_BENCH_PMU_PROGRAMS
/* `thread` is about to run at EL0: event counter PMU_PROGRAM_COUNTER is
 * enabled if its priority is below CONFIG_BENCH_PMU_PROGRAMS, disabled
 * otherwise (cpu.c). */
void arch_pmu_activate(const struct tcb *thread);
#else
static ALWAYS_INLINE void arch_pmu_activate(const struct tcb *thread)
{
    (void)thread;
}
#endif
