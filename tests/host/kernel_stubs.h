/* Host stand-ins for the parts of the kernel that the CSpace, derivation-tree
 * and Untyped sources call but that a host test does not compile: the
 * scheduler, IPC and fault delivery, console and panic, the interrupt
 * pending test (the port's other hooks: tests/host/stubarch/stubarch.c or
 * tests/host/aarch64/arch_stubs.c). Everything in kernel_stubs.c but
 * arch_irq_is_pending is a weak definition, so a test that also compiles
 * the real file gets the real one.
 *
 * What a test can steer or observe through this header:
 *  - preemption: arch_irq_is_pending() asks a function the test gives
 *    (driven by its random generator, or by fuzzer input), so long
 *    operations are preempted at random and must restart (ABI 1.6);
 *  - cap faults: fault_set_cap() records what it was given;
 *  - panic: with a jump buffer armed, panic() longjmps back to the test
 *    (which reports the message) instead of aborting. */
#pragma once

#include <object/tcb.h>
#include <setjmp.h>

/* arch_irq_is_pending() returns what `pending(ctx)` says; with pending NULL
 * (the default) it always returns false. */
typedef bool stub_pending_fn(void *ctx);
void stub_set_preemption(stub_pending_fn *pending, void *ctx);
/* How many times arch_irq_is_pending() said yes since the last call. */
unsigned stub_take_preemptions(void);

/* The last cap fault recorded by fault_set_cap(), and whether fault_handle()
 * was called for it. Cleared by stub_clear_fault(). */
typedef struct stub_fault {
    bool raised;
    bool handled;
    word_t cptr;
    bool in_receive_phase;
    lookup_fault_t lookup;
} stub_fault_t;
extern stub_fault_t stub_fault;
void stub_clear_fault(void);

/* Armed by the test around kernel calls: panic() formats its message into
 * stub_panic_message and longjmps here with value 1. */
extern jmp_buf *stub_panic_jump;
extern char stub_panic_message[512];

/* kprintf() output goes to stdout when set (off by default: the kernel's
 * debug messages would drown the test's). */
extern bool stub_print_kernel_messages;
