/* Invocations of page tables, frames and VSpaces (ABI 5.4.6). Each method's
 * decode_ function makes every check in the ABI's order and returns what
 * the perform needs (the entry to write, the range to maintain); its
 * invoke_ function performs it and cannot fail. */
#include <arch/vspace.h>
#include <arch/vspace_invocation.h>
#include <capability.h>
#include <cdt.h>
#include <keel/gen/abi.h>

/* The top-level table of a VSpace cap that has an ASID, if that ASID still
 * names it; a stale cap is reported as the invalid cap `cap_number`. */
static ALWAYS_INLINE exception_t lookup_vspace_root(invocation_t *inv, cap_t vspace,
                                                    word_t cap_number, pte_t **l0)
{
    *l0 = vspace_for_asid(cap_vspace_asid(vspace));
    if (*l0 == NULL) {
        return error_failed_lookup(inv, false, lookup_fault_invalid_root());
    }
    if (*l0 != cap_object(vspace)) {
        return error_invalid_capability(inv, cap_number);
    }
    return EXCEPTION_NONE;
}

/* Extra cap 0 of the Map methods must be a VSpace cap with an ASID. */
static ALWAYS_INLINE exception_t check_map_vspace(invocation_t *inv, cap_t vspace)
{
    if (cap_type(vspace) != cap_vspace || !cap_vspace_has_asid(vspace)) {
        return error_invalid_capability(inv, 1);
    }
    return EXCEPTION_NONE;
}

/* A page-table Map: the empty entry at `level` that will point to the table. */
typedef struct page_table_map_args {
    pte_t *entry;
    unsigned level;
    word_t asid;
    vaddr_t vaddr;
} page_table_map_args_t;

