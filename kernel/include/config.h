/* Build configuration (ABI 10.1 gives the values of the reference
 * configuration). The options the interface depends on (CONFIG_DEBUG_BUILD:
 * debug system calls, printing, checks; CONFIG_PRINTING;
 * CONFIG_HARDWARE_DEBUG_API...) have their one definition in keel/gen/config.h,
 * generated from api/keel.api and the build's -D words (docs/api.md). The
 * kernel-only options below take their defaults here; the Makefile may
 * override them. */
#pragma once

#include <keel/gen/config.h>
#ifndef CONFIG_ROOT_CNODE_SIZE_BITS
#define CONFIG_ROOT_CNODE_SIZE_BITS 13
#endif
#ifndef CONFIG_TIMER_TICK_MS
#define CONFIG_TIMER_TICK_MS 2
#endif
#ifndef CONFIG_TIME_SLICE
#define CONFIG_TIME_SLICE 5 /* ticks */
#endif

#ifndef CONFIG_BENCHMARK_SYSCALLS
#define CONFIG_BENCHMARK_SYSCALLS 0 /* BenchmarkNullSyscall (-22): the bare trap */
#endif
#define SYSCALL_BENCHMARK_NULL (-22)

#ifndef CONFIG_BENCH_PMU_PROGRAMS
/* Benchmark kernels only (the `osapps` kernel of make bench-apps,
 * bench/os/appbench.mk): when not 0, PMU event counter 2 is enabled while a
 * thread of a priority below this value runs at EL0 -- the OS's programs,
 * which pm runs below every server -- and disabled while any other thread
 * runs, so that the programs can count their own instructions apart from
 * the servers' (arch/pmu.h). 0: the kernel never touches that counter. */
#define CONFIG_BENCH_PMU_PROGRAMS 0
#endif
#if CONFIG_BENCH_PMU_PROGRAMS && !CONFIG_EXPORT_PMU_USER
#error "CONFIG_BENCH_PMU_PROGRAMS wants CONFIG_EXPORT_PMU_USER (EL0 programs the counter)"
#endif

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 1 /* the C fastpath for Call and ReplyRecv */
#endif

#define CONFIG_NUM_PRIORITIES 256
/* CONFIG_NUM_DOMAINS (seL4's KernelNumDomains) and
 * CONFIG_NUM_DOMAIN_SCHEDULES (KernelNumDomainSchedules) come from
 * keel/gen/config.h: user programs see them too. */
#if CONFIG_NUM_DOMAINS < 1 || CONFIG_NUM_DOMAINS > 16
#error "CONFIG_NUM_DOMAINS must be between 1 and 16"
#endif
#if CONFIG_NUM_DOMAIN_SCHEDULES < 2
#error "CONFIG_NUM_DOMAIN_SCHEDULES must be at least 2 (an entry and an end marker)"
#endif
#define CONFIG_RETYPE_FAN_OUT_LIMIT 256
#define CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION 100
#define CONFIG_RESET_CHUNK_BITS 8
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define CONFIG_USER_STACK_TRACE_LENGTH 16
#define CONFIG_KERNEL_STACK_BITS 13
