/* The benchmark root task (docs/benchmarks.md). Runs on the benchmark
 * kernel (release build, EL0 may read PMCCNTR_EL0), maps the PL011 itself,
 * runs every benchmark, prints one result line per figure
 *     BENCH RESULT <name> min=<n> median=<n> max=<n> n=<samples>
 * and finally `BENCH DONE`; tools/runbench.py then stops QEMU.
 *
 * Boot arguments (QEMU -append): iterations=N (measured samples per
 * benchmark, default 1000), warmup=N (discarded first samples, default 16,
 * at least 1), threads=N (most idle-load threads of the scale benchmarks,
 * default 10000), check-fastpath=1 (bench/fastpath_check.c; needs a kernel
 * built with CONFIG_FASTPATH_STATS). */
#include "bench.h"
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/string.h>
#include <keel/tls.h>

#define R seL4_CapInitThreadCNode
#define VS seL4_CapInitThreadVSpace

#define NUM_THREADS 4
#define MAX_SAMPLES 4096
#define UART_PADDR 0x09000000ul
#define UART_VADDR 0x7f000000ul
#define MAP_VADDR 0x40000000ul   /* Page_Map benchmarks, in the root space */
#define FAULT_VADDR 0x50000000ul /* the page the fault benchmark touches, space B */
#define MAP_PAGES 2048
#define RETYPE_OBJECTS 256

#define PRIO_LOW 200                /* the sender side of the interrupt benchmarks */
#define PRIO_HIGH 210               /* a receiver that must preempt the sender */
#define PRIO_IPC (seL4_MaxPrio - 1) /* sel4bench's IPC pair and Send receiver */

/* Per-thread memory (in the image, so mapped in both spaces). */
struct bench_thread {
    uint8_t stack[16384] __attribute__((aligned(16)));
    uint8_t tls[2048] __attribute__((aligned(16)));
};
static struct bench_thread threads[NUM_THREADS];
static seL4_IPCBuffer ipcbufs[NUM_THREADS] __attribute__((aligned(4096)));

/* Counter values passed between threads. */
static struct {
    volatile uint64_t start_a, start_b, end_c;
} shared __attribute__((aligned(64)));

/* The server's FPU in an IPC benchmark (sel4bench sets its TCB flag). */
enum ipc_fpu {
    SERVER_FPU_DISABLED, /* sel4bench's ipc rows */
    SERVER_FPU_ENABLED,  /* its "(FPU)" rows: enabled, not used */
    FPU_HANDOVER,        /* both use the FPU inside the window (Keel only) */
};

/* What the threads of the running benchmark use. */
static struct {
    seL4_CPtr ep, ntfn, sgi, irq_handler;
    seL4_Word length;     /* message length for IPC */
    enum ipc_fpu fpu;     /* IPC: the server's FPU */
    bool sender_owns_fpu; /* Send: the sender's FPU state is live */
    bool roundtrip;       /* user fault: measure the round trip, not the halves */
    int total;            /* iterations including warm-up */
} job;

uint64_t samples0[MAX_SAMPLES];
static uint64_t samples1[MAX_SAMPLES], samples2[MAX_SAMPLES];

int iterations = 1000, warmup = 16;
static int max_threads = 10000;
static uint64_t overhead_stamp;    /* stamped_syscall's bracket, nop for svc */
static uint64_t overhead_stamp_fp; /* the same with FP_TOUCH after the nop */
uint64_t overhead_ccnt;            /* two back-to-back ccnt() */

static seL4_CPtr next_slot, scope_mark;
seL4_CPtr ut_scope; /* revoked after each benchmark */
static seL4_CPtr ut_persist;
static seL4_Word ut_scope_bits;
seL4_CPtr vspace_b;
static seL4_CPtr done_ntfn, park_ep;
static seL4_BootInfo *bootinfo;
extern char __keel_image_start[];

/* ---- failures, slots, objects ---- */

/* The last line: BENCH DONE, or BENCH ABORTED after an error. The release
 * kernel cannot halt QEMU for us; the root task just blocks for good. */
static __attribute__((noreturn)) void stop(bool ok)
{
    out(ok ? "BENCH DONE\n" : "BENCH ABORTED\n");
    for (;;) {
        seL4_Word r[6] = { park_ep };
        raw_syscall(seL4_SysRecv, r);
    }
}

void check_at(long err, const char *what, int line)
{
    if (err != seL4_NoError) {
        out("BENCH ERROR line %d: %s failed with %ld\n", line, what, err);
        stop(false);
    }
}

seL4_CPtr alloc_slots(seL4_Word n)
{
    seL4_CPtr s = next_slot;
    next_slot += n;
    if (next_slot >= bootinfo->empty.end) {
        out("BENCH ERROR: out of cap slots\n");
        stop(false);
    }
    return s;
}

seL4_CPtr make(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_Word count)
{
    seL4_CPtr s = alloc_slots(count);
    CHECK(seL4_Untyped_Retype(ut, type, bits, R, 0, 0, s, count));
    return s;
}

void scope_begin(void)
{
    scope_mark = next_slot;
}

void scope_end(void)
{
    CHECK(seL4_CNode_Revoke(R, ut_scope, 64));
    next_slot = scope_mark;
}

static seL4_CPtr image_frame(const void *addr)
{
    return bootinfo->userImageFrames.start +
           (((seL4_Word)addr - (seL4_Word)__keel_image_start) >> seL4_PageBits);
}

