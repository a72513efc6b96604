/* The fastpath check of the benchmark root task (docs/benchmarks.md,
 * "Fastpath check"). With the boot argument check-fastpath=1, on a kernel
 * built with CONFIG_FASTPATH_STATS, every benchmark whose set-up meets the
 * fastpath's preconditions reads the kernel's fastpath counters (Keel's
 * KeelFastpathStats system call) before its threads run and after they are
 * done, and checks that every Call, ReplyRecv and VM fault of the loop took
 * the fastpath: exactly as many fast entries as the loop made, and no
 * fallback to the slow path. A failure prints `BENCH CHECK FAIL ...`; the
 * summary line `BENCH CHECK <n> checked, <f> failed` comes before BENCH
 * DONE. Without check-fastpath=1 nothing here makes a system call. */
#include "bench.h"
#include <keel/gen/config.h>

/* The kernel's counters (kernel/include/fastpath.h), in x0..x5. */
struct fastpath_counts {
    seL4_Word call_fast, call_slow;
    seL4_Word reply_recv_fast, reply_recv_slow;
    seL4_Word vm_fault_fast, vm_fault_slow;
};

static bool enabled;
static struct fastpath_counts at_begin, paused_at, excluded;
static int checked, failed;

static struct fastpath_counts read_counts(void)
{
    seL4_Word r[6] = { 0 };
#if CONFIG_FASTPATH_STATS
    raw_syscall(seL4_SysKeelFastpathStats, r);
#endif
    return (struct fastpath_counts){ r[0], r[1], r[2], r[3], r[4], r[5] };
}

static struct fastpath_counts difference(struct fastpath_counts a, struct fastpath_counts b)
{
    return (struct fastpath_counts){
        a.call_fast - b.call_fast,
        a.call_slow - b.call_slow,
        a.reply_recv_fast - b.reply_recv_fast,
        a.reply_recv_slow - b.reply_recv_slow,
        a.vm_fault_fast - b.vm_fault_fast,
        a.vm_fault_slow - b.vm_fault_slow,
    };
}

static void add_to(struct fastpath_counts *sum, struct fastpath_counts d)
{
    sum->call_fast += d.call_fast;
    sum->call_slow += d.call_slow;
    sum->reply_recv_fast += d.reply_recv_fast;
    sum->reply_recv_slow += d.reply_recv_slow;
    sum->vm_fault_fast += d.vm_fault_fast;
    sum->vm_fault_slow += d.vm_fault_slow;
}

void fastpath_check_enable(void)
{
    if (!CONFIG_FASTPATH_STATS) {
        out("BENCH CHECK FAIL: check-fastpath=1 needs a kernel with CONFIG_FASTPATH_STATS\n");
        failed++;
        return;
    }
    enabled = true;
}

/* Just before the benchmark's threads run (the root task's own set-up
 * invocations, which are Calls on other caps, are done). */
void fastpath_check_begin(void)
{
    if (enabled) {
        excluded = (struct fastpath_counts){ 0 };
        at_begin = read_counts();
    }
}

/* Around system calls of the root task inside a checked loop that are not
 * part of the benchmark (invocations: Calls that never meet the fastpath's
 * preconditions). */
void fastpath_check_pause(void)
{
    if (enabled) {
        paused_at = read_counts();
    }
}

void fastpath_check_resume(void)
{
    if (enabled) {
        add_to(&excluded, difference(read_counts(), paused_at));
    }
}

static void expect_count(const char *name, const char *what, seL4_Word got, seL4_Word want,
                         bool *ok)
{
    if (got != want) {
        out("BENCH CHECK FAIL %s: %s %lu, expected %lu\n", name, what, (unsigned long)got,
            (unsigned long)want);
        *ok = false;
    }
}

/* The loop's threads are done: they made `calls` Calls, `reply_recvs`
 * ReplyRecvs and `vm_faults` VM faults, every one meeting the fastpath's
 * preconditions. */
void fastpath_check_end(const char *name, seL4_Word calls, seL4_Word reply_recvs,
                        seL4_Word vm_faults)
{
    if (!enabled) {
        return;
    }
    struct fastpath_counts d = difference(read_counts(), at_begin);
    d = difference(d, excluded);
    bool ok = true;
    expect_count(name, "Calls on the fastpath", d.call_fast, calls, &ok);
    expect_count(name, "Calls on the slow path", d.call_slow, 0, &ok);
    expect_count(name, "ReplyRecvs on the fastpath", d.reply_recv_fast, reply_recvs, &ok);
    expect_count(name, "ReplyRecvs on the slow path", d.reply_recv_slow, 0, &ok);
    expect_count(name, "VM faults on the fastpath", d.vm_fault_fast, vm_faults, &ok);
    expect_count(name, "VM faults on the slow path", d.vm_fault_slow, 0, &ok);
    checked++;
    failed += ok ? 0 : 1;
}

void fastpath_check_summary(void)
{
    if (enabled) {
        out("BENCH CHECK %d checked, %d failed\n", checked, failed);
    }
}
