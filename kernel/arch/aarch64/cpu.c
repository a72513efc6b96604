/* Per-CPU machine state the kernel sets once at boot. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <util.h>

void arch_init_cpu(void)
{
    arch_fpu_init(); /* FP/SIMD is switched lazily: EL0 use traps at first */
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

const uint8_t user_context_order[USER_CONTEXT_WORDS] = {
    CTX_FAULT_IP, CTX_SP, CTX_SPSR, 0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 29, 30,
    9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, CTX_TPIDR, CTX_TPIDRRO,
};