/* Map a frame, adding page tables from `ut` as the mapping needs them. */
static void map_page(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_Word attrs,
                     seL4_CPtr ut)
{
    for (int level = 0; level < 4; level++) {
        seL4_Error err = seL4_ARM_Page_Map(frame, vspace, vaddr, seL4_AllRights, attrs);
        if (err != seL4_FailedLookup) {
            CHECK(err);
            return;
        }
        seL4_CPtr pt = make(ut, seL4_ARM_PageTableObject, 0, 1);
        CHECK(seL4_ARM_PageTable_Map(pt, vspace, vaddr, seL4_ARM_Default_VMAttributes));
    }
    CHECK(seL4_FailedLookup);
}

/* ---- statistics and output ---- */

static void sort(uint64_t *a, int n)
{
    for (int gap = n / 2; gap > 0; gap /= 2) {
        for (int i = gap; i < n; i++) {
            uint64_t v = a[i];
            int j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap) {
                a[j] = a[j - gap];
            }
            a[j] = v;
        }
    }
}

/* Report samples [warm, total) of `s` (warm-up discarded). */
void report_from(const char *name, uint64_t *s, int total, int warm)
{
    uint64_t *v = s + warm;
    int n = total - warm;
    sort(v, n);
    out("BENCH RESULT %s min=%lu median=%lu max=%lu n=%d\n", name, (unsigned long)v[0],
        (unsigned long)v[n / 2], (unsigned long)v[n - 1], n);
}

static void report(const char *name, uint64_t *s)
{
    report_from(name, s, job.total, warmup);
}

uint64_t minus(uint64_t end, uint64_t start, uint64_t ovh)
{
    uint64_t d = end - start;
    return d > ovh ? d - ovh : 0;
}

/* ---- threads ---- */

static void signal_done(void)
{
    seL4_Word r[6] = { done_ntfn, msg_info(0) };
    raw_syscall(seL4_SysSend, r);
}

static __attribute__((noreturn)) void park(void)
{
    for (;;) {
        seL4_Word r[6] = { park_ep };
        raw_syscall(seL4_SysRecv, r);
    }
}

static __attribute__((noreturn)) void thread_start(seL4_Word slot, thread_fn *fn)
{
    seL4_SetIPCBuffer(&ipcbufs[slot]);
    fn((int)slot);
    signal_done();
    park();
}

/* Start `fn` as thread `slot` in `vspace` at `prio`; objects from the scope. */
seL4_CPtr start_thread(int slot, thread_fn *fn, seL4_CPtr vspace, seL4_Word prio,
                       seL4_CPtr fault_ep)
{
    seL4_CPtr tcb = make(ut_scope, seL4_TCBObject, 0, 1);
    CHECK(seL4_TCB_Configure(tcb, fault_ep, R, 0, vspace, 0, (seL4_Word)&ipcbufs[slot],
                             image_frame(&ipcbufs[slot])));
    CHECK(seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, prio));
    seL4_UserContext regs;
    memset(&regs, 0, sizeof regs);
    regs.pc = (seL4_Word)thread_start;
    regs.sp = (seL4_Word)(threads[slot].stack + sizeof threads[slot].stack);
    regs.x0 = (seL4_Word)slot;
    regs.x1 = (seL4_Word)fn;
    regs.tpidr_el0 = keel_tls_init(threads[slot].tls, sizeof threads[slot].tls);
    if (regs.tpidr_el0 == 0) {
        out("BENCH ERROR: TLS area too small\n");
        stop(false);
    }
    CHECK(seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof regs / sizeof(seL4_Word), &regs));
    return tcb;
}

void wait_done(void)
{
    seL4_Wait(done_ntfn, NULL);
}

/* sel4bench's IPC servers run with their FPU disabled (TCB flag), except in
 * the "(FPU)" rows. */
static void disable_fpu(seL4_CPtr tcb)
{
    CHECK(seL4_TCB_SetFlags(tcb, 0, seL4_TCBFlag_fpuDisabled).error);
}

/* `count` threads that spin at priorities 0, 1, ... prio_limit-1 (cyclic):
 * runnable load that never runs while the benchmark threads do. */
static void start_spinners(int count, seL4_Word prio_limit)
{
    for (int done = 0; done < count;) {
        int batch = count - done > 256 ? 256 : count - done;
        seL4_CPtr first = make(ut_scope, seL4_TCBObject, 0, (seL4_Word)batch);
        for (int i = 0; i < batch; i++, done++) {
            seL4_CPtr tcb = first + (seL4_CPtr)i;
            CHECK(seL4_TCB_Configure(tcb, 0, R, 0, VS, 0, 0, 0));
            CHECK(seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, (seL4_Word)done % prio_limit));
            seL4_UserContext regs;
            memset(&regs, 0, sizeof regs);
            regs.pc = (seL4_Word)spin_forever;
            CHECK(seL4_TCB_WriteRegisters(tcb, 1, 0, 3, &regs));
        }
    }
}

/* ---- the floor ---- */

static void bench_floor_trap(void)
{
    /* BenchmarkNullSyscall (-22, present in the benchmark kernel): the trap
     * into the kernel and straight back, nothing else. */
    volatile uint64_t start;
    for (int i = 0; i < job.total; i++) {
        seL4_Word r[6] = { 0, msg_info(0) };
        uint64_t end = stamped_syscall(-22, r, &start);
        samples0[i] = minus(end, start, overhead_stamp);
    }
    report("floor_trap", samples0);
}

/* ---- Yield ---- */

static void yielder(int slot)
{
    for (int i = 0;; i++) {
        seL4_Word r[6] = { 0 };
        uint64_t end = stamped_syscall(seL4_SysYield, r, &shared.start_a);
        if (slot == 0) {
            samples0[i] = minus(end, shared.start_a, overhead_stamp);
            if (i + 1 == job.total) {
                return;
            }
        }
    }
}

