/* Per-CPU machine state the kernel sets once at boot. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <util.h>

#define CPACR_FPEN_NO_TRAPS (3ull << 20)

/* FP/SIMD: user threads may use it without trapping. While only one thread
 * can exist, its registers need no switching; lazy switching per thread
 * comes with multiple threads. */
void arch_init_cpu(void)
{
    SYSREG_WRITE(cpacr_el1, CPACR_FPEN_NO_TRAPS);
    isb();
}

/* DC ZVA zeroes a whole block (its size is in DCZID_EL0) per instruction;
 * bytes before the first and after the last whole block are zeroed singly. */
void arch_zero_memory(void *p, word_t size)
{
    uint8_t *at = p;
    word_t dczid = SYSREG_READ(dczid_el0);
    if ((dczid & 0x10) != 0) { /* DC ZVA prohibited */
        memset(p, 0, size);
        return;
    }
    word_t block = 4ull << (dczid & 0xf);
    for (; size > 0 && ((uintptr_t)at & (block - 1)) != 0; size--) {
        *at++ = 0;
    }
    for (; size >= block; at += block, size -= block) {
        __asm__ volatile("dc zva, %0" ::"r"(at) : "memory");
    }
    for (; size > 0; size--) {
        *at++ = 0;
    }
}