static exception_t decode_page_table_map(invocation_t *inv, page_table_map_args_t *a)
{
    if (inv->length < KEEL_LEN_ARMPageTableMap || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    if (cap_pt_is_mapped(inv->cap)) {
        return error_invalid_capability(inv, 0);
    }
    cap_t vspace = inv_extra_cap(inv, 0);
    exception_t status = check_map_vspace(inv, vspace);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    a->vaddr = inv_mr(inv, KEEL_MR_ARMPageTableMap_vaddr);
    if (a->vaddr > USER_TOP) {
        return error_invalid_argument(inv, 0);
    }
    pte_t *l0;
    status = lookup_vspace_root(inv, vspace, 1, &l0);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    a->asid = cap_vspace_asid(vspace);
    a->entry = vspace_lookup_slot(l0, a->vaddr, &a->level);
    if (a->level == 3 || (*a->entry & PTE_VALID)) {
        return error_delete_first(inv);
    }
    return EXCEPTION_NONE;
}

static void invoke_page_table_map(invocation_t *inv, const page_table_map_args_t *a)
{
    paddr_t table = cap_paddr(inv->cap);
    *a->entry = table | PTE_VALID | PTE_TABLE;
    dsb_ishst();
    vaddr_t base = ROUND_DOWN(a->vaddr, pt_level_shift(a->level));
    inv->slot->cap = cap_page_table_new(table, a->level + 1, a->asid, base);
}

/* A page table is unmapped through its last cap only: copies could still
 * name the mapping. */
static exception_t decode_page_table_unmap(invocation_t *inv)
{
    if (!cdt_is_final(inv->slot)) {
        return error_revoke_first(inv);
    }
    return EXCEPTION_NONE;
}

static void invoke_page_table_unmap(invocation_t *inv)
{
    cap_t cap = inv->cap;
    if (cap_pt_is_mapped(cap)) {
        vspace_unmap_page_table(cap_mapped_asid(cap), cap_mapped_vaddr(cap),
                                (unsigned)cap_pt_level(cap), cap_paddr(cap));
        vspace_clear_table(cap_paddr(cap));
    }
    inv->slot->cap =
        cap_with_pt_is_mapped(cap_with_mapped_asid(cap_with_mapped_vaddr(cap, 0), 0), 0);
}

/* A frame Map: the entry to write and where. */
typedef struct page_map_args {
    pte_t *entry;
    pte_t pte;
    word_t asid;
    vaddr_t vaddr;
} page_map_args_t;

/* The address of a frame Map: aligned to the frame's size and inside user
 * space; a mapped frame can only be mapped again (new rights or attributes)
 * at its address in its VSpace. */
static exception_t check_page_map_address(invocation_t *inv, cap_t frame, word_t asid,
                                          vaddr_t vaddr)
{
    unsigned bits = cap_frame_size_bits(frame);
    if (!IS_ALIGNED(vaddr, bits)) {
        return error_alignment(inv);
    }
    if (cap_mapped_asid(frame) != 0) {
        if (cap_mapped_asid(frame) != asid) {
            return error_invalid_capability(inv, 1);
        }
        if (cap_mapped_vaddr(frame) != vaddr) {
            return error_invalid_argument(inv, 0);
        }
    } else if (vaddr + MASK(bits) > USER_TOP || vaddr + MASK(bits) < vaddr) {
        return error_invalid_argument(inv, 0);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_page_map(invocation_t *inv, page_map_args_t *a)
{
    if (inv->length < KEEL_LEN_ARMPageMap || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t vspace = inv_extra_cap(inv, 0);
    pte_t *l0;
    exception_t status = check_map_vspace(inv, vspace);
    if (status == EXCEPTION_NONE) {
        status = lookup_vspace_root(inv, vspace, 1, &l0);
    }
    if (status != EXCEPTION_NONE) {
        return status;
    }
    cap_t frame = inv->cap;
    a->asid = cap_vspace_asid(vspace);
    a->vaddr = inv_mr(inv, KEEL_MR_ARMPageMap_vaddr);
    status = check_page_map_address(inv, frame, a->asid, a->vaddr);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    unsigned level;
    a->entry = vspace_lookup_slot(l0, a->vaddr, &level);
    if (pt_level_shift(level) != cap_frame_size_bits(frame)) {
        return error_failed_lookup(inv, false,
                                   lookup_fault_missing_capability(pt_level_shift(level)));
    }
    word_t vm_rights =
        vm_rights_mask(cap_frame_vm_rights(frame), inv_mr(inv, KEEL_MR_ARMPageMap_rights));
    a->pte = vspace_make_user_pte(cap_paddr(frame), level, vm_rights,
                                  inv_mr(inv, KEEL_MR_ARMPageMap_attr));
    return EXCEPTION_NONE;
}

static void invoke_page_map(invocation_t *inv, const page_map_args_t *a)
{
    vspace_write_entry(a->entry, a->pte, a->asid, a->vaddr);
    inv->slot->cap = cap_with_mapped_vaddr(cap_with_mapped_asid(inv->cap, a->asid), a->vaddr);
}

/* Unmap has nothing to check: an unmapped frame stays unmapped. */
static void invoke_page_unmap(invocation_t *inv)
{
    cap_t frame = inv->cap;
    if (cap_mapped_asid(frame) != 0) {
        vspace_unmap_frame(cap_mapped_asid(frame), cap_mapped_vaddr(frame), cap_paddr(frame),
                           cap_frame_size_bits(frame));
    }
    inv->slot->cap = cap_with_mapped_vaddr(cap_with_mapped_asid(frame, 0), 0);
}

/* GetAddress has nothing to check either: the reply is the frame's address. */
static void invoke_page_get_address(invocation_t *inv)
{
    inv_reply_mr(inv, 0, cap_paddr(inv->cap));
}

/* Does the mapping recorded in the frame cap still exist? Its entry. */
static pte_t *frame_mapping_entry(cap_t frame, pte_t *l0)
{
    unsigned level;
    pte_t *slot = vspace_lookup_slot(l0, cap_mapped_vaddr(frame), &level);
    if (pt_level_shift(level) != cap_frame_size_bits(frame) || !(*slot & PTE_VALID) ||
        (*slot & PTE_ADDR_MASK) != cap_paddr(frame)) {
        return NULL;
    }
    return slot;
}

/* The four cache-maintenance labels of a kind, in ABI order. */
static unsigned cache_kind(word_t label, word_t first)
{
    return (unsigned)(label - first);
}

/* Cache maintenance of the physical range [start, end); an empty range
 * (a VSpace range that is not mapped) does nothing. */
typedef struct cache_args {
    paddr_t start, end;
    unsigned kind;
} cache_args_t;

static void invoke_cache_maintenance(const cache_args_t *a)
{
    if (a->start != a->end) {
        arch_cache_maintain(a->start, a->end, a->kind);
    }
}

static exception_t decode_page_cache(invocation_t *inv, cache_args_t *a)
{
    if (inv->length < 2) {
        return error_truncated_message(inv);
    }
    cap_t frame = inv->cap;
    if (cap_mapped_asid(frame) == 0) {
        return error_illegal_operation(inv);
    }
    pte_t *l0 = vspace_for_asid(cap_mapped_asid(frame));
    if (l0 == NULL) {
        return error_failed_lookup(inv, false, lookup_fault_invalid_root());
    }
    word_t start = inv_mr(inv, KEEL_MR_ARMPageClean_Data_start_offset);
    word_t end = inv_mr(inv, KEEL_MR_ARMPageClean_Data_end_offset);
    if (end <= start) {
        return error_invalid_argument(inv, 1);
    }
    word_t size = BIT(cap_frame_size_bits(frame));
    if (start >= size || end > size) {
        return error_invalid_argument(inv, 0);
    }
    pte_t *entry = frame_mapping_entry(frame, l0);
    if (entry == NULL) {
        return error_invalid_capability(inv, 0);
    }
    a->kind = cache_kind(inv->label, ARMPageClean_Data);
    if (a->kind == 1 && vspace_entry_rights(*entry) != VM_READ_WRITE) {
        return error_illegal_operation(inv);
    }
    a->start = cap_paddr(frame) + start;
    a->end = cap_paddr(frame) + end;
    return EXCEPTION_NONE;
}

exception_t decode_frame_invocation(invocation_t *inv)
{
    exception_t status;
    switch (inv->label) {
    case ARMPageMap: {
        page_map_args_t a;
        status = decode_page_map(inv, &a);
        if (status == EXCEPTION_NONE) {
            invoke_page_map(inv, &a);
        }
        return status;
    }
    case ARMPageUnmap:
        invoke_page_unmap(inv);
        return EXCEPTION_NONE;
    case ARMPageClean_Data:
    case ARMPageInvalidate_Data:
    case ARMPageCleanInvalidate_Data:
    case ARMPageUnify_Instruction: {
        cache_args_t a;
        status = decode_page_cache(inv, &a);
        if (status == EXCEPTION_NONE) {
            invoke_cache_maintenance(&a);
        }
        return status;
    }
    case ARMPageGetAddress:
        invoke_page_get_address(inv);
        return EXCEPTION_NONE;
    default:
        return error_illegal_operation(inv);
    }
}

exception_t decode_page_table_invocation(invocation_t *inv)
{
    exception_t status;
    switch (inv->label) {
    case ARMPageTableMap: {
        page_table_map_args_t a;
        status = decode_page_table_map(inv, &a);
        if (status == EXCEPTION_NONE) {
            invoke_page_table_map(inv, &a);
        }
        return status;
    }
    case ARMPageTableUnmap:
        status = decode_page_table_unmap(inv);
        if (status == EXCEPTION_NONE) {
            invoke_page_table_unmap(inv);
        }
        return status;
    default:
        return error_illegal_operation(inv);
    }
}

/* The physical range behind [start, end) of the VSpace's user addresses:
 * only within the one mapping that contains start. */
static exception_t decode_vspace_range(invocation_t *inv, pte_t *l0, vaddr_t start, vaddr_t end,
                                       cache_args_t *a)
{
    unsigned level;
    pte_t *slot = vspace_lookup_slot(l0, start, &level);
    if (level == 0 || !(*slot & PTE_VALID) || (level < 3 && (*slot & PTE_TABLE))) {
        a->start = a->end = 0; /* not mapped: nothing to do */
        return EXCEPTION_NONE;
    }
    unsigned bits = pt_level_shift(level);
    vaddr_t page_end = ROUND_DOWN(start, bits) + BIT(bits);
    if (end > page_end) {
        return error_range(inv, start, page_end - 1);
    }
    if (a->kind == 1 && vspace_entry_rights(*slot) != VM_READ_WRITE) {
        return error_illegal_operation(inv);
    }
    a->start = (*slot & PTE_ADDR_MASK) + (start & MASK(bits));
    a->end = a->start + (end - start);
    return EXCEPTION_NONE;
}

/* VSpace cache maintenance over [start, end) of user addresses. */
static exception_t decode_vspace_cache(invocation_t *inv, cache_args_t *a)
{
    if (inv->length < 2) {
        return error_truncated_message(inv);
    }
    vaddr_t start = inv_mr(inv, KEEL_MR_ARMVSpaceClean_Data_start);
    vaddr_t end = inv_mr(inv, KEEL_MR_ARMVSpaceClean_Data_end);
    if (end <= start) {
        return error_invalid_argument(inv, 1);
    }
    if (end > USER_TOP) {
        return error_illegal_operation(inv);
    }
    cap_t cap = inv->cap;
    if (!cap_vspace_has_asid(cap)) {
        return error_invalid_capability(inv, 0);
    }
    pte_t *l0;
    exception_t status = lookup_vspace_root(inv, cap, 0, &l0);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    a->kind = cache_kind(inv->label, ARMVSpaceClean_Data);
    return decode_vspace_range(inv, l0, start, end, a);
}

exception_t decode_vspace_invocation(invocation_t *inv)
{
    if (inv->label < ARMVSpaceClean_Data || inv->label > ARMVSpaceUnify_Instruction) {
        return error_illegal_operation(inv);
    }
    cache_args_t a;
    exception_t status = decode_vspace_cache(inv, &a);
    if (status == EXCEPTION_NONE) {
        invoke_cache_maintenance(&a);
    }
    return status;
}
