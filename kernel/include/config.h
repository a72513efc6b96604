/* Build configuration (ABI 10.1 gives the values of the reference
 * configuration). The Makefile may override the ones marked overridable. */
#pragma once

#ifndef CONFIG_DEBUG_BUILD
#define CONFIG_DEBUG_BUILD 1 /* debug system calls, printing, checks */
#endif
#ifndef CONFIG_ROOT_CNODE_SIZE_BITS
#define CONFIG_ROOT_CNODE_SIZE_BITS 13
#endif
#ifndef CONFIG_TIMER_TICK_MS
#define CONFIG_TIMER_TICK_MS 2
#endif
#ifndef CONFIG_TIME_SLICE
#define CONFIG_TIME_SLICE 5 /* ticks */
#endif

#ifndef CONFIG_EXPORT_PMU_USER
#define CONFIG_EXPORT_PMU_USER 0 /* EL0 may read the PMU cycle counter */
#endif

/* The generic timer at EL0 (seL4's KernelArmExport{PCNT,VCNT,PTMR,VTMR}User):
 * reading the physical / virtual counter (either one also makes CNTFRQ_EL0
 * readable), and programming the EL1 physical / virtual timer, whose
 * interrupt (PPI 30 / 27) user level then takes through IRQControl. */
#ifndef CONFIG_EXPORT_PCNT_USER
#define CONFIG_EXPORT_PCNT_USER 0
#endif
#ifndef CONFIG_EXPORT_VCNT_USER
#define CONFIG_EXPORT_VCNT_USER 0
#endif
#ifndef CONFIG_EXPORT_PTMR_USER
#define CONFIG_EXPORT_PTMR_USER 0
#endif
#ifndef CONFIG_EXPORT_VTMR_USER
#define CONFIG_EXPORT_VTMR_USER 0 /* the kernel tick then uses the physical timer */
#endif
#if CONFIG_EXPORT_PTMR_USER && CONFIG_EXPORT_VTMR_USER
#error "CONFIG_EXPORT_PTMR_USER and CONFIG_EXPORT_VTMR_USER exclude each other: the kernel tick \
needs one of the two EL1 timers for itself"
#endif

#ifndef CONFIG_BENCHMARK_SYSCALLS
#define CONFIG_BENCHMARK_SYSCALLS 0 /* BenchmarkNullSyscall (-22): the bare trap */
#endif
#define SYSCALL_BENCHMARK_NULL (-22)

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 1 /* the C fastpath for Call and ReplyRecv */
#endif

#define CONFIG_NUM_PRIORITIES 256
#define CONFIG_NUM_DOMAINS 1
#define CONFIG_RETYPE_FAN_OUT_LIMIT 256
#define CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION 100
#define CONFIG_RESET_CHUNK_BITS 8
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define CONFIG_USER_STACK_TRACE_LENGTH 16
#define CONFIG_KERNEL_STACK_BITS 13