static void bench_yield(const char *name, seL4_CPtr other_space, uint64_t *into)
{
    scope_begin();
    /* sel4bench's scheduler app: both threads at the highest priority. */
    start_thread(0, yielder, VS, seL4_MaxPrio, 0);
    start_thread(1, yielder, other_space, seL4_MaxPrio, 0);
    wait_done();
    scope_end();
    memcpy(into, samples0, sizeof samples0);
    report(name, samples0);
}

/* ---- IPC Call / ReplyRecv (sel4bench's ipc app) ---- */

/* The client's FPU state is live, as in sel4bench: its FPU is enabled and
 * seL4 loads it whenever the client runs; here the client touches FP/SIMD
 * once and owns the FPU from then on (the server never takes it). With
 * FPU_HANDOVER the server uses the FPU too, and each one-way figure lasts
 * until the receiving thread's first FP/SIMD instruction has run: the FPU
 * changes hands with the CPU (seL4 16 switches it eagerly inside the IPC
 * whenever the receiver's FPU is enabled, Keel at that instruction). */
static void ipc_client(int slot)
{
    seL4_IPCBuffer *buf = &ipcbufs[slot];
    enum stamp_kind kind = job.fpu == FPU_HANDOVER ? STAMP_BOTH_FP : STAMP_BOTH;
    uint64_t overhead = job.fpu == FPU_HANDOVER ? overhead_stamp_fp : overhead_stamp;
    touch_fpu(0);
    for (int i = 0; i < job.total; i++) {
        for (seL4_Word k = seL4_FastMessageRegisters; k < job.length; k++) {
            buf->msg[k] = (seL4_Word)i;
        }
        seL4_Word r[6] = { job.ep, msg_info(job.length), 1, 2, 3, 4 };
        uint64_t end = bench_svc(kind, seL4_SysCall, r, &shared.start_a);
        samples1[i] = minus(end, shared.start_b, overhead);
    }
}

/* Replies with a message as long as the call's, as sel4bench's server does. */
static void ipc_server(int slot)
{
    (void)slot;
    enum stamp_kind kind = job.fpu == FPU_HANDOVER ? STAMP_BOTH_FP : STAMP_BOTH;
    uint64_t overhead = job.fpu == FPU_HANDOVER ? overhead_stamp_fp : overhead_stamp;
    seL4_Word r[6] = { job.ep };
    volatile uint64_t ignored;
    uint64_t end = bench_svc(kind, seL4_SysRecv, r, &ignored);
    for (int i = 0;; i++) {
        if (i < job.total) {
            samples0[i] = minus(end, shared.start_a, overhead);
        }
        seL4_Word rr[6] = { job.ep, msg_info(job.length) };
        end = bench_svc(kind, seL4_SysReplyRecv, rr, &shared.start_b);
    }
}

/* One Call/ReplyRecv pair at priority `prio`: the client in the root space,
 * the server in `server_space`; samples0 = Call one-way, samples1 =
 * ReplyRecv one-way. Every Call and ReplyRecv of the loop meets the
 * fastpath's preconditions (checked with check-fastpath=1). */
static void run_ipc_pair(const char *name, seL4_CPtr server_space, seL4_Word length,
                         enum ipc_fpu fpu, seL4_Word prio)
{
    job.ep = make(ut_scope, seL4_EndpointObject, 0, 1);
    job.length = length;
    job.fpu = fpu;
    /* Resume queues a thread at the head of its queue: the server, resumed
     * last, runs first and waits in Recv before the client's first Call. */
    start_thread(0, ipc_client, VS, prio, 0);
    seL4_CPtr server = start_thread(1, ipc_server, server_space, prio, 0);
    if (fpu == SERVER_FPU_DISABLED) {
        disable_fpu(server);
    }
    fastpath_check_begin();
    wait_done();
    fastpath_check_end(name, (seL4_Word)job.total, (seL4_Word)job.total, 0);
}

static void bench_ipc(void)
{
    scope_begin();
    run_ipc_pair("ipc_call", vspace_b, 0, SERVER_FPU_DISABLED, PRIO_IPC);
    scope_end();
    report("ipc_call", samples0);
    report("ipc_replyrecv", samples1);

    scope_begin();
    run_ipc_pair("ipc_call_same_as", VS, 0, SERVER_FPU_DISABLED, PRIO_IPC);
    scope_end();
    report("ipc_call_same_as", samples0);
    report("ipc_replyrecv_same_as", samples1);

    scope_begin();
    run_ipc_pair("ipc_call_10", vspace_b, 10, SERVER_FPU_DISABLED, PRIO_IPC);
    scope_end();
    report("ipc_call_10", samples0);
    report("ipc_replyrecv_10", samples1);

    scope_begin();
    run_ipc_pair("ipc_call_fpu", vspace_b, 0, SERVER_FPU_ENABLED, PRIO_IPC);
    scope_end();
    report("ipc_call_fpu", samples0);
    report("ipc_replyrecv_fpu", samples1);

    scope_begin();
    run_ipc_pair("ipc_call_fpu_handover", vspace_b, 0, FPU_HANDOVER, PRIO_IPC);
    scope_end();
    report("ipc_call_fpu_handover", samples0);
    report("ipc_replyrecv_fpu_handover", samples1);
}

