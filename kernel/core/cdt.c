/* The capability derivation tree: see cdt.h for the representation. */
#include <arch/arch.h>
#include <capability.h>
#include <cdt.h>
#include <keel/gen/abi.h>

bool cdt_is_parent_of(const cte_t *parent, const cte_t *child)
{
    if (!mdb_revocable(parent) || !cap_same_region_as(parent->cap, child->cap)) {
        return false;
    }
    switch (cap_type(parent->cap)) {
    case cap_endpoint:
    case cap_notification: {
        word_t badge = cap_badge(parent->cap);
        if (badge == 0) {
            return true; /* the unbadged original is above every cap to its object */
        }
        return cap_badge(child->cap) == badge && !mdb_first_badged(child);
    }
    default:
        return true;
    }
}

bool cdt_has_children(const cte_t *slot)
{
    const cte_t *next = mdb_next(slot);
    return next != NULL && cdt_is_parent_of(slot, next);
}

bool cdt_is_final(const cte_t *slot)
{
    const cte_t *prev = mdb_prev(slot);
    const cte_t *next = mdb_next(slot);
    bool prev_same = prev != NULL && cap_same_object_as(prev->cap, slot->cap);
    bool next_same = next != NULL && cap_same_object_as(slot->cap, next->cap);
    return !prev_same && !next_same;
}

static void link_after(cte_t *prev, cte_t *node)
{
    cte_t *next = mdb_next(prev);
    mdb_set_prev(node, prev);
    mdb_set_next(node, next);
    if (next != NULL) {
        mdb_set_prev(next, node);
    }
    mdb_set_next(prev, node);
}

/* A copy of an untyped allocates from the same memory as the untyped it was
 * copied from: the source must not allocate from it any more, or both would
 * hand out the same bytes. Mark the source fully used. */
static void untyped_source_full(cap_t copy, cte_t *source)
{
    cap_t src = source->cap;
    if (cap_type(copy) == cap_untyped && cap_type(src) == cap_untyped &&
        cap_paddr(copy) == cap_paddr(src) &&
        cap_untyped_size_bits(copy) == cap_untyped_size_bits(src)) {
        source->cap = cap_with_untyped_free_index(src, BIT(cap_untyped_size_bits(src)));
    }
}

void cdt_insert_derived(cap_t cap, cte_t *source, cte_t *dest)
{
    untyped_source_full(cap, source);
    bool original = cap_is_revocable(cap, source->cap);
    dest->cap = cap;
    dest->mdb = (mdb_node_t){ { 0, 0 } };
    mdb_set_revocable(dest, original);
    mdb_set_first_badged(dest, original);
    link_after(source, dest);
}

cte_t ks_cdt_head;

void cdt_insert_root(cap_t cap, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb = (mdb_node_t){ { 0, 0 } };
    mdb_set_revocable(dest, true);
    mdb_set_first_badged(dest, true);
    link_after(&ks_cdt_head, dest);
}

void cdt_insert_retyped(cap_t cap, cte_t *untyped, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb = (mdb_node_t){ { 0, 0 } };
    mdb_set_revocable(dest, true);
    mdb_set_first_badged(dest, true);
    link_after(untyped, dest);
}

void cdt_move(cap_t cap, cte_t *source, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb = source->mdb;
    cte_t *prev = mdb_prev(dest);
    cte_t *next = mdb_next(dest);
    if (prev != NULL) {
        mdb_set_next(prev, dest);
    }
    if (next != NULL) {
        mdb_set_prev(next, dest);
    }
    source->cap = cap_null_new();
    source->mdb = (mdb_node_t){ { 0, 0 } };
}

/* Re-point the neighbours of `slot` (whose links are already its new ones)
 * at it. */
static void relink_neighbours(cte_t *slot)
{
    cte_t *prev = mdb_prev(slot);
    cte_t *next = mdb_next(slot);
    if (prev != NULL) {
        mdb_set_next(prev, slot);
    }
    if (next != NULL) {
        mdb_set_prev(next, slot);
    }
}

void cdt_swap(cap_t cap1, cte_t *slot1, cap_t cap2, cte_t *slot2)
{
    if (slot1 == slot2) {
        slot1->cap = cap1;
        return;
    }
    mdb_node_t mdb1 = slot1->mdb;
    mdb_node_t mdb2 = slot2->mdb;
    slot1->cap = cap2;
    slot2->cap = cap1;
    slot1->mdb = mdb2;
    slot2->mdb = mdb1;
    /* Adjacent slots point at each other: fix the self-references first. */
    if (mdb_next(slot1) == slot1) {
        mdb_set_next(slot1, slot2);
    }
    if (mdb_prev(slot1) == slot1) {
        mdb_set_prev(slot1, slot2);
    }
    if (mdb_next(slot2) == slot2) {
        mdb_set_next(slot2, slot1);
    }
    if (mdb_prev(slot2) == slot2) {
        mdb_set_prev(slot2, slot1);
    }
    relink_neighbours(slot1);
    relink_neighbours(slot2);
}

derive_ret_t cdt_derive(const cte_t *slot, cap_t cap)
{
    derive_ret_t ret = { 0, cap };
    switch (cap_type(cap)) {
    case cap_zombie:
    case cap_irq_control:
    case cap_reply:
        ret.cap = cap_null_new();
        break;
    case cap_untyped:
        if (cdt_has_children(slot)) {
            ret.error = seL4_RevokeFirst;
        }
        break;
    default:
        if (arch_cap_is_arch(cap)) {
            ret.error = arch_derive_cap(&ret.cap);
        }
        break;
    }
    return ret;
}

void cdt_remove(cte_t *slot)
{
    cte_t *prev = mdb_prev(slot);
    cte_t *next = mdb_next(slot);
    if (prev != NULL) {
        mdb_set_next(prev, next);
    }
    if (next != NULL) {
        mdb_set_prev(next, prev);
        /* The next cap starts the badge group if the removed one did. */
        mdb_set_first_badged(next, mdb_first_badged(next) || mdb_first_badged(slot));
    }
    slot->cap = cap_null_new();
    slot->mdb = (mdb_node_t){ { 0, 0 } };
}
