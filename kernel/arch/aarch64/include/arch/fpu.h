/* The per-switch half of lazy FPU switching (fpu.c has the rest), inline
 * because it runs on every thread switch, the IPC fastpath's included. */
#pragma once

#include <arch/machine.h>
#include <util.h>

struct tcb;

#define CPACR_FPEN_TRAP_EL0 (1ull << 20)
#define CPACR_FPEN_NO_TRAPS (3ull << 20)
#define TCB_FLAG_FPU_DISABLED 0x1

extern struct tcb *ks_fpu_owner; /* whose FP/SIMD state the registers hold */
extern word_t ks_cpacr_now;      /* CPACR_EL1 as last written */

static ALWAYS_INLINE void fpu_set_cpacr(word_t value)
{
    if (value != ks_cpacr_now) {
        SYSREG_WRITE(cpacr_el1, value);
        isb();
        ks_cpacr_now = value;
    }
}

/* Lazy FPU switching (fpu.c): set up at boot; called when a thread's
 * FP/SIMD use trapped (false: its FPU is disabled, which is a user
 * exception). */
void arch_fpu_init(void);
bool arch_fpu_trap(struct tcb *thread);

/* `thread` is about to run: FP/SIMD traps unless its state is live. The
 * owner never has its FPU disabled (disabling releases the FPU, and a
 * disabled thread never takes it: arch_fpu_trap), so ownership decides;
 * the invariant checker verifies it. */
static ALWAYS_INLINE void arch_fpu_activate(const struct tcb *thread)
{
    fpu_set_cpacr(thread == ks_fpu_owner ? CPACR_FPEN_NO_TRAPS : CPACR_FPEN_TRAP_EL0);
}
