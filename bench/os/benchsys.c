/* What osbench and netbench share: bench/os/benchsys.h. */
#include "benchsys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/reboot.h>
#include <sys/stat.h>
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

void power_off_if_init(void)
{
}
#endif