/* IPC one-way cost with other runnable threads in the system. */
static void bench_scale(void)
{
    static const int counts[] = { 1, 100, 10000 };
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int n = counts[c] < max_threads ? counts[c] : max_threads;
        /* Two TCBs per 4 KiB; keep half of the scope untyped for the rest. */
        int room = (int)((1ul << ut_scope_bits) / 2 >> seL4_TCBBits);
        if (n > room) {
            n = room;
        }
        char name[48];
        snprintf(name, sizeof name, "ipc_call_%d_threads", counts[c]);
        scope_begin();
        start_spinners(n, PRIO_IPC);
        run_ipc_pair(name, vspace_b, 0, SERVER_FPU_DISABLED, PRIO_IPC);
        scope_end();
        if (n != counts[c]) {
            out("BENCH NOTE %s ran with %d other threads\n", name, n);
        }
        report(name, samples0);
    }
    /* A runnable thread at every priority below the pair, the pair at the top. */
    scope_begin();
    start_spinners(seL4_MaxPrio, seL4_MaxPrio);
    run_ipc_pair("ipc_call_256_prios", vspace_b, 0, SERVER_FPU_DISABLED, seL4_MaxPrio);
    scope_end();
    report("ipc_call_256_prios", samples0);
}

/* ---- Send, notifications, interrupts ---- */

static void sender(int slot)
{
    (void)slot;
    if (job.sender_owns_fpu) {
        touch_fpu(0);
    }
    for (int i = 0; i < job.total; i++) {
        seL4_Word r[6] = { job.ep, msg_info(0) };
        stamped_syscall(seL4_SysSend, r, &shared.start_a);
    }
}

/* Receive on job.ep (an endpoint or notification); the i-th sample is the
 * time from shared.start_a to the return. */
static void recv_sample(int i)
{
    volatile uint64_t ignored;
    seL4_Word r[6] = { job.ep };
    uint64_t end = stamped_syscall(seL4_SysRecv, r, &ignored);
    if (i < job.total) {
        samples0[i] = minus(end, shared.start_a, overhead_stamp);
    }
}

/* Receives job.ep forever; Acks the IRQ handler after each message if
 * there is one. */
static void receiver(int slot)
{
    (void)slot;
    for (int i = 0;; i++) {
        recv_sample(i);
        if (job.irq_handler != 0) {
            seL4_IRQHandler_Ack(job.irq_handler);
        }
    }
}

/* job.ep is what the sender sends on and the receiver receives on. */
static void run_send_pair(seL4_CPtr receiver_space, seL4_Word sender_prio, seL4_Word receiver_prio)
{
    seL4_CPtr rx = start_thread(1, receiver, receiver_space, receiver_prio, 0);
    if (job.sender_owns_fpu) {
        disable_fpu(rx); /* sel4bench's ipc app, as for the IPC pair */
    }
    start_thread(0, sender, VS, sender_prio, 0);
    wait_done();
}

/* sel4bench's scheduler benchmark: the high thread (priority 1) signals
 * `produce` (the low thread, priority 0, is runnable, not waiting: the
 * notification stays active), stamps the counter and waits on `consume`;
 * the kernel runs the low thread, which returns from its earlier Signal,
 * loops, completes a Wait on the active `produce` without blocking, and
 * reads the counter; then it signals `consume`, which switches straight
 * back to the high thread. The window holds two kernel entries (the
 * blocking Wait with the switch down, the non-blocking Wait) and the low
 * thread's few loop instructions between them, as sel4bench's does. */
static void sched_high(int slot)
{
    (void)slot;
    for (int i = 0; i < job.total; i++) {
        seL4_Word produce[6] = { job.ep, msg_info(0) };
        raw_syscall(seL4_SysSend, produce);
        seL4_Word consume[6] = { job.ntfn };
        stamped_syscall(seL4_SysRecv, consume, &shared.start_a);
    }
}

static void sched_low(int slot)
{
    (void)slot;
    for (int i = 0;; i++) {
        seL4_Word produce[6] = { job.ep };
        uint64_t end = bench_svc(STAMP_AFTER_ONLY, seL4_SysRecv, produce, NULL);
        if (i < job.total) {
            samples0[i] = minus(end, shared.start_a, overhead_stamp);
        }
        seL4_Word consume[6] = { job.ntfn, msg_info(0) };
        raw_syscall(seL4_SysSend, consume);
    }
}

/* The high thread in `high_space` (sel4bench: a thread of the benchmark's
 * own process, or a process of its own), the low one in the root space. */
static void bench_sched(const char *name, seL4_CPtr high_space)
{
    scope_begin();
    job.ep = make(ut_scope, seL4_NotificationObject, 0, 1);   /* produce */
    job.ntfn = make(ut_scope, seL4_NotificationObject, 0, 1); /* consume */
    start_thread(1, sched_low, VS, seL4_MinPrio, 0);
    start_thread(0, sched_high, high_space, seL4_MinPrio + 1, 0);
    wait_done();
    scope_end();
    report(name, samples0);
}

static void bench_send_signal(void)
{
    /* sel4bench's ipc app: Send from priority 253 to a receiver at 254 in
     * another address space waiting in Recv. */
    scope_begin();
    job.ep = make(ut_scope, seL4_EndpointObject, 0, 1);
    job.sender_owns_fpu = true;
    run_send_pair(vspace_b, PRIO_IPC - 1, PRIO_IPC);
    job.sender_owns_fpu = false;
    scope_end();
    report("ipc_send", samples0);

    /* sel4bench's signal app: Signal from priority 254 to a thread of the
     * same address space at 255 waiting on the notification. */
    scope_begin();
    job.ep = make(ut_scope, seL4_NotificationObject, 0, 1);
    run_send_pair(VS, seL4_MaxPrio - 1, seL4_MaxPrio);
    scope_end();
    report("signal_to_higher", samples0);

    bench_sched("sched_wait_to_lower", VS);
    bench_sched("sched_wait_to_lower_other_as", vspace_b);

    /* Signal with no thread switch: nobody waits on the notification. */
    scope_begin();
    seL4_CPtr ntfn = make(ut_scope, seL4_NotificationObject, 0, 1);
    volatile uint64_t start;
    for (int i = 0; i < job.total; i++) {
        seL4_Word r[6] = { ntfn, msg_info(0) };
        uint64_t end = stamped_syscall(seL4_SysSend, r, &start);
        samples0[i] = minus(end, start, overhead_stamp);
        seL4_Word p[6] = { ntfn };
        raw_syscall(seL4_SysNBRecv, p);
    }
    scope_end();
    report("signal", samples0);
}

