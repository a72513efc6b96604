/* CNode methods (ABI 5.4.3). The destination (index, depth) in MR0/MR1 is
 * common to all and looked up first; then each method's decode_ function
 * makes the rest of the checks in the ABI's order and returns what they
 * found, and its invoke_ function performs it. */
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

/* The cap Copy, Mint, Move or Mutate places in the destination. */
static exception_t decode_new_cap(invocation_t *inv, cte_t *src, cap_t *cap)
{
    word_t label = inv->label;
    if (label == CNodeMove) {
        *cap = src->cap;
        return EXCEPTION_NONE;
    }
    word_t needed = label == CNodeMint     ? KEEL_LEN_CNodeMint
                    : label == CNodeMutate ? KEEL_LEN_CNodeMutate
                                           : KEEL_LEN_CNodeCopy;
    if (inv->length < needed) {
        return error_truncated_message(inv);
    }
    if (label == CNodeMutate) {
        *cap = cap_update_data(src->cap, true, inv_mr(inv, KEEL_MR_CNodeMutate_badge));
    } else {
        _Static_assert(KEEL_MR_CNodeMint_rights == KEEL_MR_CNodeCopy_rights,
                       "same rights register");
        cap_t masked = cap_mask_rights(src->cap, inv_mr(inv, KEEL_MR_CNodeCopy_rights));
        if (label == CNodeMint) {
            masked = cap_update_data(masked, false, inv_mr(inv, KEEL_MR_CNodeMint_badge));
        }
        exception_t status = cap_derive(inv, src, masked, cap);
        if (status != EXCEPTION_NONE) {
            return status;
        }
    }
    return cap_is_null(*cap) ? error_illegal_operation(inv) : EXCEPTION_NONE;
}

/* Copy, Mint, Move, Mutate: the source slot and the cap for the
 * destination; Move and Mutate move it, Copy and Mint derive it. */
typedef struct copy_args {
    cte_t *src;
    cap_t cap;
    bool move;
} copy_args_t;

