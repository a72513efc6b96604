/* The per-switch half of the hardware debug API (debug.c has the rest),
 * inline because every thread switch uses it. Without
 * CONFIG_HARDWARE_DEBUG_API every hook here is empty.
 *
 * The debug registers hold the breakpoints, watchpoints and single-step
 * setting of at most one thread, ks_debug_owner; NULL means all disabled.
 * Invariant: whenever a thread runs at EL0, ks_debug_owner is its
 * arch.debug.in_use (itself if it uses the debug hardware, else NULL).
 *
 * A thread that uses the debug hardware never takes part in a fastpath
 * switch, so only the slow path's switch (arch_debug_activate) moves the
 * registers: the fastpath tests the thread it leaves (arch_debug_in_use in
 * arch.h),
 * and such a thread keeps no cached TTBR0 value, which the fastpath needs
 * of the thread it switches to. Between threads that use none the cost is
 * that one test. */
#pragma once

#include <arch/arch.h>
#include <config.h>
#include <object/tcb.h>

/* Set up the debug hardware: everything disabled, EL0 debug exceptions
 * routed to the kernel (boot time). */
void arch_debug_init(void);

#if CONFIG_HARDWARE_DEBUG_API

/* Not a thread: the registers no longer match their owner's state (it was
 * changed, or its TCB destroyed); the next switch reloads them. */
#define DEBUG_OWNER_STALE ((tcb_t *)1)

extern tcb_t *ks_debug_owner;

/* Make the registers the thread's (or all disabled) and, if it is single
 * stepping, arm one step; a thread that uses them loses its cached TTBR0. */
void debug_load(tcb_t *thread);

/* A debug exception from EL0 (ESR class: breakpoint, watchpoint, software
 * step, BRK): records the thread's DebugException fault and returns true,
 * or returns false if there is nothing to report yet (a single step that
 * does not complete the count). */
bool debug_exception(tcb_t *thread, word_t esr);

/* Is this ESR exception class one of debug_exception's? */
static inline bool debug_is_exception(word_t ec)
{
    return ec == 0x30 || ec == 0x32 || ec == 0x34 || ec == 0x3c;
}

/* The invariant checker's part: panics if the thread's state disagrees
 * with its in_use key. */
void debug_check_thread(const tcb_t *thread);

/* Slow path: `thread` is about to run; the registers' owner is whoever ran
 * last. */
static ALWAYS_INLINE void arch_debug_activate(tcb_t *thread)
{
    if (unlikely(((word_t)thread->arch.debug.in_use | (word_t)ks_debug_owner) != 0)) {
        debug_load(thread);
    }
}

#else

static inline bool debug_is_exception(word_t ec)
{
    (void)ec;
    return false;
}

static inline bool debug_exception(tcb_t *thread, word_t esr)
{
    (void)thread;
    (void)esr;
    return false;
}

static inline void debug_check_thread(const tcb_t *thread)
{
    (void)thread;
}

static ALWAYS_INLINE void arch_debug_activate(tcb_t *thread)
{
    (void)thread;
}

#endif
