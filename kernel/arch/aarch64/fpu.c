/* Lazy FP/SIMD switching. The FPU registers hold the state of at most one
 * thread, its owner. Any other thread that runs has EL0 FP/SIMD access
 * trapped (CPACR_EL1.FPEN = 01: EL0 traps, the kernel may save and load);
 * its first FP/SIMD instruction traps, and only then is the owner's state
 * saved and its own loaded. A thread that never touches the FPU costs
 * nothing on a switch beyond (rarely) one CPACR write. */
#include <arch/arch.h>
#include <arch/fpu.h>
#include <arch/machine.h>
#include <fault.h>
#include <object/tcb.h>

void fpu_save(fpu_state_t *state);
void fpu_load(const fpu_state_t *state);

tcb_t *ks_fpu_owner;
word_t ks_cpacr_now = ~0ull;

void arch_fpu_init(void)
{
    ks_fpu_owner = NULL;
    fpu_set_cpacr(CPACR_FPEN_TRAP_EL0);
}

void arch_fpu_release(tcb_t *thread)
{
    if (ks_fpu_owner == thread) {
        fpu_save(&thread->arch.fpu);
        ks_fpu_owner = NULL;
    }
}

/* The thread used FP/SIMD while trapped. Returns false if its FPU is
 * disabled (the caller raises a user exception). */
bool arch_fpu_trap(tcb_t *thread)
{
    if (thread->flags & TCB_FLAG_FPU_DISABLED) {
        return false;
    }
    if (ks_fpu_owner != NULL) {
        fpu_save(&ks_fpu_owner->arch.fpu);
    }
    fpu_load(&thread->arch.fpu);
    ks_fpu_owner = thread;
    return true;
}
