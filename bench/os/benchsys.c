/* What osbench and netbench share: bench/os/benchsys.h. */
#include "benchsys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#endif

const char *bench_tag = "OSBENCH";

void bench_fail(const char *what, int error)
{
    printf("%s ERROR %s: %s\n", bench_tag, what, strerror(error));
}

uint64_t counter_frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
}

uint64_t per_operation(uint64_t ticks, unsigned ops, uint64_t hz)
{
    uint64_t divisor = hz * ops;
    return (ticks * 1000000000u + divisor / 2) / divisor;
}

/* --- the PMU's instruction counter. The counter above also advances
 * while the machine idles (under -icount QEMU's clock then runs at the
 * host's real time), e.g. while a disk request is served or a packet is
 * awaited; where the kernel offers the PMU, a second figure counts
 * instructions only: QEMU's INST_RETIRED under -icount is its executed
 * instruction count, everything on the one CPU (every process, the
 * kernel; not idle). Linux offers it through perf; Keel's benchmark
 * kernel (CONFIG_EXPORT_PMU_USER, the images bench/os/osbench.mk packs
 * for make bench-os) lets EL0 program and read event counter 0 itself,
 * which nothing else uses. The cost of two readings is measured and taken
 * off. */

static uint64_t insn_overhead; /* two readings back to back, measured */
static int insn_ready;

#ifdef __linux__
static int insn_fd = -1;

static uint64_t insn_read(void)
{
    uint64_t value = 0;
    if (read(insn_fd, &value, sizeof(value)) != (ssize_t)sizeof(value)) {
        return 0;
    }
    return value;
}

static int insn_enable(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    insn_fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
    return insn_fd >= 0;
}
#else
#define PMUSERENR_EN 1u    /* EL0 may use the PMU's registers */
#define INST_RETIRED 0x08u /* the architectural event; filter bits 0: EL0 and EL1 */

static uint64_t insn_read(void)
{
    uint64_t value;
    __asm__ volatile("isb; mrs %0, pmevcntr0_el0" : "=r"(value));
    return value;
}

/* PMUSERENR_EL0 is readable at EL0 whatever it says. */
static int insn_enable(void)
{
    uint64_t user;
    __asm__ volatile("mrs %0, pmuserenr_el0" : "=r"(user));
    if (!(user & PMUSERENR_EN)) {
        return 0;
    }
    __asm__ volatile("msr pmevtyper0_el0, %0\n"
                     "msr pmcntenset_el0, %1\n"
                     "isb" ::"r"((uint64_t)INST_RETIRED),
                     "r"((uint64_t)1));
    return 1;
}
#endif

static int insn_compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void insn_open(void)
{
    if (!insn_enable()) {
        return; /* no PMU: no second figure */
    }
    uint64_t pairs[9];
    for (unsigned i = 0; i < 9; i++) {
        uint64_t first = insn_read();
        pairs[i] = insn_read() - first;
    }
    qsort(pairs, 9, sizeof(pairs[0]), insn_compare);
    insn_overhead = pairs[4];
    insn_ready = 1;
}

int insn_available(void)
{
    return insn_ready;
}

/* The count now; 0 without a PMU (Keel's other kernels trap the read). */
uint64_t insn_now(void)
{
    return insn_ready ? insn_read() : 0;
}

uint64_t insn_span(uint64_t start, uint64_t end)
{
    uint64_t counted = end - start;
    return counted > insn_overhead ? counted - insn_overhead : 0;
}

/* --- the split (benchsys.h): three counters read together. */

static uint64_t split_start[INSN_KINDS];

#ifdef __linux__
/* perf counts each in 64 bits; as pid 1 (root) appbench may count the
 * whole CPU. A count perf had to multiplex (scale) is not exact: the
 * error. */
static int split_fd[INSN_KINDS] = { -1, -1, -1 };

static int perf_instructions(int exclude_user, int exclude_kernel)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.exclude_user = exclude_user != 0;
    attr.exclude_kernel = exclude_kernel != 0;
    attr.exclude_hv = exclude_kernel != 0;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
}

unsigned insn_split_open(void)
{
    split_fd[INSN_TOTAL] = perf_instructions(0, 0);
    split_fd[INSN_KERNEL] = perf_instructions(1, 0);
    split_fd[INSN_PROGRAMS] = perf_instructions(0, 1);
    unsigned kinds = 0;
    for (unsigned k = 0; k < INSN_KINDS; k++) {
        kinds |= split_fd[k] >= 0 ? 1u << k : 0;
    }
    return kinds;
}

/* The readings; -1 if perf multiplexed one. */
static int split_read(uint64_t reading[INSN_KINDS])
{
    int exact = 0;
    for (unsigned k = 0; k < INSN_KINDS; k++) {
        uint64_t value[3] = { 0, 0, 0 }; /* count, time enabled, time running */
        if (split_fd[k] >= 0 && read(split_fd[k], value, sizeof(value)) != (ssize_t)sizeof(value)) {
            value[0] = 0;
        }
        if (value[1] != value[2]) {
            exact = -1;
        }
        reading[k] = value[0];
    }
    return exact;
}

void insn_split_start(void)
{
    split_read(split_start);
}

int insn_split_end(uint64_t span_ns, uint64_t count[INSN_KINDS])
{
    (void)span_ns;
    uint64_t end[INSN_KINDS];
    if (split_read(end) != 0) {
        bench_fail("perf multiplexed an instruction counter", EBUSY);
        return -1;
    }
    for (unsigned k = 0; k < INSN_KINDS; k++) {
        count[k] = end[k] - split_start[k];
    }
    return 0;
}
#else
/* Event counters 0, 1 and 2 for INST_RETIRED: 0 everywhere, 1 at EL1
 * only, 2 at EL0 only; 0 and 1 are enabled here, 2 is the osapps kernel's
 * to turn on and off (arch/pmu.h): on for the programs, off for the
 * servers. On that kernel it is on whenever a program reads it, which is
 * how a program knows; other kernels never turn it on. */