/* Interrupt raised by a system call: the trigger raises SGI 1 through an
 * SGI-signal cap; the kernel delivers it to the notification the driver
 * (receiver) waits on. Counter before the Send on the SGI cap, after the
 * driver's Wait returns: a system call plus the interrupt delivery. */
static seL4_CPtr irq_sgi_cap;

static void irq_trigger(int slot)
{
    (void)slot;
    for (int i = 0; i < job.total; i++) {
        seL4_Word r[6] = { irq_sgi_cap, msg_info(0) };
        stamped_syscall(seL4_SysSend, r, &shared.start_a);
    }
}

static void bench_irq_sgi(void)
{
    scope_begin();
    job.ep = make(ut_scope, seL4_NotificationObject, 0, 1);
    seL4_CPtr handler = alloc_slots(1);
    CHECK(seL4_IRQControl_Get(seL4_CapIRQControl, 1, R, handler, 64));
    CHECK(seL4_IRQHandler_SetNotification(handler, job.ep));
    irq_sgi_cap = alloc_slots(1);
    CHECK(seL4_IRQControl_IssueSGISignal(seL4_CapIRQControl, 1, 0, R, irq_sgi_cap, 64));
    job.irq_handler = handler;
    start_thread(1, receiver, vspace_b, PRIO_HIGH, 0);
    start_thread(0, irq_trigger, VS, PRIO_LOW, 0);
    wait_done();
    /* Not derived from the scope untyped: deleted by hand (IRQ 1 is free again). */
    CHECK(seL4_CNode_Delete(R, irq_sgi_cap, 64));
    CHECK(seL4_CNode_Delete(R, handler, 64));
    scope_end();
    job.irq_handler = 0;
    report("irq_sgi_raise", samples0);
}

/* irq_user_uart: an asynchronous device interrupt raised by a store (the
 * timer figure, irq_user, is sel4bench's method: irq_timer.c), from the
 * interrupt arriving while a low-priority thread runs to the driver thread
 * running. The device is the PL011's transmit interrupt (SPI 1, IRQ 33,
 * level). Its raw status (UARTRIS.TXRIS) is set by every character written
 * and, on QEMU, stays set until cleared through UARTICR, which we never do;
 * so unmasking it in UARTIMSC asserts the line at once, and masking it again
 * withdraws it. The spinner (root space, low priority) stores the counter,
 * then unmasks TXIM: one store raises the interrupt. The driver (space B,
 * high priority) waits on the notification of IRQ handler 33 and reads the
 * counter as soon as its Wait returns; then, unmeasured, it masks TXIM (the
 * line drops) and acknowledges the IRQ. The trigger store plays the part
 * of the `svc` of the other figures, so the same bracket overhead is
 * subtracted. */
#define UART_IMSC 0x038 /* interrupt mask set/clear */
#define UART_RIS 0x03c  /* raw interrupt status */
#define UART_TXIM (1u << 5)
#define UART_FRAME_VADDR ((volatile uint32_t *)UART_VADDR)

static seL4_CPtr uart_frame;   /* the PL011 frame cap (root space mapping) */
static uint32_t uart_imsc_off; /* IMSC as found: TX masked */

static void irq_spinner(int slot)
{
    (void)slot;
    volatile uint32_t *imsc = UART_FRAME_VADDR + UART_IMSC / 4;
    uint32_t on = uart_imsc_off | UART_TXIM;
    for (int i = 0; i < job.total; i++) {
        __asm__ volatile("isb\n\t"
                         "mrs x9, pmccntr_el0\n\t"
                         "str x9, [%[st]]\n\t"
                         "str %w[on], [%[imsc]]"
                         :
                         : [st] "r"(&shared.start_a), [on] "r"(on), [imsc] "r"(imsc)
                         : "x9", "memory");
    }
}

static void irq_driver(int slot)
{
    (void)slot;
    for (int i = 0;; i++) {
        recv_sample(i);
        UART_FRAME_VADDR[UART_IMSC / 4] = uart_imsc_off;
        seL4_IRQHandler_Ack(job.irq_handler);
    }
}

static void bench_irq_user(void)
{
    volatile uint32_t *uart = UART_FRAME_VADDR;
    uart_imsc_off = uart[UART_IMSC / 4] & ~UART_TXIM;
    if (!(uart[UART_RIS / 4] & UART_TXIM)) {
        out("BENCH ERROR: PL011 TX raw interrupt status is not set\n");
        stop(false);
    }
    /* The driver in space B needs the device page too (kept for good). */
    static bool mapped_in_b;
    if (!mapped_in_b) {
        seL4_CPtr copy = alloc_slots(1);
        CHECK(seL4_CNode_Copy(R, copy, 64, R, uart_frame, 64, seL4_AllRights));
        map_page(copy, vspace_b, UART_VADDR, 0, ut_persist);
        mapped_in_b = true;
    }
    scope_begin();
    job.ep = make(ut_scope, seL4_NotificationObject, 0, 1);
    seL4_CPtr handler = alloc_slots(1);
    CHECK(seL4_IRQControl_GetTrigger(seL4_CapIRQControl, 33, 0, R, handler, 64));
    CHECK(seL4_IRQHandler_SetNotification(handler, job.ep));
    job.irq_handler = handler;
    start_thread(1, irq_driver, vspace_b, PRIO_HIGH, 0);
    start_thread(0, irq_spinner, VS, PRIO_LOW, 0);
    wait_done();
    CHECK(seL4_CNode_Delete(R, handler, 64)); /* IRQ 33 is free again */
    scope_end();
    job.irq_handler = 0;
    report("irq_user_uart", samples0);
}

