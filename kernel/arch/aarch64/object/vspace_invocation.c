/* Invocations of page tables, frames and VSpaces (ABI 5.4.6), with every
 * check in the ABI's order. */
#include <arch/vspace.h>
#include <capability.h>
#include <cdt.h>
#include <keel/gen/abi.h>
#include <arch/vspace_invocation.h>

/* The VSpace named by extra cap 0 of Map: a VSpace cap with an ASID that
 * still names it. */
static ALWAYS_INLINE exception_t lookup_map_vspace(invocation_t *inv, pte_t **l0, word_t *asid)
{
    cap_t vspace = inv_extra_cap(inv, 0);
    if (cap_type(vspace) != cap_vspace || !cap_vspace_has_asid(vspace)) {
        return error_invalid_capability(inv, 1);
    }
    *asid = cap_vspace_asid(vspace);
    *l0 = vspace_for_asid(*asid);
    if (*l0 == NULL) {
        return error_failed_lookup(inv, false, lookup_fault_invalid_root());
    }
    if (*l0 != cap_object(vspace)) {
        return error_invalid_capability(inv, 1);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_page_table_map(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_ARMPageTableMap || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    if (cap_pt_is_mapped(inv->cap)) {
        return error_invalid_capability(inv, 0);
    }
    cap_t vspace = inv_extra_cap(inv, 0);
    if (cap_type(vspace) != cap_vspace || !cap_vspace_has_asid(vspace)) {
        return error_invalid_capability(inv, 1);
    }
    vaddr_t vaddr = inv_mr(inv, KEEL_MR_ARMPageTableMap_vaddr);
    if (vaddr > USER_TOP) {
        return error_invalid_argument(inv, 0);
    }
    pte_t *l0;
    word_t asid;
    exception_t status = lookup_map_vspace(inv, &l0, &asid);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    unsigned level;
    pte_t *slot = vspace_lookup_slot(l0, vaddr, &level);
    if (level == 3 || (*slot & PTE_VALID)) {
        return error_delete_first(inv);
    }
    *slot = cap_paddr(inv->cap) | PTE_VALID | PTE_TABLE;
    dsb_ishst();
    vaddr_t base = ROUND_DOWN(vaddr, pt_level_shift(level));
    inv->slot->cap = cap_page_table_new(cap_paddr(inv->cap), level + 1, asid, base);
    return EXCEPTION_NONE;
}

static exception_t decode_page_table_unmap(invocation_t *inv)
{
    if (!cdt_is_final(inv->slot)) {
        return error_revoke_first(inv);
    }
    cap_t cap = inv->cap;
    if (cap_pt_is_mapped(cap)) {
        vspace_unmap_page_table(cap_mapped_asid(cap), cap_mapped_vaddr(cap),
                                (unsigned)cap_pt_level(cap), cap_paddr(cap));
        vspace_clear_table(cap_paddr(cap));
    }
    inv->slot->cap = cap_with_pt_is_mapped(cap_with_mapped_asid(cap_with_mapped_vaddr(cap, 0), 0),
                                           0);
    return EXCEPTION_NONE;
}

static exception_t decode_page_map(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_ARMPageMap || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    pte_t *l0;
    word_t asid;
    exception_t status = lookup_map_vspace(inv, &l0, &asid);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    cap_t frame = inv->cap;
    unsigned bits = cap_frame_size_bits(frame);
    vaddr_t vaddr = inv_mr(inv, KEEL_MR_ARMPageMap_vaddr);
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
    unsigned level;
    pte_t *slot = vspace_lookup_slot(l0, vaddr, &level);
    if (pt_level_shift(level) != bits) {
        return error_failed_lookup(inv, false,
                                   lookup_fault_missing_capability(pt_level_shift(level)));
    }
    word_t vm_rights = vm_rights_mask(cap_frame_vm_rights(frame),
                                      inv_mr(inv, KEEL_MR_ARMPageMap_rights));
    pte_t pte = vspace_make_user_pte(cap_paddr(frame), level, vm_rights,
                                     inv_mr(inv, KEEL_MR_ARMPageMap_attr));
    vspace_write_entry(slot, pte, asid, vaddr);
    inv->slot->cap = cap_with_mapped_vaddr(cap_with_mapped_asid(frame, asid), vaddr);
    return EXCEPTION_NONE;
}

static exception_t decode_page_unmap(invocation_t *inv)
{
    cap_t frame = inv->cap;
    if (cap_mapped_asid(frame) != 0) {
        vspace_unmap_frame(cap_mapped_asid(frame), cap_mapped_vaddr(frame), cap_paddr(frame),
                           cap_frame_size_bits(frame));
    }
    inv->slot->cap = cap_with_mapped_vaddr(cap_with_mapped_asid(frame, 0), 0);
    return EXCEPTION_NONE;
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

static exception_t decode_page_cache(invocation_t *inv)
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
    unsigned kind = cache_kind(inv->label, ARMPageClean_Data);
    if (kind == 1 && vspace_entry_rights(*entry) != VM_READ_WRITE) {
        return error_illegal_operation(inv);
    }
    arch_cache_maintain(cap_paddr(frame) + start, cap_paddr(frame) + end, kind);
    return EXCEPTION_NONE;
}

exception_t decode_frame_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case ARMPageMap:
        return decode_page_map(inv);
    case ARMPageUnmap:
        return decode_page_unmap(inv);
    case ARMPageClean_Data:
    case ARMPageInvalidate_Data:
    case ARMPageCleanInvalidate_Data:
    case ARMPageUnify_Instruction:
        return decode_page_cache(inv);
    case ARMPageGetAddress:
        inv_reply_mr(inv, 0, cap_paddr(inv->cap));
        return EXCEPTION_NONE;
    default:
        return error_illegal_operation(inv);
    }
}

exception_t decode_page_table_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case ARMPageTableMap:
        return decode_page_table_map(inv);
    case ARMPageTableUnmap:
        return decode_page_table_unmap(inv);
    default:
        return error_illegal_operation(inv);
    }
}

/* VSpace cache maintenance over [start, end) of user addresses: only
 * within the one mapping that contains start. */
exception_t decode_vspace_invocation(invocation_t *inv)
{
    if (inv->label < ARMVSpaceClean_Data || inv->label > ARMVSpaceUnify_Instruction) {
        return error_illegal_operation(inv);
    }
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
    pte_t *l0 = vspace_for_asid(cap_vspace_asid(cap));
    if (l0 == NULL) {
        return error_failed_lookup(inv, false, lookup_fault_invalid_root());
    }
    if (l0 != cap_object(cap)) {
        return error_invalid_capability(inv, 0);
    }
    unsigned level;
    pte_t *slot = vspace_lookup_slot(l0, start, &level);
    if (level == 0 || !(*slot & PTE_VALID) || (level < 3 && (*slot & PTE_TABLE))) {
        return EXCEPTION_NONE; /* not mapped: nothing to do */
    }
    unsigned bits = pt_level_shift(level);
    vaddr_t page_end = ROUND_DOWN(start, bits) + BIT(bits);
    if (end > page_end) {
        return error_range(inv, start, page_end - 1);
    }
    unsigned kind = cache_kind(inv->label, ARMVSpaceClean_Data);
    if (kind == 1 && vspace_entry_rights(*slot) != VM_READ_WRITE) {
        return error_illegal_operation(inv);
    }
    paddr_t base = (*slot & PTE_ADDR_MASK) + (start & MASK(bits));
    arch_cache_maintain(base, base + (end - start), kind);
    return EXCEPTION_NONE;
}
