/* Host stand-ins for what the CSpace, derivation-tree and Untyped sources need
 * from the rest of the kernel (see kernel_stubs.h), whichever port they are
 * built against (the port's own stand-ins: tests/host/stubarch/stubarch.c,
 * tests/host/aarch64/arch_stubs.c). All definitions but arch_irq_is_pending
 * are weak: a test that links the real file gets the real one. None of them
 * does more than the host tests need: there is no scheduler, no IPC and no
 * address space here, and the tests never invoke endpoint, notification or
 * reply caps. */
#include "kernel_stubs.h"

#include <arch/arch.h>
#include <fault.h>
#include <panic.h>
#include <printk.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>
#if __has_include(<ipc.h>)
#include <ipc.h>
#define STUBS_HAVE_IPC 1
#endif

#define WEAK __attribute__((weak))

/* --- what tests steer and observe --------------------------------------- */

static stub_pending_fn *pending_fn;
static void *pending_ctx;
static unsigned preemptions;

void stub_set_preemption(stub_pending_fn *pending, void *ctx)
{
    pending_fn = pending;
    pending_ctx = ctx;
}

unsigned stub_take_preemptions(void)
{
    unsigned n = preemptions;
    preemptions = 0;
    return n;
}

stub_fault_t stub_fault;

void stub_clear_fault(void)
{
    memset(&stub_fault, 0, sizeof(stub_fault));
}

jmp_buf *stub_panic_jump;
char stub_panic_message[512];
bool stub_print_kernel_messages;

/* --- interrupts ---------------------------------------------------------- */

/* Not weak: it replaces the port's (tests/host/stubarch/stubarch.c has a
 * weak one for programs without these stand-ins). */
bool arch_irq_is_pending(void)
{
    if (pending_fn == NULL || !pending_fn(pending_ctx)) {
        return false;
    }
    preemptions++;
    return true;
}

/* --- threads and scheduling ---------------------------------------------- */

WEAK tcb_t *ks_cur_thread;
WEAK tcb_t *ks_debug_thread_list;
WEAK tcb_t *ks_sched_action;

WEAK void thread_set_state(tcb_t *thread, thread_state_t state)
{
    thread->state = state;
}

WEAK bool thread_is_runnable(const tcb_t *thread)
{
    return thread->state == thread_running || thread->state == thread_restart;
}

WEAK void sched_request_reschedule(void)
{
}

WEAK void thread_set_domain(tcb_t *thread, word_t domain)
{
    thread->domain = (uint8_t)domain;
}

WEAK void thread_queue_restart_all(word_t head)
{
    /* No thread is ever queued on an endpoint or notification in the host
     * tests: they never invoke one. */
    if (head != 0) {
        panic("host stub: a thread queue to restart (head 0x%lx)", (unsigned long)head);
    }
}

WEAK void thread_suspend(tcb_t *thread)
{
    thread->state = thread_inactive;
}

WEAK void thread_resume(tcb_t *thread)
{
    if (thread->state == thread_inactive) {
        thread->state = thread_restart;
    }
}

WEAK void thread_set_priority(tcb_t *thread, word_t priority)
{
    thread->priority = (uint8_t)priority;
}

WEAK void debug_thread_list_add(tcb_t *thread)
{
    (void)thread;
}

WEAK void debug_thread_list_remove(tcb_t *thread)
{
    (void)thread;
}

/* --- faults and IPC ------------------------------------------------------ */

WEAK void fault_set_cap(tcb_t *thread, word_t cptr, bool in_receive_phase, lookup_fault_t lookup)
{
    (void)thread;
    stub_fault.raised = true;
    stub_fault.handled = false;
    stub_fault.cptr = cptr;
    stub_fault.in_receive_phase = in_receive_phase;
    stub_fault.lookup = lookup;
}

WEAK void fault_handle(tcb_t *thread)
{
    (void)thread;
    stub_fault.handled = true;
}

#ifdef STUBS_HAVE_IPC
/* Reached only through endpoint, notification and reply caps, which the host
 * tests never invoke. */
WEAK void ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool can_grant, tcb_t *receiver)
{
    (void)sender, (void)ep, (void)badge, (void)can_grant, (void)receiver;
    panic("host stub: ipc_transfer");
}

WEAK void ipc_setup_caller_cap(tcb_t *caller, tcb_t *receiver, bool can_grant)
{
    (void)caller, (void)receiver, (void)can_grant;
    panic("host stub: ipc_setup_caller_cap");
}

WEAK void ipc_do_reply(tcb_t *replier, cte_t *reply_slot)
{
    (void)replier, (void)reply_slot;
    panic("host stub: ipc_do_reply");
}

WEAK void sched_possible_switch_to(tcb_t *thread)
{
    (void)thread;
}

WEAK void ipc_cancel(tcb_t *thread)
{
    (void)thread;
}
#endif

/* --- console and panic --------------------------------------------------- */

WEAK void kvprintf(const char *format, va_list args)
{
    if (stub_print_kernel_messages) {
        vprintf(format, args);
    }
}

WEAK void kprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kvprintf(format, args);
    va_end(args);
}

WEAK void panic(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(stub_panic_message, sizeof(stub_panic_message), format, args);
    va_end(args);
    if (stub_panic_jump != NULL) {
        longjmp(*stub_panic_jump, 1);
    }
    fprintf(stderr, "kernel panic: %s\n", stub_panic_message);
    abort();
}
