/* ASID control and ASID pools (ABI 5.4.6): 128 pools of 512 ASIDs; ASID 0
 * is never handed out. ks_asid_table maps a pool number to its pool object,
 * a pool maps each of its ASIDs to a VSpace. */
#include <arch/vspace.h>
#include <arch/vspace_invocation.h>
#include <cdt.h>
#include <keel/gen/abi.h>

#define ASID_POOL_SIZE BIT(ASID_POOL_BITS)

/* MakePool: the free pool number, the 4 KiB untyped that becomes the pool
 * and the empty slot for its cap. */
typedef struct make_pool_args {
    word_t pool_number;
    cte_t *untyped_slot;
    cte_t *dest;
} make_pool_args_t;

static word_t first_free_pool_number(void)
{
    word_t pool_number = 0;
    while (pool_number < ASID_POOL_COUNT && ks_asid_table[pool_number] != 0) {
        pool_number++;
    }
    return pool_number;
}

static exception_t decode_make_pool(invocation_t *inv, make_pool_args_t *a)
{
    if (inv->length < KEEL_LEN_ARMASIDControlMakePool || inv->extra_count < 2) {
        return error_truncated_message(inv);
    }
    a->pool_number = first_free_pool_number();
    if (a->pool_number == ASID_POOL_COUNT) {
        return error_delete_first(inv);
    }
    a->untyped_slot = inv->extra[KEEL_CAP_ARMASIDControlMakePool_untyped];
    cap_t untyped = a->untyped_slot->cap;
    if (cap_type(untyped) != cap_untyped || cap_untyped_size_bits(untyped) != PAGE_BITS ||
        cap_untyped_is_device(untyped)) {
        return error_invalid_capability(inv, 1);
    }
    if (cdt_has_children(a->untyped_slot)) {
        return error_revoke_first(inv);
    }
    exception_t status = lookup_slot_for_cnode_op(
        inv, false, inv_extra_cap(inv, KEEL_CAP_ARMASIDControlMakePool_root),
        inv_mr(inv, KEEL_MR_ARMASIDControlMakePool_index),
        inv_mr(inv, KEEL_MR_ARMASIDControlMakePool_depth), &a->dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(a->dest->cap)) {
        return error_delete_first(inv);
    }
    return EXCEPTION_NONE;
}

/* The untyped's page becomes the (zeroed) pool, fully used, and the pool's
 * cap its child. */
static void invoke_make_pool(const make_pool_args_t *a)
{
    cap_t untyped = a->untyped_slot->cap;
    paddr_t pool = cap_paddr(untyped);
    memset(paddr_to_ptr(pool), 0, PAGE_SIZE);
    a->untyped_slot->cap = cap_with_untyped_free_index(untyped, PAGE_SIZE);
    cdt_insert_retyped(cap_asid_pool_new(pool, a->pool_number << ASID_POOL_BITS), a->untyped_slot,
                       a->dest);
    ks_asid_table[a->pool_number] = pool;
}

exception_t decode_asid_control_invocation(invocation_t *inv)
{
    if (inv->label != ARMASIDControlMakePool) {
        return error_illegal_operation(inv);
    }
    make_pool_args_t a;
    exception_t status = decode_make_pool(inv, &a);
    if (status == EXCEPTION_NONE) {
        invoke_make_pool(&a);
    }
    return status;
}

/* Assign: the VSpace's slot, and the pool entry its ASID will be. */
typedef struct assign_args {
    cte_t *vspace_slot;
    paddr_t *entry;
    word_t asid;
} assign_args_t;

/* The first free entry of a pool whose first ASID is `base` (the pool's
 * size if it is full). */
static word_t first_free_pool_entry(const paddr_t *entries, word_t base)
{
    word_t index = base == 0 ? 1 : 0; /* ASID 0 is never handed out */
    while (index < ASID_POOL_SIZE && entries[index] != 0) {
        index++;
    }
    return index;
}

static exception_t decode_assign(invocation_t *inv, assign_args_t *a)
{
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    a->vspace_slot = inv->extra[KEEL_CAP_ARMASIDPoolAssign_vspace];
    cap_t vspace = a->vspace_slot->cap;
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
    word_t index = first_free_pool_entry(entries, base);
    if (index == ASID_POOL_SIZE) {
        return error_delete_first(inv);
    }
    a->entry = &entries[index];
    a->asid = base + index;
    return EXCEPTION_NONE;
}

static void invoke_assign(const assign_args_t *a)
{
    paddr_t vspace = cap_paddr(a->vspace_slot->cap);
    *a->entry = vspace;
    a->vspace_slot->cap = cap_vspace_new(vspace, a->asid);
}

exception_t decode_asid_pool_invocation(invocation_t *inv)
{
    if (inv->label != ARMASIDPoolAssign) {
        return error_illegal_operation(inv);
    }
    assign_args_t a;
    exception_t status = decode_assign(inv, &a);
    if (status == EXCEPTION_NONE) {
        invoke_assign(&a);
    }
    return status;
}
