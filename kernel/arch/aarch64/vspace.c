/* User address spaces: the page-table work done at boot for the root task,
 * software walks for debug reports, and switching TTBR0 on thread switch. */
#include <arch/arch.h>
#include <arch/boot.h>
#include <arch/debug.h>
#include <arch/fpu.h>
#include <arch/machine.h>
#include <arch/pmu.h>
#include <arch/vspace.h>
#include <object/tcb.h>
#include <panic.h>
#include <printk.h>

paddr_t ks_asid_table[ASID_POOL_COUNT];

/* A VSpace with no mappings, for threads that have no valid VSpace. */
static pte_t empty_user_l0[PT_ENTRIES] ALIGNED(PAGE_SIZE);
word_t ks_current_ttbr0 = ~0ull;
word_t ks_vspace_epoch = 1;

word_t vspace_refresh_ttbr0(vspace_cache_t *cache, const cap_t *root)
{
    word_t ttbr0 = vspace_ttbr0(*root);
    if (ttbr0 != 0) {
        cache->ttbr0 = ttbr0;
        cache->epoch = ks_vspace_epoch;
    }
    return ttbr0;
}

static pte_t *table_at(pte_t entry)
{
    return paddr_to_ptr(entry & PTE_ADDR_MASK);
}

static bool is_table(pte_t entry, unsigned level)
{
    return level < 3 && (entry & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

/* The entry for vaddr at `level`, or NULL if a table on the way is missing. */
static pte_t *walk(pte_t *l0, vaddr_t vaddr, unsigned level)
{
    pte_t *table = l0;
    for (unsigned l = 0; l < level; l++) {
        pte_t entry = table[pt_index(vaddr, l)];
        if (!is_table(entry, l)) {
            return NULL;
        }
        table = table_at(entry);
    }
    return &table[pt_index(vaddr, level)];
}

void vspace_boot_create_tables(pte_t *l0, vaddr_t start, vaddr_t end, paddr_t (*alloc_table)(void),
                               paging_cap_fn record, void *ctx)
{
    for (unsigned level = 1; level <= 3; level++) {
        unsigned span = pt_level_shift(level - 1);
        for (vaddr_t v = ROUND_DOWN(start, span); v < end; v += BIT(span)) {
            paddr_t table = alloc_table();
            pte_t *parent = walk(l0, v, level - 1);
            *parent = table | PTE_VALID | PTE_TABLE;
            record(ctx, cap_page_table_new(table, level, ROOT_TASK_ASID, v));
        }
    }
}

void vspace_boot_map_page(pte_t *l0, vaddr_t vaddr, paddr_t paddr, bool writable, bool executable)
{
    pte_t *entry = walk(l0, vaddr, 3);
    *entry = paddr | PTE_PAGE | PTE_ATTR(MAIR_NORMAL_WB) | PTE_SH_INNER | PTE_AF | PTE_NG |
             PTE_AP_EL0 | (writable ? 0 : PTE_AP_RO) | PTE_PXN | (executable ? 0 : PTE_UXN);
}

void *vspace_lookup_user(pte_t *l0, vaddr_t vaddr)
{
    if (vaddr > USER_TOP) {
        return NULL;
    }
    pte_t *table = l0;
    for (unsigned level = 0; level <= 3; level++) {
        pte_t entry = table[pt_index(vaddr, level)];
        if (!(entry & PTE_VALID)) {
            return NULL;
        }
        if (is_table(entry, level)) {
            table = table_at(entry);
            continue;
        }
        if (level == 0 || !(entry & PTE_AP_EL0)) {
            return NULL;
        }
        unsigned shift = pt_level_shift(level);
        return paddr_to_ptr((entry & PTE_ADDR_MASK & ~MASK(shift)) | (vaddr & MASK(shift)));
    }
    return NULL;
}

/* The thread's VSpace, if its cap is valid and its ASID still names it
 * (the ASID pool or the VSpace may have been deleted meanwhile). */
static pte_t *thread_vspace_root(tcb_t *thread)
{
    cap_t root = tcb_slot(thread, TCB_VSPACE_ROOT)->cap;
    return vspace_cap_is_live(root) ? cap_object(root) : NULL;
}

void arch_activate_thread(tcb_t *thread)
{
    word_t ttbr0 =
        vspace_thread_ttbr0(&thread->arch.vspace_cache, &tcb_slot(thread, TCB_VSPACE_ROOT)->cap);
    vspace_load_ttbr0(ttbr0 != 0 ? ttbr0 : ptr_to_paddr(empty_user_l0));
    arch_fpu_activate(thread);
    arch_debug_activate(thread);
    arch_pmu_activate(thread);
}

void arch_check_thread_invariants(tcb_t *thread)
{
    const vspace_cache_t *cache = &thread->arch.vspace_cache;
    word_t fresh = vspace_ttbr0(tcb_slot(thread, TCB_VSPACE_ROOT)->cap);
    if (cache->epoch == ks_vspace_epoch && cache->ttbr0 != fresh) {
        panic("invariant: thread %p caches TTBR0 0x%lx, its VSpace cap gives 0x%lx", (void *)thread,
              cache->ttbr0, fresh);
    }
    if (thread == ks_fpu_owner && (thread->flags & TCB_FLAG_FPU_DISABLED)) {
        panic("invariant: thread %p owns the FPU with its FPU disabled", (void *)thread);
    }
    debug_check_thread(thread);
}

void arch_dump_user_stack(tcb_t *thread, unsigned words)
{
    pte_t *l0 = thread_vspace_root(thread);
    vaddr_t sp = thread->context.r[CTX_SP];
    for (unsigned i = 0; i < words; i++) {
        vaddr_t at = sp + 8 * i;
        const word_t *p = (l0 != NULL && IS_ALIGNED(at, 3)) ? vspace_lookup_user(l0, at) : NULL;
        if (p == NULL) {
            kprintf("0x%016lx: INVALID\n", at);
            break;
        }
        kprintf("0x%016lx: 0x%016lx\n", at, *p);
    }
}

/* The boot code mapped the first GiB of RAM; map the rest of RAM in 1 GiB
 * blocks. (A RAM size that is not a multiple of 1 GiB leaves the tail of the
 * last block mapped but unused: QEMU's virt board has no device there.) */
void arch_map_kernel_window(paddr_t base, paddr_t end)
{
    pte_t *l1 = paddr_to_ptr(boot_symbols.kernel_l1);
    for (paddr_t gib = ROUND_DOWN(base, 30); gib < end && (gib >> 30) < PT_ENTRIES;
         gib += BIT(30)) {
        pte_t *entry = &l1[gib >> 30];
        if (*entry == 0) {
            *entry = gib | PTE_BLOCK | PTE_ATTR(MAIR_NORMAL_WB) | PTE_SH_INNER | PTE_AF | PTE_UXN;
        }
    }
    dsb_ish();
    isb();
}

static void tlb_flush_page(word_t asid, vaddr_t vaddr)
{
    dsb_ishst();
    __asm__ volatile("tlbi vae1is, %0" ::"r"((asid << 48) | ((vaddr >> 12) & MASK(44))) : "memory");
    dsb_ish();
    isb();
}

static void tlb_flush_asid(word_t asid)
{
    dsb_ishst();
    __asm__ volatile("tlbi aside1is, %0" ::"r"(asid << 48) : "memory");
    dsb_ish();
    isb();
}

/* The level whose entries map 2^size_bits bytes. */
static unsigned level_for_size(unsigned size_bits)
{
    return size_bits == 30 ? 1 : size_bits == 21 ? 2 : 3;
}

void vspace_unmap_frame(word_t asid, vaddr_t vaddr, paddr_t paddr, unsigned size_bits)
{
    pte_t *l0 = vspace_for_asid(asid);
    pte_t *entry = l0 != NULL ? walk(l0, vaddr, level_for_size(size_bits)) : NULL;
    if (entry == NULL || !(*entry & PTE_VALID) || is_table(*entry, level_for_size(size_bits)) ||
        (*entry & PTE_ADDR_MASK) != paddr) {
        return; /* no longer mapped there: nothing to undo */
    }
    *entry = 0;
    tlb_flush_page(asid, vaddr);
}

void vspace_unmap_page_table(word_t asid, vaddr_t vaddr, unsigned level, paddr_t table)
{
    pte_t *l0 = vspace_for_asid(asid);
    pte_t *entry = (l0 != NULL && level > 0) ? walk(l0, vaddr, level - 1) : NULL;
    if (entry == NULL || !is_table(*entry, level - 1) || (*entry & PTE_ADDR_MASK) != table) {
        return;
    }
    *entry = 0;
    tlb_flush_asid(asid);
}

void vspace_release_asid(word_t asid, paddr_t vspace)
{
    paddr_t pool = ks_asid_table[(asid >> ASID_POOL_BITS) % ASID_POOL_COUNT];
    if (pool == 0) {
        return;
    }
    paddr_t *entry = &((paddr_t *)paddr_to_ptr(pool))[asid & MASK(ASID_POOL_BITS)];
    if (*entry == vspace) {
        *entry = 0;
        ks_vspace_epoch++;
        tlb_flush_asid(asid);
    }
}

void vspace_release_asid_pool(word_t asid_base, paddr_t pool)
{
    paddr_t *slot = &ks_asid_table[(asid_base >> ASID_POOL_BITS) % ASID_POOL_COUNT];
    if (*slot == pool) {
        *slot = 0;
        ks_vspace_epoch++;
        dsb_ishst();
        __asm__ volatile("tlbi vmalle1is" ::: "memory");
        dsb_ish();
        isb();
    }
}

pte_t *vspace_lookup_slot(pte_t *l0, vaddr_t vaddr, unsigned *level)
{
    pte_t *table = l0;
    unsigned l = 0;
    for (; l < 3; l++) {
        pte_t entry = table[pt_index(vaddr, l)];
        if (!is_table(entry, l)) {
            break;
        }
        table = table_at(entry);
    }
    *level = l;
    return &table[pt_index(vaddr, l)];
}

void vspace_write_entry(pte_t *entry, pte_t value, word_t asid, vaddr_t vaddr)
{
    bool was_valid = *entry & PTE_VALID;
    *entry = value;
    if (was_valid) {
        tlb_flush_page(asid, vaddr);
    } else {
        dsb_ishst();
        isb();
    }
}

void vspace_clear_table(paddr_t table)
{
    memset(paddr_to_ptr(table), 0, PAGE_SIZE);
    dsb_ishst();
}

word_t vspace_entry_rights(pte_t entry)
{
    if (!(entry & PTE_AP_EL0)) {
        return VM_KERNEL_ONLY;
    }
    return (entry & PTE_AP_RO) ? VM_READ_ONLY : VM_READ_WRITE;
}

#define CACHE_LINE 64

void arch_cache_maintain(paddr_t start, paddr_t end, unsigned kind)
{
    pptr_t va = paddr_to_kernel(ROUND_DOWN(start, 6));
    pptr_t last = paddr_to_kernel(end);
    for (; va < last; va += CACHE_LINE) {
        switch (kind) {
        case 0:
            __asm__ volatile("dc cvac, %0" ::"r"(va) : "memory");
            break;
        case 1:
            __asm__ volatile("dc ivac, %0" ::"r"(va) : "memory");
            break;
        case 2:
            __asm__ volatile("dc civac, %0" ::"r"(va) : "memory");
            break;
        default:
            __asm__ volatile("dc cvau, %0" ::"r"(va) : "memory");
            break;
        }
    }
    dsb_sy();
    if (kind == 3) {
        __asm__ volatile("ic iallu" ::: "memory");
        dsb_sy();
        isb();
    }
}