static void bench_irq(void)
{
    bench_irq_sgi();
    bench_irq_user();
    bench_irq_timer();
}

/* ---- fault round trip (sel4bench's fault app) ---- */

/* The faulter (priority 1) executes an undefined instruction: a
 * UserException for its handler (priority 0, same address space) waiting
 * on the fault endpoint, which replies through ReplyRecv with one message
 * word, the new PC: the instruction after the faulting one. Counter before
 * the `udf` (the trapping instruction, replaced by a nop in the bracket
 * overhead), after the faulter runs again (round trip; fault_reply: from
 * the handler's counter before its ReplyRecv). */
static void user_faulter(int slot)
{
    (void)slot;
    for (int i = 0; i < job.total; i++) {
        uint64_t end;
        __asm__ volatile(BENCH_STAMP "udf #0\n\t" BENCH_READ
                         : [end] "=r"(end)
                         : [st] "r"(&shared.start_a)
                         : "x9", "memory");
        if (job.roundtrip) {
            samples0[i] = minus(end, shared.start_a, overhead_stamp);
        } else {
            samples2[i] = minus(end, shared.start_b, overhead_stamp);
        }
    }
}

/* The handler for the two halves: fault_delivery from the faulter's counter
 * to the handler's ReplyRecv (or first Recv) returning with the fault,
 * fault_reply from the handler's counter before its ReplyRecv. MR0 of the
 * fault message is the faulting PC (ABI 7.6). */
static void user_fault_handler(int slot)
{
    (void)slot;
    seL4_Word r[6] = { job.ep };
    uint64_t end = bench_svc(STAMP_AFTER_ONLY, seL4_SysRecv, r, NULL);
    seL4_Word fault_pc = r[2];
    for (int i = 0;; i++) {
        if (i < job.total) {
            samples1[i] = minus(end, shared.start_a, overhead_stamp);
        }
        seL4_Word rr[6] = { job.ep, msg_info(1), fault_pc + 4 };
        end = stamped_syscall(seL4_SysReplyRecv, rr, &shared.start_b);
        fault_pc = rr[2];
    }
}

/* The handler for the round trip: no counter at all, and only what it must
 * do between receiving a fault and replying, in the window: five user
 * instructions (the branch, the new PC, the three argument registers) and
 * its `svc`. */
static void user_fault_handler_roundtrip(int slot)
{
    (void)slot;
    seL4_Word r[6] = { job.ep };
    raw_syscall(seL4_SysRecv, r);
    register seL4_Word x2 __asm__("x2") = r[2];
    __asm__ volatile(
        "1:\n\t"
        "add x2, x2, #4\n\t"
        "mov x0, %[ep]\n\t"
        "mov x1, %[info]\n\t"
        "mov x7, %[number]\n\t"
        "svc #0\n\t"
        "b 1b"
        : "+r"(x2)
        : [ep] "r"(job.ep), [info] "r"(msg_info(1)), [number] "r"((long)seL4_SysReplyRecv)
        : "x0", "x1", "x3", "x4", "x5", "x6", "x7", "memory");
    __builtin_unreachable();
}

static void run_user_fault(thread_fn *handler, bool roundtrip)
{
    scope_begin();
    job.ep = make(ut_scope, seL4_EndpointObject, 0, 1);
    job.roundtrip = roundtrip;
    start_thread(1, handler, VS, seL4_MinPrio, 0);
    start_thread(0, user_faulter, VS, seL4_MinPrio + 1, job.ep);
    wait_done();
    scope_end();
}

static void bench_user_fault(void)
{
    run_user_fault(user_fault_handler_roundtrip, true);
    report("fault_roundtrip", samples0);
    run_user_fault(user_fault_handler, false);
    report("fault_delivery", samples1);
    report("fault_reply", samples2);
}

/* ---- VM fault round trip (Keel only: its fault fastpath) ---- */

static void vm_faulter(int slot)
{
    (void)slot;
    for (;;) {
        uint64_t value, end;
        __asm__ volatile(BENCH_STAMP "ldr %[v], [%[p]]\n\t" BENCH_READ
                         : [v] "=&r"(value), [end] "=&r"(end)
                         : [st] "r"(&shared.start_a), [p] "r"(FAULT_VADDR)
                         : "x9", "memory");
        (void)value;
        shared.end_c = end;
        seL4_Word r[6] = { job.ep, msg_info(0) };
        raw_syscall(seL4_SysCall, r); /* "unmap it again" */
    }
}

/* The root task is the fault handler. Samples: fault delivery (faulter's
 * counter before the access to the handler running) plus reply (handler's
 * counter before ReplyRecv to the faulter running again). Between the two
 * halves the handler maps the page, unmeasured; it unmaps it afterwards.
 * Per iteration the faulter makes a VM fault and a Call, the handler two
 * ReplyRecvs, all on the fastpath; the handler's invocations are not part
 * of the check. */
