/* The benchmark root task (docs/benchmarks.md): shared declarations.
 *
 * Every thread the benchmarks start runs code of this one image. The second
 * address space ("space B") maps the same frames at the same addresses, so
 * globals are shared memory between all threads in both spaces; each thread
 * has its own stack, TLS block and IPC buffer (struct bench_thread). */
#pragma once

#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>

/* Read the cycle counter (one count per instruction under -icount shift=0). */
static inline uint64_t ccnt(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrs %0, pmccntr_el0" : "=r"(v) : : "memory");
    return v;
}

/* The instruction that makes a thread's FP/SIMD state live: fmov d0, xzr,
 * encoded by hand because this code is built with -mgeneral-regs-only. On a
 * thread that is not the FPU owner it traps, and the kernel hands the FPU
 * over (kernel/arch/aarch64/fpu.c). */
#define FP_TOUCH ".inst 0x9e6703e0\n\t"

/* The measured system calls: x0..x5 go in and come back in r[], x7 holds
 * the number. No libkeel code (and no TLS) runs inside the measured window.
 * Every variant is one asm block around `svc #0`; the bracket's own
 * instructions are measured by the same block with `nop` in place of the
 * `svc` (bench/main.c, measure_overheads) and subtracted, as sel4bench
 * subtracts its overhead. */
#define BENCH_SVC_OPERANDS                                                                         \
    : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x7), [end] "=r"(end) \
    : [st] "r"(start)                                                                          \
    : "x9", "memory"
#define BENCH_STAMP "isb\n\tmrs x9, pmccntr_el0\n\tstr x9, [%[st]]\n\t"
#define BENCH_READ "isb\n\tmrs %[end], pmccntr_el0"

enum stamp_kind {
    STAMP_BOTH,       /* counter to *start before the trap, returned after it */
    STAMP_BOTH_FP,    /* the same, with FP_TOUCH right after the trap */
    STAMP_AFTER_ONLY, /* counter only returned after the trap (start unused) */
    STAMP_NONE,       /* no counter (the result is 0) */
};

static inline __attribute__((always_inline)) uint64_t
bench_svc(enum stamp_kind kind, long number, seL4_Word r[6], volatile uint64_t *start)
{
    register seL4_Word x0 __asm__("x0") = r[0];
    register seL4_Word x1 __asm__("x1") = r[1];
    register seL4_Word x2 __asm__("x2") = r[2];
    register seL4_Word x3 __asm__("x3") = r[3];
    register seL4_Word x4 __asm__("x4") = r[4];
    register seL4_Word x5 __asm__("x5") = r[5];
    register long x7 __asm__("x7") = number;
    uint64_t end;
    if (kind == STAMP_BOTH) {
        __asm__ volatile(BENCH_STAMP "svc #0\n\t" BENCH_READ BENCH_SVC_OPERANDS);
    } else if (kind == STAMP_BOTH_FP) {
        __asm__ volatile(BENCH_STAMP "svc #0\n\t" FP_TOUCH BENCH_READ BENCH_SVC_OPERANDS);
    } else if (kind == STAMP_AFTER_ONLY) {
        __asm__ volatile("svc #0\n\t" BENCH_READ BENCH_SVC_OPERANDS);
    } else {
        __asm__ volatile("svc #0\n\tmov %[end], xzr" BENCH_SVC_OPERANDS);
    }
    r[0] = x0;
    r[1] = x1;
    r[2] = x2;
    r[3] = x3;
    r[4] = x4;
    r[5] = x5;
    return end;
}

/* A system call bracketed by the counter: the counter is stored to *start
 * just before the trap, and read into the result just after the thread runs
 * again. */
static inline __attribute__((always_inline)) uint64_t stamped_syscall(long number, seL4_Word r[6],
                                                                      volatile uint64_t *start)
{
    return bench_svc(STAMP_BOTH, number, r, start);
}

/* The same without the counter, for the unmeasured steps of child threads. */
static inline void raw_syscall(long number, seL4_Word r[6])
{
    (void)bench_svc(STAMP_NONE, number, r, NULL);
}

/* Message-info word: label 0, no caps, `length` message registers. */
static inline seL4_Word msg_info(seL4_Word length)
{
    return seL4_MessageInfo_new(0, 0, 0, length).words[0];
}

/* Console: the PL011 the root task maps itself (the release kernel has no
 * debug output). */
void uart_init(volatile uint32_t *base);
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fill the FP/SIMD registers (bench/asm.S), so the FPU is in use. */
void touch_fpu(seL4_Word value);

/* The fastpath check (bench/fastpath_check.c), active with the boot
 * argument check-fastpath=1 on a kernel built with CONFIG_FASTPATH_STATS. */
void fastpath_check_enable(void);
void fastpath_check_begin(void);
void fastpath_check_pause(void);
void fastpath_check_resume(void);
void fastpath_check_end(const char *name, seL4_Word calls, seL4_Word reply_recvs,
                        seL4_Word vm_faults);
void fastpath_check_summary(void);
/* A thread that loops forever without touching memory (bench/asm.S). */
void spin_forever(void);

/* ---- what main.c lends the benchmarks in other files ---- */

/* BENCH ERROR and stop unless err is seL4_NoError. */
void check_at(long err, const char *what, int line);
#define CHECK(e) check_at((long)(e), #e, __LINE__)

/* Root-CNode slots; n objects retyped from `ut` into fresh slots. */
seL4_CPtr alloc_slots(seL4_Word n);
seL4_CPtr make(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_Word count);
/* Objects made from ut_scope between the two are revoked at the end. */
void scope_begin(void);
void scope_end(void);
extern seL4_CPtr ut_scope;
/* The second address space, mapping the image at the same addresses. */
extern seL4_CPtr vspace_b;

/* Thread `slot` (0..3) running fn(slot) in `vspace` at `prio`; when fn
 * returns, the root task's wait_done() returns. */
typedef void thread_fn(int slot);
seL4_CPtr start_thread(int slot, thread_fn *fn, seL4_CPtr vspace, seL4_Word prio,
                       seL4_CPtr fault_ep);
void wait_done(void);

/* Samples: warmup + iterations of them; end - start - ovh (0 if below). */
extern int iterations, warmup;
extern uint64_t samples0[];
extern uint64_t overhead_ccnt; /* two back-to-back ccnt() */
uint64_t minus(uint64_t end, uint64_t start, uint64_t ovh);
/* BENCH RESULT line for samples [warm, total) of s. */
void report_from(const char *name, uint64_t *s, int total, int warm);

/* ---- benchmarks in other files ---- */

/* irq_user and irq_user_other_as: the generic timer's interrupt, measured as
 * sel4bench's irquser (bench/irq_timer.c). */
void bench_irq_timer(void);
