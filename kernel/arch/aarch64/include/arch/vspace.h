/* AArch64 address spaces as the boot code and the kernel core use them:
 * four-level tables with 4 KiB granule, user space in TTBR0 (ABI 4.4). */
#pragma once

#include <arch/cap.h>
#include <arch/context.h>
#include <arch/machine.h>
#include <arch/mmu.h>

#define USER_TOP 0x00007FFFFFFFFFFFull /* seL4_UserTop: last user address */
#define ASID_BITS 16
#define ASID_POOL_BITS 9 /* ASIDs per pool: 2^9 */
#define ASID_POOL_COUNT 128
#define ROOT_TASK_ASID 1

/* The first-level-of-pool table: physical address of each ASID pool. */
extern paddr_t ks_asid_table[ASID_POOL_COUNT];

/* Called for each page table the root task's VSpace needs, in the order the
 * caps must appear in BootInfo's userImagePaging region. */
typedef void (*paging_cap_fn)(void *ctx, cap_t cap);

/* Create the level 1-3 tables covering [start, end) below the level-0 table
 * `l0`, taking zeroed 4 KiB tables from `alloc_table`. */
void vspace_boot_create_tables(pte_t *l0, vaddr_t start, vaddr_t end, paddr_t (*alloc_table)(void),
                               paging_cap_fn record, void *ctx);

/* Map one 4 KiB user page; the tables must exist. */
void vspace_boot_map_page(pte_t *l0, vaddr_t vaddr, paddr_t paddr, bool writable, bool executable);

/* Kernel pointer to the user address `vaddr` in `l0`'s address space if a
 * readable page maps it, else NULL. */
void *vspace_lookup_user(pte_t *l0, vaddr_t vaddr);

/* The physical address of the VSpace registered for `asid`, or 0. (ASID 0
 * is never registered: its pool entry stays 0.) */
static ALWAYS_INLINE paddr_t vspace_paddr_for_asid(word_t asid)
{
    paddr_t pool = ks_asid_table[(asid >> ASID_POOL_BITS) % ASID_POOL_COUNT];
    return pool == 0 ? 0 : ((const paddr_t *)arch_paddr_to_ptr(pool))[asid & MASK(ASID_POOL_BITS)];
}

/* The VSpace registered for `asid`, or NULL. Inline: Page_Map and
 * PageTable_Map look it up on every call. */
static ALWAYS_INLINE pte_t *vspace_for_asid(word_t asid)
{
    paddr_t vspace = vspace_paddr_for_asid(asid);
    return vspace != 0 ? arch_paddr_to_ptr(vspace) : NULL;
}

/* TTBR0_EL1 as last written. */
extern word_t ks_current_ttbr0;

/* Is `root` a VSpace cap whose ASID is still registered for that VSpace?
 * (A pool may have been deleted since the cap was made.) */
static ALWAYS_INLINE bool vspace_cap_is_live(cap_t root)
{
    return cap_type(root) == cap_vspace && cap_vspace_has_asid(root) &&
           vspace_paddr_for_asid(cap_vspace_asid(root)) == cap_paddr(root);
}

/* The TTBR0_EL1 value (table address, ASID in bits 63:48) that runs a thread
 * in the VSpace `root` names, or 0 if the cap is not live. Inline: every
 * thread switch asks. */
static ALWAYS_INLINE word_t vspace_ttbr0(cap_t root)
{
    if (!vspace_cap_is_live(root)) {
        return 0;
    }
    return cap_paddr(root) | ((word_t)cap_vspace_asid(root) << 48);
}

/* Every thread switch needs the TTBR0 value of the thread's VSpace cap, and
 * validating the cap through the ASID table costs more than the rest of the
 * switch, so each thread keeps the last valid answer (vspace_cache_t). The
 * answer depends on the cap in the thread's VSpace slot and on the ASID
 * table, and ks_vspace_epoch advances whenever either could change it: a
 * VSpace cap leaves a slot (a TCB's VSpace slot gets a new cap only after
 * the old one left) or an ASID stops naming its VSpace. TCBs start with
 * epoch 0 (retyped memory is zero) and the epoch with 1; only valid answers
 * are kept, so a thread without a valid VSpace is re-checked at every
 * switch. The invariant checker compares every current cache with a fresh
 * answer. */
extern word_t ks_vspace_epoch;