#define PMEVTYPER_P (1u << 31) /* not counted at EL1 */
#define PMEVTYPER_U (1u << 30) /* not counted at EL0 */
#define PROGRAM_COUNTER 2u
#define SPLIT_COUNTERS 7u /* counters 0, 1 and 2 */
#define COUNTER_WRAP (UINT64_C(1) << 32)

static int split_ready; /* insn_split_open found the PMU */

unsigned insn_split_open(void)
{
    uint64_t user, enabled;
    __asm__ volatile("mrs %0, pmuserenr_el0" : "=r"(user));
    if (!(user & PMUSERENR_EN)) {
        return 0;
    }
    __asm__ volatile("msr pmevtyper0_el0, %1\n"
                     "msr pmevtyper1_el0, %2\n"
                     "msr pmevtyper2_el0, %3\n"
                     "msr pmcntenset_el0, %4\n"
                     "isb\n"
                     "mrs %0, pmcntenset_el0"
                     : "=r"(enabled)
                     : "r"((uint64_t)INST_RETIRED), "r"((uint64_t)(INST_RETIRED | PMEVTYPER_U)),
                       "r"((uint64_t)(INST_RETIRED | PMEVTYPER_P)), "r"((uint64_t)3));
    split_ready = 1;
    unsigned kinds = 1u << INSN_TOTAL | 1u << INSN_KERNEL;
    return kinds | ((enabled >> PROGRAM_COUNTER) & 1 ? 1u << INSN_PROGRAMS : 0);
}

static void split_read(uint64_t reading[INSN_KINDS])
{
    uint64_t total, kernel, programs;
    __asm__ volatile("isb\n"
                     "mrs %0, pmevcntr0_el0\n"
                     "mrs %1, pmevcntr1_el0\n"
                     "mrs %2, pmevcntr2_el0"
                     : "=r"(total), "=r"(kernel), "=r"(programs));
    reading[INSN_TOTAL] = total;
    reading[INSN_KERNEL] = kernel;
    reading[INSN_PROGRAMS] = programs;
}

void insn_split_start(void)
{
    if (!split_ready) {
        return; /* no PMU: the other kernels trap these registers */
    }
    __asm__ volatile("msr pmevcntr0_el0, xzr\n"
                     "msr pmevcntr1_el0, xzr\n"
                     "msr pmevcntr2_el0, xzr\n"
                     "msr pmovsclr_el0, %0\n"
                     "isb" ::"r"((uint64_t)SPLIT_COUNTERS));
    split_read(split_start);
}

int insn_split_end(uint64_t span_ns, uint64_t count[INSN_KINDS])
{
    uint64_t end[INSN_KINDS], overflowed;
    if (!split_ready) {
        memset(count, 0, INSN_KINDS * sizeof(count[0]));
        return 0;
    }
    split_read(end);
    __asm__ volatile("mrs %0, pmovsclr_el0" : "=r"(overflowed));
    for (unsigned k = 0; k < INSN_KINDS; k++) {
        int wrapped = (overflowed >> k) & 1;
        if (wrapped && span_ns >= 2 * COUNTER_WRAP) {
            bench_fail("a 32-bit PMU counter may have wrapped more than once", ERANGE);
            return -1;
        }
        uint64_t low = end[k] & (COUNTER_WRAP - 1);
        count[k] = low + (wrapped ? COUNTER_WRAP : 0) - (split_start[k] & (COUNTER_WRAP - 1));
    }
    return 0;
}
#endif

int make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        bench_fail(path, errno);
        return -1;
    }
    return 0;
}

#ifdef __linux__
int load_modules(void)
{
    FILE *order = fopen("/lib/modules/order", "r");
    if (order == NULL) {
        bench_fail("/lib/modules/order", errno);
        return -1;
    }
    char name[64], path[96];
    int result = 0;
    while (result == 0 && fscanf(order, "%63s", name) == 1) {
        snprintf(path, sizeof(path), "/lib/modules/%s.ko", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
            bench_fail(path, errno);
            result = -1;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    fclose(order);
    return result;
}

int wait_for(const char *path)
{
    struct stat st;
    const struct timespec pause = { 0, 10000000 }; /* 10 ms, 500 times */
    for (int i = 0; i < 500; i++) {
        if (stat(path, &st) == 0) {
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    bench_fail(path, ENOENT);
    return -1;
}

int disk_up(void)
{
    if (getpid() != 1) {
        return 0;
    }
    if (load_modules() != 0) {
        return -1;
    }
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0) {
        bench_fail("mount devtmpfs on /dev", errno);
        return -1;
    }
    if (wait_for("/dev/vda") != 0 || make_dir("/mnt") != 0) {
        return -1;
    }
    if (mount("/dev/vda", "/mnt", "ext2", 0, NULL) != 0) {
        bench_fail("mount /dev/vda (ext2) on /mnt", errno);
        return -1;
    }
    if (chroot("/mnt") != 0 || chdir("/") != 0) {
        bench_fail("chroot /mnt", errno);
        return -1;
    }
    return 0;
}

void power_off_if_init(void)
{
    if (getpid() == 1) {
        fflush(stdout);
        reboot(RB_POWER_OFF);
    }
}
#else
int load_modules(void)
{
    return 0;
}

int disk_up(void)
{
    return 0;
}

void power_off_if_init(void)
{
}
#endif
