/* ASID control and ASID pools (ABI 5.4.6): 128 pools of 512 ASIDs; ASID 0
 * is never handed out. ks_asid_table maps a pool number to its pool object,
 * a pool maps each of its ASIDs to a VSpace. */
#include <arch/vspace.h>
#include <arch/vspace_invocation.h>
#include <cdt.h>
#include <keel/gen/abi.h>

#define ASID_POOL_SIZE BIT(ASID_POOL_BITS)

static exception_t decode_make_pool(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_ARMASIDControlMakePool || inv->extra_count < 2) {
        return error_truncated_message(inv);
    }
    word_t pool_number = 0;
    while (pool_number < ASID_POOL_COUNT && ks_asid_table[pool_number] != 0) {
        pool_number++;
    }
    if (pool_number == ASID_POOL_COUNT) {
        return error_delete_first(inv);
    }
    cte_t *untyped_slot = inv->extra[KEEL_CAP_ARMASIDControlMakePool_untyped];
    cap_t untyped = untyped_slot->cap;
    if (cap_type(untyped) != cap_untyped || cap_untyped_size_bits(untyped) != PAGE_BITS ||
        cap_untyped_is_device(untyped)) {
        return error_invalid_capability(inv, 1);
    }
    if (cdt_has_children(untyped_slot)) {
        return error_revoke_first(inv);
    }
    cte_t *dest;
    exception_t status = lookup_slot_for_cnode_op(
        inv, false, inv_extra_cap(inv, KEEL_CAP_ARMASIDControlMakePool_root),
        inv_mr(inv, KEEL_MR_ARMASIDControlMakePool_index),
        inv_mr(inv, KEEL_MR_ARMASIDControlMakePool_depth), &dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    paddr_t pool = cap_paddr(untyped);
    memset(paddr_to_ptr(pool), 0, PAGE_SIZE);
    untyped_slot->cap = cap_with_untyped_free_index(untyped, PAGE_SIZE);
    cdt_insert_retyped(cap_asid_pool_new(pool, pool_number << ASID_POOL_BITS), untyped_slot, dest);
    ks_asid_table[pool_number] = pool;
    return EXCEPTION_NONE;
}

exception_t decode_asid_control_invocation(invocation_t *inv)
{
    if (inv->label != ARMASIDControlMakePool) {
        return error_illegal_operation(inv);
    }
    return decode_make_pool(inv);
}

exception_t decode_asid_pool_invocation(invocation_t *inv)
{
    if (inv->label != ARMASIDPoolAssign) {
        return error_illegal_operation(inv);
    }
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cte_t *vspace_slot = inv->extra[KEEL_CAP_ARMASIDPoolAssign_vspace];
    cap_t vspace = vspace_slot->cap;
    if (cap_type(vspace) != cap_vspace || cap_vspace_has_asid(vspace)) {
        return error_invalid_capability(inv, 1);
    }
    word_t base = cap_asid_base(inv->cap);
    paddr_t pool = ks_asid_table[(base >> ASID_POOL_BITS) % ASID_POOL_COUNT];
    if (pool == 0) {
        return error_failed_lookup(inv, false, lookup_fault_invalid_root());
    }
    if (pool != cap_paddr(inv->cap)) {
        return error_invalid_capability(inv, 0);
    }
    paddr_t *entries = paddr_to_ptr(pool);
    word_t index = base == 0 ? 1 : 0; /* ASID 0 is never handed out */
    while (index < ASID_POOL_SIZE && entries[index] != 0) {
        index++;
    }
    if (index == ASID_POOL_SIZE) {
        return error_delete_first(inv);
    }
    entries[index] = cap_paddr(vspace);
    vspace_slot->cap = cap_vspace_new(cap_paddr(vspace), base + index);
    return EXCEPTION_NONE;
}
