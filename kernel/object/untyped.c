/* Untyped_Retype (ABI 4.3, 5.4.1): decode_untyped_retype makes every check in
 * the ABI's order and changes nothing; invoke_untyped_retype then carves the
 * objects from the untyped's free space.
 *
 * Memory invariant: the part of an untyped above its free index is zero.
 * Untypeds given out at boot start fully "used"; an untyped whose children
 * are all gone is reset before its next use: the used part is zeroed, from
 * the top down in chunks, lowering the free index as it goes so that a
 * preempted reset resumes where it stopped. New objects therefore always
 * start in zeroed memory. Device memory is never written. */
#include <arch/arch.h>
#include <cdt.h>
#include <config.h>
#include <keel/gen/abi.h>
#include <object/untyped.h>
#include <objecttype.h>

#define FREE_INDEX_GRANULE_BITS 4 /* objects are at least 16-byte aligned */

typedef struct retype_args {
    word_t type;
    word_t user_size;
    word_t object_bits;
    cte_t *dest_cnode_slots;
    word_t offset;
    word_t count;
    bool reset;
} retype_args_t;

/* Checks 3-5: type and size. */
static exception_t check_type_and_size(invocation_t *inv, retype_args_t *a)
{
    if (a->type >= seL4_ObjectTypeCount) {
        return error_invalid_argument(inv, 0);
    }
    if (a->user_size >= WORD_BITS) {
        return error_range(inv, 0, 47);
    }
    a->object_bits = object_size_bits(a->type, a->user_size);
    if (a->object_bits > 47) {
        return error_range(inv, 0, 47);
    }
    if (a->type == seL4_CapTableObject && a->user_size == 0) {
        return error_invalid_argument(inv, 1);
    }
    if (a->type == seL4_UntypedObject && a->user_size < 4) {
        return error_invalid_argument(inv, 1);
    }
    return EXCEPTION_NONE;
}

/* Checks 6-11: the destination CNode window [offset, offset + count). */
static exception_t check_destination(invocation_t *inv, retype_args_t *a)
{
    cap_t root = inv_extra_cap(inv, 0);
    word_t index = inv_mr(inv, KEEL_MR_UntypedRetype_node_index);
    word_t depth = inv_mr(inv, KEEL_MR_UntypedRetype_node_depth);
    cap_t dest = root;
    if (depth != 0) {
        cte_t *slot;
        exception_t status = lookup_slot_for_cnode_op(inv, false, root, index, depth, &slot);
        if (status != EXCEPTION_NONE) {
            return status;
        }
        dest = slot->cap;
    }
    if (cap_type(dest) != cap_cnode) {
        return error_failed_lookup(inv, false, lookup_fault_missing_capability(depth));
    }
    word_t slots = BIT(cap_cnode_radix(dest));
    if (a->offset > slots - 1) {
        return error_range(inv, 0, slots - 1);
    }
    if (a->count < 1 || a->count > CONFIG_RETYPE_FAN_OUT_LIMIT) {
        return error_range(inv, 1, CONFIG_RETYPE_FAN_OUT_LIMIT);
    }
    if (a->count > slots - a->offset) {
        return error_range(inv, 1, slots - a->offset);
    }
    a->dest_cnode_slots = cnode_slot(dest, 0);
    for (word_t i = a->offset; i < a->offset + a->count; i++) {
        if (!cap_is_null(a->dest_cnode_slots[i].cap)) {
            return error_delete_first(inv);
        }
    }
    return EXCEPTION_NONE;
}

/* Checks 12-13: room in the untyped, and device-memory rules. */
static exception_t check_memory(invocation_t *inv, retype_args_t *a)
{
    cap_t untyped = inv->cap;
    a->reset = !cdt_has_children(inv->slot);
    word_t free_index = a->reset ? 0 : cap_untyped_free_index(untyped);
    word_t available = BIT(cap_untyped_size_bits(untyped)) - free_index;
    if (a->object_bits >= WORD_BITS || (available >> a->object_bits) < a->count) {
        return error_not_enough_memory(inv, available);
    }
    if (cap_untyped_is_device(untyped) && !object_allowed_in_device_memory(a->type)) {
        return error_invalid_argument(inv, 1);
    }
    return EXCEPTION_NONE;
}

/* Zero the used part of the untyped in `slot`, top down, chunk by chunk;
 * the cap's free index records the progress. */
static exception_t reset_untyped(cte_t *slot)
{
    cap_t cap = slot->cap;
    word_t free_index = cap_untyped_free_index(cap);
    if (cap_untyped_is_device(cap) || free_index == 0) {
        slot->cap = cap_with_untyped_free_index(cap, 0);
        return EXCEPTION_NONE;
    }
    paddr_t base = cap_paddr(cap);
    while (free_index > 0) {
        word_t chunk_start = ROUND_DOWN(free_index - 1, CONFIG_RESET_CHUNK_BITS);
        arch_zero_memory(paddr_to_ptr(base + chunk_start), free_index - chunk_start);
        free_index = chunk_start;
        slot->cap = cap_with_untyped_free_index(slot->cap, free_index);
        if (free_index > 0 && preemption_point() != EXCEPTION_NONE) {
            return EXCEPTION_PREEMPTED;
        }
    }
    return EXCEPTION_NONE;
}

/* Create the objects; only the reset of an untyped whose children are all
 * gone can be preempted (EXCEPTION_PREEMPTED): its progress is in the cap's
 * free index, and the restarted Retype decodes again and finds it there. */
static exception_t invoke_untyped_retype(invocation_t *inv, const retype_args_t *a)
{
    cte_t *slot = inv->slot;
    if (a->reset) {
        exception_t status = reset_untyped(slot);
        if (status != EXCEPTION_NONE) {
            return status;
        }
    }
    cap_t untyped = slot->cap;
    word_t start = ROUND_UP(cap_untyped_free_index(untyped), a->object_bits);
    paddr_t base = cap_paddr(untyped);
    bool device = cap_untyped_is_device(untyped);
    for (word_t i = 0; i < a->count; i++) {
        paddr_t object = base + start + (i << a->object_bits);
        cap_t cap = object_create(a->type, object, a->user_size, device);
        cdt_insert_retyped(cap, slot, &a->dest_cnode_slots[a->offset + i]);
    }
    word_t end = start + (a->count << a->object_bits);
    slot->cap = cap_with_untyped_free_index(slot->cap, end);
    return EXCEPTION_NONE;
}

static exception_t decode_untyped_retype(invocation_t *inv, retype_args_t *a)
{
    if (inv->length < KEEL_LEN_UntypedRetype || inv->extra_count < KEEL_NCAPS_UntypedRetype) {
        return error_truncated_message(inv);
    }
    *a = (retype_args_t){
        .type = inv_mr(inv, KEEL_MR_UntypedRetype_type),
        .user_size = inv_mr(inv, KEEL_MR_UntypedRetype_size_bits),
        .offset = inv_mr(inv, KEEL_MR_UntypedRetype_node_offset),
        .count = inv_mr(inv, KEEL_MR_UntypedRetype_num_objects),
    };
    exception_t status = check_type_and_size(inv, a);
    if (status == EXCEPTION_NONE) {
        status = check_destination(inv, a);
    }
    if (status == EXCEPTION_NONE) {
        status = check_memory(inv, a);
    }
    return status;
}

exception_t decode_untyped_invocation(invocation_t *inv)
{
    if (inv->label != UntypedRetype) {
        return error_illegal_operation(inv);
    }
    retype_args_t a;
    exception_t status = decode_untyped_retype(inv, &a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_untyped_retype(inv, &a);
}
