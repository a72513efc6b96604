/* Host stand-ins for what the AArch64 port's object code (compiled for the
 * host tests of the port, tests/host/host.mk) needs of the rest of the port
 * and the board: memory zeroing, the FPU, address spaces, the interrupt
 * controller. All definitions are weak, as in kernel_stubs.c. */
#include <arch/arch.h>
#include <plat/irq.h>
#include <string.h>

#define WEAK __attribute__((weak))

WEAK void arch_zero_memory(void *p, word_t size)
{
    memset(p, 0, size);
}

WEAK void arch_fpu_release(struct tcb *thread)
{
    (void)thread;
}

WEAK void arch_check_thread_invariants(struct tcb *thread)
{
    (void)thread;
}

/* The order of the user context in Read/WriteRegisters: any permutation of
 * context words will do on the host. */
WEAK const uint8_t user_context_order[USER_CONTEXT_WORDS] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17,
    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
};

WEAK void vspace_unmap_frame(word_t asid, vaddr_t vaddr, paddr_t paddr, unsigned size_bits)
{
    (void)asid, (void)vaddr, (void)paddr, (void)size_bits;
}

WEAK void vspace_unmap_page_table(word_t asid, vaddr_t vaddr, unsigned level, paddr_t table)
{
    (void)asid, (void)vaddr, (void)level, (void)table;
}

WEAK void vspace_release_asid(word_t asid, paddr_t vspace)
{
    (void)asid, (void)vspace;
}

WEAK void vspace_release_asid_pool(word_t asid_base, paddr_t pool)
{
    (void)asid_base, (void)pool;
}

/* No ASID is ever assigned on the host (there is no ASID control cap), so no
 * VSpace can be found and the page-table functions below are only reached by
 * the fuzzer's random invocations, which they answer as "nothing mapped". */
WEAK paddr_t ks_asid_table[ASID_POOL_COUNT];
WEAK word_t ks_vspace_epoch = 1;

WEAK pte_t *vspace_lookup_slot(pte_t *l0, vaddr_t vaddr, unsigned *level)
{
    (void)l0, (void)vaddr;
    *level = 0;
    return NULL;
}

WEAK void vspace_write_entry(pte_t *entry, pte_t value, word_t asid, vaddr_t vaddr)
{
    (void)asid, (void)vaddr;
    *entry = value;
}

WEAK void vspace_clear_table(paddr_t table)
{
    (void)table;
}

WEAK word_t vspace_entry_rights(pte_t entry)
{
    (void)entry;
    return 0;
}

WEAK void arch_cache_maintain(paddr_t start, paddr_t end, unsigned kind)
{
    (void)start, (void)end, (void)kind;
}

WEAK void arch_irq_mask(irq_t irq)
{
    (void)irq;
}

WEAK void arch_irq_unmask(irq_t irq)
{
    (void)irq;
}

WEAK void irq_set_trigger(irq_t irq, bool edge)
{
    (void)irq, (void)edge;
}

WEAK void irq_raise_sgi(word_t sgi, word_t target)
{
    (void)sgi, (void)target;
}
