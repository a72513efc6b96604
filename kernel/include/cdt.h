/* The capability derivation tree (manual: "Capability Derivation Tree").
 *
 * Representation: all non-empty slots form one doubly linked list in
 * pre-order, so the descendants of a cap are exactly the run of slots that
 * follows it while cdt_is_parent_of(cap, next) holds. Two bits per slot give
 * the tree its shape without explicit depth: `revocable` marks an original
 * cap (one that may have children: retyped caps, untypeds, badged
 * endpoint/notification originals, IRQ handlers from IRQ control);
 * `first_badged` marks where a new group of badged caps starts, so two
 * separately minted caps with the same badge do not become each other's
 * children. All caps to one object are contiguous in the list, so whether a
 * cap is the last one to its object is a look at its two neighbours. */
#pragma once

#include <object/cnode.h>

/* The head of the one list every cap is on: roots of the derivation tree
 * (boot caps) are linked after it. It holds no cap. */
extern cte_t ks_cdt_head;

/* Put `cap` into the empty `dest` as a new root of the derivation tree. */
void cdt_insert_root(cap_t cap, cte_t *dest);

/* Is `child` (a later slot in the list) a descendant of `parent`? */
bool cdt_is_parent_of(const cte_t *parent, const cte_t *child);

/* Does the cap in `slot` have descendants? */
bool cdt_has_children(const cte_t *slot);

/* Is the cap in `slot` the last cap to its object? */
bool cdt_is_final(const cte_t *slot);

/* Put `cap`, derived from the cap in `source`, into the empty `dest`: right
 * after the source in the list, original or not as the cap type says. */
void cdt_insert_derived(cap_t cap, cte_t *source, cte_t *dest);

/* Put `cap`, which can have no children (a one-shot reply cap), into the
 * empty `dest` right after `prev`: the IPC paths' cheap insertion. */
static ALWAYS_INLINE void cdt_insert_leaf(cap_t cap, cte_t *prev, cte_t *dest)
{
    /* On raw link words: the IPC paths pay for every instruction here. */
    word_t next = prev->mdb.w[1] & MASK(CAP_ADDR_BITS);
    dest->cap = cap;
    dest->mdb.w[0] = ptr_to_paddr(prev);
    dest->mdb.w[1] = next; /* not revocable or first badged */
    if (next != 0) {
        ((cte_t *)paddr_to_ptr(next))->mdb.w[0] = ptr_to_paddr(dest);
    }
    prev->mdb.w[1] = (prev->mdb.w[1] & ~MASK(CAP_ADDR_BITS)) | ptr_to_paddr(dest);
}

/* Remove a cap inserted with cdt_insert_leaf and empty its slot. A leaf
 * always has a predecessor (its parent). */
static ALWAYS_INLINE void cdt_remove_leaf(cte_t *slot)
{
    word_t prev = slot->mdb.w[0];
    word_t next = slot->mdb.w[1] & MASK(CAP_ADDR_BITS);
    cte_t *prev_slot = paddr_to_ptr(prev);
    prev_slot->mdb.w[1] = (prev_slot->mdb.w[1] & ~MASK(CAP_ADDR_BITS)) | next;
    if (next != 0) {
        ((cte_t *)paddr_to_ptr(next))->mdb.w[0] = prev;
    }
    slot->cap = cap_null_new();
    slot->mdb = (mdb_node_t){ { 0, 0 } };
}

/* Put `cap`, a new object retyped from the untyped in `untyped`, into the
 * empty `dest` as an original child of the untyped. */
void cdt_insert_retyped(cap_t cap, cte_t *untyped, cte_t *dest);

/* Move the cap in `source` (replaced by `cap`) to the empty `dest`, keeping
 * its place in the tree. */
void cdt_move(cap_t cap, cte_t *source, cte_t *dest);

/* Exchange two caps (each replaced by the given new value) and their places
 * in the tree. */
void cdt_swap(cap_t cap1, cte_t *slot1, cap_t cap2, cte_t *slot2);

/* The cap that deriving `cap` (from the cap in `slot`) gives, for Copy,
 * Mint, cap transfer and the caps a TCB keeps (ABI 5.6): `error` is 0 or
 * the seL4 error that refuses it; a null `cap` means the type cannot be
 * derived. */
typedef struct derive_ret {
    word_t error;
    cap_t cap;
} derive_ret_t;
derive_ret_t cdt_derive(const cte_t *slot, cap_t cap);

/* Remove the cap in `slot` from the tree and empty the slot. */
void cdt_remove(cte_t *slot);