static exception_t decode_copy_family(invocation_t *inv, const cte_t *dest, copy_args_t *a)
{
    if (inv->length < KEEL_LEN_CNodeMove || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    exception_t status = lookup_source(inv, &a->src);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    a->move = inv->label == CNodeMove || inv->label == CNodeMutate;
    return decode_new_cap(inv, a->src, &a->cap);
}

static void invoke_copy_family(const copy_args_t *a, cte_t *dest)
{
    if (a->move) {
        cdt_move(a->cap, a->src, dest);
    } else {
        cdt_insert_derived(a->cap, a->src, dest);
    }
}

/* Rotate: the pivot's cap moves to dest, the source's cap to the pivot,
 * each with its new badge. */
typedef struct rotate_args {
    cte_t *src;
    cte_t *pivot;
    cap_t to_dest;
    cap_t to_pivot;
} rotate_args_t;

/* The source and pivot slots of Rotate. */
static exception_t decode_rotate_slots(invocation_t *inv, word_t src_depth, word_t pivot_depth,
                                       rotate_args_t *a)
{
    exception_t status =
        lookup_slot_for_cnode_op(inv, true, inv_extra_cap(inv, KEEL_CAP_CNodeRotate_src_root),
                                 inv_mr(inv, KEEL_MR_CNodeRotate_src_index), src_depth, &a->src);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return lookup_slot_for_cnode_op(inv, true, inv_extra_cap(inv, KEEL_CAP_CNodeRotate_pivot_root),
                                    inv_mr(inv, KEEL_MR_CNodeRotate_pivot_index), pivot_depth,
                                    &a->pivot);
}

static exception_t decode_rotate(invocation_t *inv, const cte_t *dest, rotate_args_t *a)
{
    if (inv->length < KEEL_LEN_CNodeRotate || inv->extra_count < KEEL_NCAPS_CNodeRotate) {
        return error_truncated_message(inv);
    }
    word_t pivot_depth = inv_mr(inv, KEEL_MR_CNodeRotate_pivot_depth);
    word_t src_depth = inv_mr(inv, KEEL_MR_CNodeRotate_src_depth);
    exception_t status = decode_rotate_slots(inv, src_depth, pivot_depth, a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (a->pivot == a->src || a->pivot == dest) {
        return error_illegal_operation(inv);
    }
    if (a->src != dest && !cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    if (cap_is_null(a->src->cap)) {
        return error_failed_lookup(inv, true, lookup_fault_missing_capability(src_depth));
    }
    if (cap_is_null(a->pivot->cap)) {
        return error_failed_lookup(inv, false, lookup_fault_missing_capability(pivot_depth));
    }
    a->to_dest = cap_update_data(a->pivot->cap, true, inv_mr(inv, KEEL_MR_CNodeRotate_dest_badge));
    a->to_pivot = cap_update_data(a->src->cap, true, inv_mr(inv, KEEL_MR_CNodeRotate_pivot_badge));
    if (cap_is_null(a->to_dest) || cap_is_null(a->to_pivot)) {
        return error_illegal_operation(inv);
    }
    return EXCEPTION_NONE;
}

static void invoke_rotate(const rotate_args_t *a, cte_t *dest)
{
    if (a->src == dest) {
        cdt_swap(a->to_pivot, a->src, a->to_dest, a->pivot);
    } else {
        cdt_move(a->to_dest, a->pivot, dest);
        cdt_move(a->to_pivot, a->src, a->pivot);
    }
}

/* SaveCaller: the caller's reply cap (if any) moves to the empty dest. */
static exception_t decode_save_caller(invocation_t *inv, const cte_t *dest)
{
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    return EXCEPTION_NONE;
}

static void invoke_save_caller(tcb_t *thread, cte_t *dest)
{
    cte_t *caller = tcb_slot(thread, TCB_CALLER);
    if (!cap_is_null(caller->cap)) {
        cdt_move(caller->cap, caller, dest);
    }
}

#define ENDPOINT_ALL_RIGHTS 0xf

/* CancelBadgedSends: dest must hold an endpoint cap with all rights. */
static exception_t decode_cancel_badged_sends(invocation_t *inv, const cte_t *dest)
{
    cap_t cap = dest->cap;
    if (cap_type(cap) != cap_endpoint || cap_rights(cap) != ENDPOINT_ALL_RIGHTS) {
        return error_illegal_operation(inv);
    }
    return EXCEPTION_NONE;
}

/* An unbadged cap cancels nothing (badge 0 is "no badge"). */
static void invoke_cancel_badged_sends(cap_t endpoint)
{
    if (cap_badge(endpoint) != 0) {
        endpoint_cancel_badged_sends(cap_object(endpoint), cap_badge(endpoint));
    }
}

/* The check common to all methods: the destination slot. */
static exception_t decode_destination(invocation_t *inv, cte_t **dest)
{
    if (inv->length < 2) {
        return error_truncated_message(inv);
    }
    return lookup_slot_for_cnode_op(inv, false, inv->cap, inv_mr(inv, 0), inv_mr(inv, 1), dest);
}

/* Revoke and Delete have nothing to check but the destination; they are
 * preemptible by design (delete.h): their progress lives in the objects and
 * the restarted call finds it there. */
exception_t decode_cnode_invocation(invocation_t *inv)
{
    if (inv->label < CNodeRevoke || inv->label > CNodeSaveCaller) {
        return error_illegal_operation(inv);
    }
    cte_t *dest;
    exception_t status = decode_destination(inv, &dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    switch (inv->label) {
    case CNodeRevoke:
        return cte_revoke(dest);
    case CNodeDelete:
        return cte_delete(dest, true);
    case CNodeCancelBadgedSends:
        status = decode_cancel_badged_sends(inv, dest);
        if (status == EXCEPTION_NONE) {
            invoke_cancel_badged_sends(dest->cap);
        }
        return status;
    case CNodeRotate: {
        rotate_args_t a;
        status = decode_rotate(inv, dest, &a);
        if (status == EXCEPTION_NONE) {
            invoke_rotate(&a, dest);
        }
        return status;
    }
    case CNodeSaveCaller:
        status = decode_save_caller(inv, dest);
        if (status == EXCEPTION_NONE) {
            invoke_save_caller(inv->thread, dest);
        }
        return status;
    default: {
        copy_args_t a;
        status = decode_copy_family(inv, dest, &a);
        if (status == EXCEPTION_NONE) {
            invoke_copy_family(&a, dest);
        }
        return status;
    }
    }
}