static void bench_vm_fault(void)
{
    scope_begin();
    job.ep = make(ut_scope, seL4_EndpointObject, 0, 1);
    seL4_CPtr frame = make(ut_scope, seL4_ARM_SmallPageObject, 0, 1);
    start_thread(0, vm_faulter, vspace_b, PRIO_LOW, job.ep);
    fastpath_check_begin();
    volatile uint64_t ignored;
    seL4_Word r[6] = { job.ep };
    uint64_t delivered = stamped_syscall(seL4_SysRecv, r, &ignored);
    for (int i = 0; i < job.total; i++) {
        uint64_t there = minus(delivered, shared.start_a, overhead_stamp);
        fastpath_check_pause();
        map_page(frame, vspace_b, FAULT_VADDR, seL4_ARM_Default_VMAttributes, ut_scope);
        fastpath_check_resume();
        seL4_Word rr[6] = { job.ep, msg_info(0) };
        stamped_syscall(seL4_SysReplyRecv, rr, &shared.start_b);
        uint64_t back = minus(shared.end_c, shared.start_b, overhead_stamp);
        samples0[i] = there + back;
        samples1[i] = there;
        samples2[i] = back;
        fastpath_check_pause();
        CHECK(seL4_ARM_Page_Unmap(frame));
        fastpath_check_resume();
        seL4_Word rn[6] = { job.ep, msg_info(0) };
        delivered = stamped_syscall(seL4_SysReplyRecv, rn, &ignored);
    }
    seL4_Word n = (seL4_Word)job.total;
    fastpath_check_end("vm_fault_roundtrip", n, 2 * n, n + 1);
    scope_end();
    report("vm_fault_roundtrip", samples0);
    report("vm_fault_delivery", samples1);
    report("vm_fault_reply", samples2);
}

/* ---- VSpace and untyped operations ---- */

static int heavy_total(void)
{
    int n = iterations / 16;
    if (n < 2) {
        n = 2;
    }
    return n + 1; /* one warm-up */
}

static void bench_map(void)
{
    scope_begin();
    seL4_CPtr frames = alloc_slots(MAP_PAGES);
    for (int k = 0; k < MAP_PAGES; k += 256) {
        CHECK(seL4_Untyped_Retype(ut_scope, seL4_ARM_SmallPageObject, 0, R, 0, 0,
                                  frames + (seL4_CPtr)k, 256));
    }
    /* Page tables for the whole range first: mapping, not table building, is measured. */
    for (seL4_Word off = 0; off < (seL4_Word)MAP_PAGES << seL4_PageBits; off += 1ul << 21) {
        map_page(frames, VS, MAP_VADDR + off, seL4_ARM_Default_VMAttributes, ut_scope);
        CHECK(seL4_ARM_Page_Unmap(frames));
    }
    for (int i = 0; i < job.total; i++) {
        uint64_t t0 = ccnt();
        seL4_Error e =
            seL4_ARM_Page_Map(frames, VS, MAP_VADDR, seL4_AllRights, seL4_ARM_Default_VMAttributes);
        uint64_t t1 = ccnt();
        CHECK(e);
        e = seL4_ARM_Page_Unmap(frames);
        uint64_t t2 = ccnt();
        CHECK(e);
        samples0[i] = minus(t1, t0, overhead_ccnt);
        samples1[i] = minus(t2, t1, overhead_ccnt);
    }
    report("map_1", samples0);
    report("unmap_1", samples1);
    int total = heavy_total();
    for (int i = 0; i < total; i++) {
        seL4_Error e = seL4_NoError;
        uint64_t t0 = ccnt();
        for (int k = 0; k < MAP_PAGES; k++) {
            e |= seL4_ARM_Page_Map(frames + (seL4_CPtr)k, VS, MAP_VADDR + ((seL4_Word)k << 12),
                                   seL4_AllRights, seL4_ARM_Default_VMAttributes);
        }
        uint64_t t1 = ccnt();
        for (int k = 0; k < MAP_PAGES; k++) {
            e |= seL4_ARM_Page_Unmap(frames + (seL4_CPtr)k);
        }
        uint64_t t2 = ccnt();
        CHECK(e);
        samples0[i] = minus(t1, t0, overhead_ccnt);
        samples1[i] = minus(t2, t1, overhead_ccnt);
    }
    scope_end();
    report_from("map_2048", samples0, total, 1);
    report_from("unmap_2048", samples1, total, 1);
}

static void bench_retype(void)
{
    scope_begin();
    seL4_CPtr ut = make(ut_scope, seL4_UntypedObject, 16, 1);
    seL4_CPtr dest = alloc_slots(RETYPE_OBJECTS);
    for (int i = 0; i < job.total; i++) {
        uint64_t t0 = ccnt();
        seL4_Error e = seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, R, 0, 0, dest, 1);
        uint64_t t1 = ccnt();
        CHECK(e);
        CHECK(seL4_CNode_Revoke(R, ut, 64));
        samples0[i] = minus(t1, t0, overhead_ccnt);
    }
    report("retype_1", samples0);
    int total = heavy_total();
    for (int i = 0; i < total; i++) {
        uint64_t t0 = ccnt();
        seL4_Error e =
            seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, R, 0, 0, dest, RETYPE_OBJECTS);
        uint64_t t1 = ccnt();
        CHECK(e);
        uint64_t t2 = ccnt();
        e = seL4_CNode_Revoke(R, ut, 64);
        uint64_t t3 = ccnt();
        CHECK(e);
        samples0[i] = minus(t1, t0, overhead_ccnt);
        samples1[i] = minus(t3, t2, overhead_ccnt);
    }
    scope_end();
    report_from("retype_256", samples0, total, 1);
    report_from("revoke_256", samples1, total, 1);
}

/* ---- set-up ---- */

static int bootarg_int(const char *key, int fallback)
{
    size_t len;
    const char *v = keel_bootarg(key, &len);
    if (v == NULL || len == 0) {
        return fallback;
    }
    int n = 0;
    for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        n = n * 10 + (v[i] - '0');
    }
    return n;
}

/* Split the device untyped covering the PL011 down to its 4 KiB frame and
 * map that (uncached) in the root space. */
