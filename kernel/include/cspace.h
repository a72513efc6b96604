/* Capability lookup: resolving a CPtr through a thread's CSpace (ABI 1.7). */
#pragma once

#include <cap.h>
#include <object/cnode.h>
#include <object/tcb.h>

/* Result of resolving address bits: the slot reached and the bits still
 * unresolved, or a lookup failure (fault.type != 0). */
typedef struct resolve_ret {
    lookup_fault_t fault;
    cte_t *slot;
    word_t bits_remaining;
} resolve_ret_t;

/* Walk `n_bits` bits of `cptr` (most significant first) from the CNode cap
 * `root` (ABI 1.7 step 1-2). */
resolve_ret_t resolve_address_bits(cap_t root, word_t cptr, word_t n_bits);

typedef struct lookup_cap_ret {
    lookup_fault_t fault; /* type 0: found */
    cap_t cap;
    cte_t *slot;
} lookup_cap_ret_t;

/* lookup_cap through resolve_address_bits: any CSpace shape. */
lookup_cap_ret_t lookup_cap_walk(tcb_t *thread, word_t cptr);

/* The common CSpace shape, inline: the slot `cptr` names when the CNode
 * cap `root` (whole_word_slot), or the thread's CSpace root
 * (lookup_one_level), is one CNode whose radix and guard cover all 64 bits
 * (the root task's, and most threads') and the guard matches; NULL
 * otherwise, and then the general walk decides (and reports any failure). A CNode
 * cap's guard is stored masked to its size (capability.c); its whole-word
 * bit says radix + guard size = 64 (cap.h), which implies radix > 0 (a
 * guard size is < 64), so the shift is defined. */
static ALWAYS_INLINE cte_t *whole_word_slot(cap_t root, word_t cptr)
{
    word_t radix = cap_cnode_radix(root);
    if (cap_type(root) != cap_cnode || !cap_cnode_whole_word(root) ||
        (cptr >> radix) != cap_cnode_guard(root)) {
        return NULL;
    }
    return cnode_slot(root, cptr & MASK(radix));
}

static ALWAYS_INLINE cte_t *lookup_one_level(tcb_t *thread, word_t cptr)
{
    return whole_word_slot(tcb_slot(thread, TCB_CSPACE_ROOT)->cap, cptr);
}

/* CPtr lookup in the thread's CSpace with all 64 bits; a result with bits
 * left is accepted, an empty slot gives the null cap (ABI 1.7 step 3). */
static inline lookup_cap_ret_t lookup_cap(tcb_t *thread, word_t cptr)
{
    cte_t *slot = lookup_one_level(thread, cptr);
    if (likely(slot != NULL)) {
        return (lookup_cap_ret_t){ .cap = slot->cap, .slot = slot };
    }
    return lookup_cap_walk(thread, cptr);
}

static inline lookup_fault_t lookup_fault_invalid_root(void)
{
    return (lookup_fault_t){ .type = 1 };
}

static inline lookup_fault_t lookup_fault_missing_capability(word_t bits_left)
{
    return (lookup_fault_t){ .type = 2, .bits_left = bits_left };
}

static inline lookup_fault_t lookup_fault_depth_mismatch(word_t bits_left, word_t bits_found)
{
    return (lookup_fault_t){ .type = 3, .bits_left = bits_left, .bits_found = bits_found };
}

static inline lookup_fault_t lookup_fault_guard_mismatch(word_t bits_left, word_t guard_found,
                                                         word_t bits_found)
{
    return (lookup_fault_t){
        .type = 4, .bits_left = bits_left, .guard_found = guard_found, .bits_found = bits_found
    };
}
