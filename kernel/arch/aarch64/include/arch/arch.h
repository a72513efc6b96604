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

/* The hardware debug API (debug.c, docs/debug.md): defined only with
 * CONFIG_HARDWARE_DEBUG_API, so callers test the option. API IDs are
 * seL4's: instruction breakpoints from seL4_FirstBreakpoint, data
 * watchpoints from seL4_FirstWatchpoint. arch_debug_activate (inline in
 * arch/debug.h) loads a thread's state when it is switched to, and
 * arch_debug_in_use keeps threads that use it off the IPC fastpath. */

/* What GetBreakpoint reports for one API ID. */
typedef struct debug_breakpoint {
    word_t vaddr;
    word_t type; /* seL4_InstructionBreakpoint or seL4_DataBreakpoint */
    word_t size;
    word_t rw;
    bool enabled;
} debug_breakpoint_t;

/* Set up the debug hardware: everything disabled, EL0 debug exceptions
 * routed to the kernel (boot time). */
void arch_debug_init(void);

/* How many registers of the API's `type` the CPU has (at most the API's). */
word_t arch_debug_registers(word_t type);

/* May a breakpoint or watchpoint be set at `vaddr` (a user address)? */
bool arch_debug_user_address(vaddr_t vaddr);

/* The performs of SetBreakpoint, GetBreakpoint, UnsetBreakpoint and
 * ConfigureSingleStepping, on checked arguments. Configuring returns
 * bp_was_consumed. */
void arch_debug_set_breakpoint(struct tcb *thread, word_t bp_num, vaddr_t vaddr, word_t type,
                               word_t size, word_t rw);
debug_breakpoint_t arch_debug_get_breakpoint(const struct tcb *thread, word_t bp_num);
void arch_debug_unset_breakpoint(struct tcb *thread, word_t bp_num);
bool arch_debug_configure_stepping(struct tcb *thread, word_t instructions);

/* A handler replied to the thread's single-step fault: `instructions` to
 * run before the next one (0 stops stepping). Ignored if stepping has been
 * turned off since the fault. */
void arch_debug_step_reply(struct tcb *thread, word_t instructions);

/* The thread is being destroyed: the debug registers must not stay its. */
void arch_debug_release(struct tcb *thread);
