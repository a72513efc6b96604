/* What the OS benchmark programs share (bench/os/osbench.c, netbench.c,
 * appbench.c; docs/benchmarks.md): the instruction counters, an error
 * line, and on Linux, where a benchmark runs as /init, loading the
 * initramfs's modules, bringing the disk up and powering the machine off.
 * Portable C for Keel and Linux. */
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

/* The PMU's instructions split by where they were executed, for whole
 * program runs (bench/os/appbench.c): three counts, each where the system
 * offers it --
 *
 *   INSN_TOTAL     everything on the CPU (EL0 and EL1), as insn_now;
 *   INSN_KERNEL    at EL1 only: the kernel;
 *   INSN_PROGRAMS  at EL0 in programs only: on Linux every process (its
 *                  servers are in the kernel); on Keel the threads below
 *                  the servers' priorities, which only the `osapps`
 *                  kernel (CONFIG_BENCH_PMU_PROGRAMS) tells apart.
 *
 * insn_split_open says which (bit k for kind k; 0 without a PMU). A span
 * is counted by insn_split_start before and insn_split_end after, given
 * the span's virtual time in nanoseconds (per_operation of the counter's
 * ticks): 0 and the counts, or -1 after an error line when they cannot be
 * known. Keel's event counters have 32 bits: insn_split_start zeroes
 * them and their overflow flags, so that a set flag means one wrap at
 * least; under -icount shift=0 a span executes at most as many
 * instructions as it lasts nanoseconds, so a span shorter than 2^33 ns
 * wraps at most once. A longer one whose counters wrapped is the error.
 * Without a PMU both do nothing (the counts are 0). */
enum { INSN_TOTAL, INSN_KERNEL, INSN_PROGRAMS, INSN_KINDS };
unsigned insn_split_open(void);
void insn_split_start(void);
int insn_split_end(uint64_t span_ns, uint64_t count[INSN_KINDS]);

/* As Linux's /init: load the modules named in /lib/modules/order, in that
 * order (finit_module; one already there is no error): 0 or -1 after an
 * error line. Elsewhere nothing to do: 0. */
int load_modules(void);

/* mkdir(path, 0755), an existing one no error: 0, or -1 after an error
 * line. */
int make_dir(const char *path);

/* The disk. On Keel it is / already. On Linux, as /init: load the modules
 * of the initramfs's /lib/modules/order (virtio-mmio, virtio-blk, ext4 and
 * what they need, dependencies first: tools/setup.sh --linux-kernel), mount
 * devtmpfs on /dev, wait for /dev/vda, mount it as ext2 (ext4's driver) on
 * /mnt and make that the root, so that the paths are Keel's. Run as
 * another program on Linux, the root it has is used. 0, or -1 after an
 * error line. */
int disk_up(void);

#ifdef __linux__
/* Wait up to 5 s for `path` to exist (a device node): 0, or -1 after an
 * error line. */
int wait_for(const char *path);
#endif

/* As Linux's /init (pid 1) there is nobody to return to: power off.
 * Otherwise nothing. */
void power_off_if_init(void);

#endif