static bool map_uart(void)
{
    seL4_BootInfo *bi = bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || UART_PADDR < d->paddr ||
            UART_PADDR - d->paddr >= (1ul << d->sizeBits)) {
            continue;
        }
        seL4_CPtr ut = bi->untyped.start + i;
        seL4_Word base = d->paddr, bits = d->sizeBits;
        while (bits > seL4_PageBits) {
            seL4_CPtr halves = alloc_slots(2);
            if (seL4_Untyped_Retype(ut, seL4_UntypedObject, bits - 1, R, 0, 0, halves, 2) != 0) {
                return false;
            }
            bits--;
            bool upper = UART_PADDR >= base + (1ul << bits);
            ut = halves + (upper ? 1 : 0);
            base += upper ? (1ul << bits) : 0;
        }
        seL4_CPtr frame = alloc_slots(1);
        if (seL4_Untyped_Retype(ut, seL4_ARM_SmallPageObject, 0, R, 0, 0, frame, 1) != 0 ||
            seL4_ARM_Page_GetAddress(frame).paddr != UART_PADDR) {
            return false;
        }
        map_page(frame, VS, UART_VADDR, 0, ut_persist);
        uart_frame = frame;
        uart_init((volatile uint32_t *)UART_VADDR);
        return true;
    }
    return false;
}

/* Space B: a second VSpace mapping every image frame at the same address. */
static void make_space_b(void)
{
    vspace_b = make(ut_persist, seL4_ARM_VSpaceObject, 0, 1);
    CHECK(seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace_b));
    seL4_Word n = bootinfo->userImageFrames.end - bootinfo->userImageFrames.start;
    for (seL4_Word k = 0; k < n; k++) {
        seL4_CPtr copy = alloc_slots(1);
        CHECK(seL4_CNode_Copy(R, copy, 64, R, bootinfo->userImageFrames.start + k, 64,
                              seL4_AllRights));
        map_page(copy, vspace_b, (seL4_Word)__keel_image_start + (k << seL4_PageBits),
                 seL4_ARM_Default_VMAttributes, ut_persist);
    }
}

static void find_untypeds(void)
{
    seL4_BootInfo *bi = bootinfo;
    seL4_Word best = 0, second = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice) {
            continue;
        }
        if (d->sizeBits > best) {
            second = best;
            ut_persist = ut_scope;
            best = d->sizeBits;
            ut_scope = bi->untyped.start + i;
        } else if (d->sizeBits > second) {
            second = d->sizeBits;
            ut_persist = bi->untyped.start + i;
        }
    }
    ut_scope_bits = best;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* The instructions of the measured brackets themselves, with `nop` where
 * the trapping instruction goes (sel4bench subtracts its overheads the same
 * way): the smallest of 64 runs (the first FP_TOUCH traps once, making the
 * root task the FPU owner). */
static void measure_overheads(void)
{
    overhead_stamp = overhead_stamp_fp = overhead_ccnt = ~0ull;
    for (int i = 0; i < 64; i++) {
        volatile uint64_t start;
        uint64_t end;
        __asm__ volatile(BENCH_STAMP "nop\n\t" BENCH_READ
                         : [end] "=r"(end)
                         : [st] "r"(&start)
                         : "x9", "memory");
        overhead_stamp = min_u64(overhead_stamp, end - start);
        __asm__ volatile(BENCH_STAMP "nop\n\t" FP_TOUCH BENCH_READ
                         : [end] "=r"(end)
                         : [st] "r"(&start)
                         : "x9", "memory");
        overhead_stamp_fp = min_u64(overhead_stamp_fp, end - start);
        uint64_t a = ccnt();
        uint64_t b = ccnt();
        overhead_ccnt = min_u64(overhead_ccnt, b - a);
    }
}

int main(void)
{
    bootinfo = keel_bootinfo();
    next_slot = bootinfo->empty.start;
    find_untypeds();
    park_ep = make(ut_persist, seL4_EndpointObject, 0, 1);
    if (!map_uart()) {
        stop(false); /* nothing can be printed */
    }
    iterations = bootarg_int("iterations", iterations);
    warmup = bootarg_int("warmup", warmup);
    max_threads = bootarg_int("threads", max_threads);
    if (iterations < 1) {
        iterations = 1;
    }
    if (warmup < 1) {
        warmup = 1; /* the first sample of a pair includes its threads' start */
    }
    if (warmup + iterations > MAX_SAMPLES) {
        iterations = MAX_SAMPLES - warmup;
    }
    job.total = warmup + iterations;
    out("BENCH START iterations=%d warmup=%d threads=%d\n", iterations, warmup, max_threads);
    if (bootarg_int("check-fastpath", 0) != 0) {
        fastpath_check_enable();
    }

    done_ntfn = make(ut_persist, seL4_NotificationObject, 0, 1);
    make_space_b();
    measure_overheads();
    out("BENCH NOTE counter overhead: stamped %lu (with FP %lu), back-to-back %lu (subtracted)\n",
        (unsigned long)overhead_stamp, (unsigned long)overhead_stamp_fp,
        (unsigned long)overhead_ccnt);

    static uint64_t yield_same[MAX_SAMPLES], yield_other[MAX_SAMPLES];
    bench_floor_trap();
    memcpy(samples2, samples0, sizeof samples2);
    bench_yield("yield", VS, yield_same);
    bench_yield("yield_other_as", vspace_b, yield_other);
    /* floor_switch: the null trap plus what switching to another address
     * space adds to a thread switch (see docs/benchmarks.md). */
    for (int i = 0; i < job.total; i++) {
        samples0[i] = samples2[i] + yield_other[i] - yield_same[i];
    }
    report("floor_switch", samples0);

    bench_ipc();
    bench_send_signal();
    bench_irq();
    bench_user_fault();
    bench_vm_fault();
    bench_map();
    bench_retype();
    bench_scale();
    fastpath_check_summary();
    stop(true);
}