word_t vspace_refresh_ttbr0(vspace_cache_t *cache, const cap_t *root);

/* The cached TTBR0 value if it is still good, else 0. The fastpaths take
 * the slow path on 0, whose thread switch refreshes the cache. */
static ALWAYS_INLINE word_t vspace_cached_ttbr0(const vspace_cache_t *cache)
{
    return likely(cache->epoch == ks_vspace_epoch) ? cache->ttbr0 : 0;
}

/* vspace_ttbr0 of the cap at `root` (the thread's VSpace slot), through
 * the thread's cache. */
static ALWAYS_INLINE word_t vspace_thread_ttbr0(vspace_cache_t *cache, const cap_t *root)
{
    word_t ttbr0 = vspace_cached_ttbr0(cache); /* a cached value is never 0 */
    return likely(ttbr0 != 0) ? ttbr0 : vspace_refresh_ttbr0(cache, root);
}

/* A cap is leaving its slot: if it names a VSpace, every cache is stale. */
static ALWAYS_INLINE void vspace_note_cap_removed(cap_t cap)
{
    if (cap_type(cap) == cap_vspace) {
        ks_vspace_epoch++;
    }
}

static ALWAYS_INLINE void vspace_load_ttbr0(word_t ttbr0)
{
    if (ttbr0 != ks_current_ttbr0) {
        SYSREG_WRITE(ttbr0_el1, ttbr0);
        isb();
        ks_current_ttbr0 = ttbr0;
    }
}

/* Remove the mapping of the frame at `paddr` (2^size_bits bytes) at `vaddr`
 * in the VSpace of `asid`, if that is what is mapped there. */
void vspace_unmap_frame(word_t asid, vaddr_t vaddr, paddr_t paddr, unsigned size_bits);

/* Remove the page table at `table` (installed at `level` for `vaddr`) from
 * the VSpace of `asid`, if it is still installed there. */
void vspace_unmap_page_table(word_t asid, vaddr_t vaddr, unsigned level, paddr_t table);

/* Forget the VSpace at `vspace` as the holder of `asid`. */
void vspace_release_asid(word_t asid, paddr_t vspace);

/* Forget the ASID pool at `pool` (covering ASIDs from asid_base). */
void vspace_release_asid_pool(word_t asid_base, paddr_t pool);

/* The entry that maps `vaddr` at the deepest level the existing tables
 * reach (at most level 3); *level says which. */
pte_t *vspace_lookup_slot(pte_t *l0, vaddr_t vaddr, unsigned *level);

/* A user mapping of `paddr` at `level` with VM rights and the ABI's
 * attribute word (bit 0 cacheable, bit 2 execute-never). */
static inline pte_t vspace_make_user_pte(paddr_t paddr, unsigned level, word_t vm_rights,
                                         word_t attributes)
{
    pte_t pte = paddr | PTE_AF | PTE_NG | PTE_PXN | (level == 3 ? PTE_PAGE : PTE_BLOCK);
    if (attributes & 0x1) {
        pte |= PTE_ATTR(MAIR_NORMAL_WB) | PTE_SH_INNER;
    } else {
        pte |= PTE_ATTR(MAIR_DEVICE_nGnRnE);
    }
    if (attributes & 0x4) {
        pte |= PTE_UXN;
    }
    if (vm_rights == VM_READ_WRITE) {
        pte |= PTE_AP_EL0;
    } else if (vm_rights == VM_READ_ONLY) {
        pte |= PTE_AP_EL0 | PTE_AP_RO;
    } /* kernel only: AP 00, no EL0 access */
    return pte;
}

/* Write a mapping entry (replacing whatever was there) and make the TLB
 * forget the old translation of vaddr in asid. */
void vspace_write_entry(pte_t *entry, pte_t value, word_t asid, vaddr_t vaddr);

/* Zero a page table's entries (a table being unmapped for reuse). */
void vspace_clear_table(paddr_t table);

/* VM rights (VM_READ_ONLY, ...) of a user mapping entry. */
word_t vspace_entry_rights(pte_t entry);

/* Cache maintenance over physical [start, end) through the kernel window:
 * kind 0 clean, 1 invalidate, 2 clean+invalidate (to the point of
 * coherency), 3 unify instruction (clean to PoU, invalidate I-cache). */
void arch_cache_maintain(paddr_t start, paddr_t end, unsigned kind);
