/* Everything a port provides to the architecture-independent kernel. Each
 * hook is prefixed arch_. */
#pragma once

#include <arch/context.h>
#include <types.h>

struct tcb;

/* Set the CPU's system registers the kernel relies on (FPU access, ...). */
void arch_init_cpu(void);

/* Stop the machine. Under QEMU the exit status reaches the host (semihosting):
 * 0 for a requested halt, non-zero for a panic. */
void arch_system_off(int status) __attribute__((noreturn));

/* Sleep until an interrupt is pending (interrupts stay masked in the kernel). */
void arch_wait_for_interrupt(void);

/* Prepare the CPU to run `thread` (address space, FPU access), then leave. */
void arch_activate_thread(struct tcb *thread);

/* Map all of RAM [base, end) into the kernel window (boot time only). */
void arch_map_kernel_window(paddr_t base, paddr_t end);

/* Lazy FPU switching (fpu.c; arch_fpu_activate is inline in arch/fpu.h):
 * set up at boot; called when a thread's FP/SIMD use trapped (false: its
 * FPU is disabled, which is a user exception). */
void arch_fpu_init(void);
bool arch_fpu_trap(struct tcb *thread);

/* The thread's FP/SIMD state is no longer wanted in the FPU (it disabled
 * its FPU, or it is being destroyed): save it if live and forget it. */
void arch_fpu_release(struct tcb *thread);

/* The invariant checker's part for the port: panics if the thread's
 * architecture state is inconsistent (AArch64: a cached TTBR0 value that
 * differs from a fresh validation of its VSpace cap). */
void arch_check_thread_invariants(struct tcb *thread);

/* Print the thread's user registers (debug reports). */
void arch_dump_user_context(const user_context_t *context);

/* Print up to `words` words of the thread's user stack, if it is mapped. */
void arch_dump_user_stack(struct tcb *thread, unsigned words);

/* Zero `size` bytes at `p` (kernel window, normal memory; size a multiple of
 * 64 and p 64-byte aligned for speed, any size works). */
void arch_zero_memory(void *p, word_t size);
