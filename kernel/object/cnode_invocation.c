/* CNode methods (ABI 5.4.3): every check in the ABI's order, then the
 * operation. The destination (index, depth) in MR0/MR1 is common to all. */
#include <capability.h>
#include <cdt.h>
#include <delete.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/cnode.h>

exception_t cap_derive(invocation_t *inv, cte_t *slot, cap_t cap, cap_t *out)
{
    derive_ret_t d = cdt_derive(slot, cap);
    if (d.error == seL4_RevokeFirst) {
        return error_revoke_first(inv);
    }
    if (d.error != 0) {
        return error_illegal_operation(inv);
    }
    *out = d.cap;
    return EXCEPTION_NONE;
}

/* The source slot of Copy, Mint, Move and Mutate (which place the source
 * index and depth in the same registers): it must hold a cap. */
_Static_assert(KEEL_MR_CNodeMint_src_index == KEEL_MR_CNodeCopy_src_index &&
                   KEEL_MR_CNodeMove_src_index == KEEL_MR_CNodeCopy_src_index &&
                   KEEL_MR_CNodeMutate_src_depth == KEEL_MR_CNodeCopy_src_depth,
               "Copy, Mint, Move and Mutate share the source layout");
static exception_t lookup_source(invocation_t *inv, cte_t **src)
{
    word_t depth = inv_mr(inv, KEEL_MR_CNodeCopy_src_depth);
    exception_t status = lookup_slot_for_cnode_op(
        inv, true, inv_extra_cap(inv, 0), inv_mr(inv, KEEL_MR_CNodeCopy_src_index), depth, src);
    if (status == EXCEPTION_NONE && cap_is_null((*src)->cap)) {
        return error_failed_lookup(inv, true, lookup_fault_missing_capability(depth));
    }
    return status;
}

/* Copy, Mint, Move, Mutate. */
static exception_t decode_copy_family(invocation_t *inv, cte_t *dest)
{
    if (inv->length < KEEL_LEN_CNodeMove || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    cte_t *src;
    exception_t status = lookup_source(inv, &src);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    word_t label = inv->label;
    if (label == CNodeMove) {
        cdt_move(src->cap, src, dest);
        return EXCEPTION_NONE;
    }
    word_t needed = label == CNodeMint     ? KEEL_LEN_CNodeMint
                    : label == CNodeMutate ? KEEL_LEN_CNodeMutate
                                           : KEEL_LEN_CNodeCopy;
    if (inv->length < needed) {
        return error_truncated_message(inv);
    }
    if (label == CNodeMutate) {
        cap_t moved = cap_update_data(src->cap, true, inv_mr(inv, KEEL_MR_CNodeMutate_badge));
        if (cap_is_null(moved)) {
            return error_illegal_operation(inv);
        }
        cdt_move(moved, src, dest);
        return EXCEPTION_NONE;
    }
    _Static_assert(KEEL_MR_CNodeMint_rights == KEEL_MR_CNodeCopy_rights, "same rights register");
    cap_t cap = cap_mask_rights(src->cap, inv_mr(inv, KEEL_MR_CNodeCopy_rights));
    if (label == CNodeMint) {
        cap = cap_update_data(cap, false, inv_mr(inv, KEEL_MR_CNodeMint_badge));
    }
    cap_t derived;
    status = cap_derive(inv, src, cap, &derived);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (cap_is_null(derived)) {
        return error_illegal_operation(inv);
    }
    cdt_insert_derived(derived, src, dest);
    return EXCEPTION_NONE;
}

/* Rotate: the pivot's cap moves to dest, the source's cap to the pivot. */
static exception_t decode_rotate(invocation_t *inv, cte_t *dest)
{
    if (inv->length < KEEL_LEN_CNodeRotate || inv->extra_count < KEEL_NCAPS_CNodeRotate) {
        return error_truncated_message(inv);
    }
    word_t pivot_depth = inv_mr(inv, KEEL_MR_CNodeRotate_pivot_depth);
    word_t src_depth = inv_mr(inv, KEEL_MR_CNodeRotate_src_depth);
    cte_t *src;
    cte_t *pivot;
    exception_t status =
        lookup_slot_for_cnode_op(inv, true, inv_extra_cap(inv, KEEL_CAP_CNodeRotate_src_root),
                                 inv_mr(inv, KEEL_MR_CNodeRotate_src_index), src_depth, &src);
    if (status == EXCEPTION_NONE) {
        status = lookup_slot_for_cnode_op(
            inv, true, inv_extra_cap(inv, KEEL_CAP_CNodeRotate_pivot_root),
            inv_mr(inv, KEEL_MR_CNodeRotate_pivot_index), pivot_depth, &pivot);
    }
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (pivot == src || pivot == dest) {
        return error_illegal_operation(inv);
    }
    if (src != dest && !cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    if (cap_is_null(src->cap)) {
        return error_failed_lookup(inv, true, lookup_fault_missing_capability(src_depth));
    }
    if (cap_is_null(pivot->cap)) {
        return error_failed_lookup(inv, false, lookup_fault_missing_capability(pivot_depth));
    }
    cap_t to_dest = cap_update_data(pivot->cap, true, inv_mr(inv, KEEL_MR_CNodeRotate_dest_badge));
    cap_t to_pivot = cap_update_data(src->cap, true, inv_mr(inv, KEEL_MR_CNodeRotate_pivot_badge));
    if (cap_is_null(to_dest) || cap_is_null(to_pivot)) {
        return error_illegal_operation(inv);
    }
    if (src == dest) {
        cdt_swap(to_pivot, src, to_dest, pivot);
    } else {
        cdt_move(to_dest, pivot, dest);
        cdt_move(to_pivot, src, pivot);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_save_caller(invocation_t *inv, cte_t *dest)
{
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    cte_t *caller = tcb_slot(inv->thread, TCB_CALLER);
    if (!cap_is_null(caller->cap)) {
        cdt_move(caller->cap, caller, dest);
    }
    return EXCEPTION_NONE;
}

#define ENDPOINT_ALL_RIGHTS 0xf

static exception_t decode_cancel_badged_sends(invocation_t *inv, cte_t *dest)
{
    cap_t cap = dest->cap;
    if (cap_type(cap) != cap_endpoint || cap_rights(cap) != ENDPOINT_ALL_RIGHTS) {
        return error_illegal_operation(inv);
    }
    if (cap_badge(cap) != 0) {
        endpoint_cancel_badged_sends(cap_object(cap), cap_badge(cap));
    }
    return EXCEPTION_NONE;
}

exception_t decode_cnode_invocation(invocation_t *inv)
{
    if (inv->label < CNodeRevoke || inv->label > CNodeSaveCaller) {
        return error_illegal_operation(inv);
    }
    if (inv->length < 2) {
        return error_truncated_message(inv);
    }
    cte_t *dest;
    exception_t status =
        lookup_slot_for_cnode_op(inv, false, inv->cap, inv_mr(inv, 0), inv_mr(inv, 1), &dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    switch (inv->label) {
    case CNodeRevoke:
        return cte_revoke(dest);
    case CNodeDelete:
        return cte_delete(dest, true);
    case CNodeCancelBadgedSends:
        return decode_cancel_badged_sends(inv, dest);
    case CNodeRotate:
        return decode_rotate(inv, dest);
    case CNodeSaveCaller:
        return decode_save_caller(inv, dest);
    default:
        return decode_copy_family(inv, dest);
    }
}
