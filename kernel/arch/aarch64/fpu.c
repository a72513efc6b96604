/* Lazy FP/SIMD switching. The FPU registers hold the state of at most one
 * thread, its owner. Any other thread that runs has EL0 FP/SIMD access
 * trapped (CPACR_EL1.FPEN = 01: EL0 traps, the kernel may save and load);
 * its first FP/SIMD instruction traps, and only then is the owner's state
 * saved and its own loaded. A thread that never touches the FPU costs
 * nothing on a switch beyond (rarely) one CPACR write. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <fault.h>
#include <object/tcb.h>

#define CPACR_FPEN_TRAP_EL0 (1ull << 20)
#define CPACR_FPEN_NO_TRAPS (3ull << 20)
#define TCB_FLAG_FPU_DISABLED 0x1

void fpu_save(fpu_state_t *state);
void fpu_load(const fpu_state_t *state);

static tcb_t *fpu_owner;
static word_t cpacr_now = ~0ull;

static void set_cpacr(word_t value)
{
    if (value != cpacr_now) {
        SYSREG_WRITE(cpacr_el1, value);
        isb();
        cpacr_now = value;
    }
}

void arch_fpu_init(void)
{
    fpu_owner = NULL;
    set_cpacr(CPACR_FPEN_TRAP_EL0);
}

/* Called when `thread` is about to run. */
void arch_fpu_activate(tcb_t *thread)
{
    bool live = thread == fpu_owner && !(thread->flags & TCB_FLAG_FPU_DISABLED);
    set_cpacr(live ? CPACR_FPEN_NO_TRAPS : CPACR_FPEN_TRAP_EL0);
}

void arch_fpu_release(tcb_t *thread)
{
    if (fpu_owner == thread) {
        fpu_save(&thread->fpu);
        fpu_owner = NULL;
    }
}

/* The thread used FP/SIMD while trapped. Returns false if its FPU is
 * disabled (the caller raises a user exception). */
bool arch_fpu_trap(tcb_t *thread)
{
    if (thread->flags & TCB_FLAG_FPU_DISABLED) {
        return false;
    }
    if (fpu_owner != NULL) {
        fpu_save(&fpu_owner->fpu);
    }
    fpu_load(&thread->fpu);
    fpu_owner = thread;
    return true;
}
