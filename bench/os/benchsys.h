/* What the OS benchmark programs share (bench/os/osbench.c, netbench.c;
 * docs/benchmarks.md): the two instruction counters, an error line, and on
 * Linux, where a benchmark runs as /init, loading the initramfs's modules
 * and powering the machine off. Portable C for Keel and Linux. */
#ifndef BENCH_OS_BENCHSYS_H
#define BENCH_OS_BENCHSYS_H

#include <stdint.h>

/* The prefix of the lines bench_fail prints ("OSBENCH", "NETBENCH"). */
extern const char *bench_tag;

/* "<tag> ERROR what: strerror(error)" on standard output. */
void bench_fail(const char *what, int error);

/* The counter CNTVCT_EL0, the generic timer's virtual count, which both
 * kernels let EL0 read. Under QEMU's -icount shift=0 one instruction is
 * one nanosecond of virtual time, so the counter advances 1e9 /
 * CNTFRQ_EL0 instructions per tick (16 at QEMU's 62.5 MHz); while the
 * machine idles it advances with the host's real time. */
static inline uint64_t counter(void)
{
    uint64_t value;
    /* isb: the read may not be taken before earlier instructions complete. */
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value) : : "memory");
    return value;
}

uint64_t counter_frequency(void);

/* Ticks of a batch of `ops` operations -> nanoseconds (= instructions
 * under -icount shift=0) per operation, rounded to nearest. */
uint64_t per_operation(uint64_t ticks, unsigned ops, uint64_t hz);

/* The PMU's instruction counter, where the kernel offers it (Linux: perf;
 * Keel: the benchmark kernel with CONFIG_EXPORT_PMU_USER): insn_open once,
 * then insn_now around what is measured and insn_span for the count
 * between two readings, the readings' own cost taken off. Without a PMU
 * insn_available says 0 and insn_now 0. */
void insn_open(void);
int insn_available(void);
uint64_t insn_now(void);
uint64_t insn_span(uint64_t start, uint64_t end);

/* As Linux's /init: load the modules named in /lib/modules/order, in that
 * order (finit_module; one already there is no error): 0 or -1 after an
 * error line. Elsewhere nothing to do: 0. */
int load_modules(void);

#ifdef __linux__
/* Wait up to 5 s for `path` to exist (a device node): 0, or -1 after an
 * error line. */
int wait_for(const char *path);
#endif

/* As Linux's /init (pid 1) there is nobody to return to: power off.
 * Otherwise nothing. */
void power_off_if_init(void);

#endif
