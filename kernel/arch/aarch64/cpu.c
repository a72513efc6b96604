/* Per-CPU machine state the kernel sets once at boot. */
#include <arch/arch.h>
#include <arch/machine.h>

#define CPACR_FPEN_NO_TRAPS (3ull << 20)

/* FP/SIMD: user threads may use it without trapping. While only one thread
 * can exist, its registers need no switching; lazy switching per thread
 * comes with multiple threads. */
void arch_init_cpu(void)
{
    SYSREG_WRITE(cpacr_el1, CPACR_FPEN_NO_TRAPS);
    isb();
}
