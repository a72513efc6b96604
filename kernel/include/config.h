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

#ifndef CONFIG_BENCHMARK_SYSCALLS
#define CONFIG_BENCHMARK_SYSCALLS 0 /* BenchmarkNullSyscall (-22): the bare trap */
#endif
#define SYSCALL_BENCHMARK_NULL (-22)

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 1 /* the C fastpath for Call and ReplyRecv */
#endif

#ifndef CONFIG_FASTPATH_STATS
#define CONFIG_FASTPATH_STATS 0 /* fastpath counters, read by KeelFastpathStats */
#endif
#define SYSCALL_FASTPATH_STATS (-31) /* api/keel.api: after seL4's last number */

#define CONFIG_NUM_PRIORITIES 256
#define CONFIG_NUM_DOMAINS 1
#define CONFIG_RETYPE_FAN_OUT_LIMIT 256
#define CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION 100
#define CONFIG_RESET_CHUNK_BITS 8
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define CONFIG_USER_STACK_TRACE_LENGTH 16
#define CONFIG_KERNEL_STACK_BITS 13
