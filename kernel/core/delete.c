/* Deletion, revocation and zombies: see delete.h. */
#include <arch/arch.h>
#include <cdt.h>
#include <delete.h>
#include <object/irq.h>
#include <object/tcb.h>
#include <objecttype.h>
#include <panic.h>

/* Slot `index` of the object a zombie destroys: a CNode's slots, or the
 * TCB's own cap slots. */
static cte_t *zombie_slot(cap_t zombie, word_t index)
{
    if (cap_zombie_is_tcb(zombie)) {
        return tcb_slot(paddr_to_ptr(cap_paddr(zombie)), (enum tcb_slot)index);
    }
    return (cte_t *)paddr_to_ptr(cap_paddr(zombie)) + index;
}

/* Is the zombie parked in its own object's first slot? */
static bool is_cyclic_zombie(cap_t cap, const cte_t *slot)
{
    return cap_type(cap) == cap_zombie && zombie_slot(cap, 0) == slot;
}

/* Can the slot simply be emptied now? */
static bool is_removable(cap_t cap, const cte_t *slot)
{
    if (cap_type(cap) != cap_zombie) {
        return cap_is_null(cap);
    }
    word_t count = cap_zombie_count(cap);
    return count == 0 || (count == 1 && zombie_slot(cap, 0) == slot);
}

static void empty_slot(cte_t *slot, irq_t irq)
{
    if (!cap_is_null(slot->cap)) {
        arch_cap_removed(slot->cap);
        cdt_remove(slot);
    }
    if (irq != IRQ_NONE) {
        irq_deactivate(irq); /* the last handler cap is gone */
    }
}

/* Empty one more slot of the zombie in `slot`. Immediate: the last slot, by
 * a nested (non-exposed) delete. Not immediate: park the zombie in its
 * object's first slot, swapping whatever is there into `slot`. */
static exception_t reduce_zombie(cte_t *slot, bool immediate)
{
    cap_t zombie = slot->cap;
    word_t count = cap_zombie_count(zombie);
    if (!immediate) {
        cte_t *first = zombie_slot(zombie, 0);
        cdt_swap(zombie, slot, first->cap, first);
        return EXCEPTION_NONE;
    }
    cte_t *last = zombie_slot(zombie, count - 1);
    exception_t status = cte_delete(last, false);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    /* The nested delete may have parked a zombie in `last` (then it is the
     * first slot of the zombie now being reduced, count 1) or moved caps;
     * count down only if our zombie is still here and the slot is empty. */
    if (cap_type(slot->cap) == cap_zombie && cap_paddr(slot->cap) == cap_paddr(zombie) &&
        cap_zombie_count(slot->cap) == count && cap_is_null(last->cap)) {
        slot->cap = cap_with_zombie_count(slot->cap, count - 1);
    }
    return EXCEPTION_NONE;
}

typedef struct finalise_slot_ret {
    exception_t status;
    bool done; /* the slot can be emptied */
    irq_t irq;
} finalise_slot_ret_t;

/* Reduce the cap in `slot` to something removable, finalising its object
 * if it is the last cap to it. */
static finalise_slot_ret_t finalise_slot(cte_t *slot, bool immediate)
{
    finalise_slot_ret_t ret = { EXCEPTION_NONE, true, IRQ_NONE };
    while (!cap_is_null(slot->cap)) {
        finalise_ret_t f = object_finalise(slot->cap, cdt_is_final(slot));
        ret.irq = f.irq;
        if (is_removable(f.remainder, slot)) {
            return ret;
        }
        slot->cap = f.remainder;
        if (!immediate && is_cyclic_zombie(f.remainder, slot)) {
            ret.done = false;
            return ret;
        }
        ret.status = reduce_zombie(slot, immediate);
        if (ret.status != EXCEPTION_NONE) {
            ret.done = false;
            return ret;
        }
        ret.status = preemption_point();
        if (ret.status != EXCEPTION_NONE) {
            ret.done = false;
            return ret;
        }
    }
    return ret;
}

exception_t cte_delete(cte_t *slot, bool exposed)
{
    finalise_slot_ret_t r = finalise_slot(slot, exposed);
    if (r.status != EXCEPTION_NONE) {
        return r.status;
    }
    if (exposed || r.done) {
        empty_slot(slot, r.irq);
    }
    return EXCEPTION_NONE;
}

exception_t cte_revoke(cte_t *slot)
{
    for (cte_t *next = mdb_next(slot); next != NULL && cdt_is_parent_of(slot, next);
         next = mdb_next(slot)) {
        exception_t status = cte_delete(next, true);
        if (status != EXCEPTION_NONE) {
            return status;
        }
        status = preemption_point();
        if (status != EXCEPTION_NONE) {
            return status;
        }
    }
    return EXCEPTION_NONE;
}

void cte_delete_one(cte_t *slot)
{
    if (cap_is_null(slot->cap)) {
        return;
    }
    finalise_ret_t f = object_finalise(slot->cap, cdt_is_final(slot));
    kassert(cap_is_null(f.remainder));
    empty_slot(slot, f.irq);
}
