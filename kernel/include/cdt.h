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
 * cap is the last one to its object is a look at its two neighbours.
 *
 * One exception: a thread's master reply cap is not on that list but heads
 * a list of its own, which holds at most its one child, the reply cap of
 * the thread's pending Call or fault (a thread waits for one reply at a
 * time; the reply cap exists only while it does). Making and consuming a
 * reply cap, on every Call and every reply, then touches only the master
 * and the reply cap's slot. The generic operations (move, swap, remove,
 * is_final) work on that list as on the main one. */
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

/* A master reply cap's link word: revocable (it is its reply cap's
 * parent), first badged, and the address of that child or 0. */
#define MDB_REPLY_MASTER_FLAGS (BIT(63) | BIT(62))

/* Put a thread's master reply cap into its empty reply slot, alone. */
static inline void cdt_insert_reply_master(cap_t cap, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb.w[0] = 0;
    dest->mdb.w[1] = MDB_REPLY_MASTER_FLAGS;
}

/* Put the one-shot reply cap `cap` into the empty `dest` as the only child
 * of `master`, which has none (its thread is not waiting for a reply). On
 * raw link words: the IPC paths pay for every instruction here. */
static ALWAYS_INLINE void cdt_insert_reply(cap_t cap, cte_t *master, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb.w[0] = ptr_to_paddr(master);
    dest->mdb.w[1] = 0; /* no next; not revocable or first badged */
    master->mdb.w[1] = MDB_REPLY_MASTER_FLAGS | ptr_to_paddr(dest);
}

/* Remove a reply cap inserted with cdt_insert_reply (perhaps moved since)
 * and empty its slot. */
static ALWAYS_INLINE void cdt_remove_reply(cte_t *slot)
{
    ((cte_t *)paddr_to_ptr(slot->mdb.w[0]))->mdb.w[1] = MDB_REPLY_MASTER_FLAGS;
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
