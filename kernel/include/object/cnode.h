/* CNode slots (CTEs) and the derivation-tree links each slot carries. */
#pragma once

#include <cap.h>
#include <paddr.h>

/* The derivation tree is kept as a doubly linked list of slots in pre-order:
 * a cap's descendants follow it directly (ABI-level semantics in
 * docs/capabilities.md). prev/next are physical addresses of slots. */
typedef struct mdb_node {
    word_t w[2]; /* w[0]: prev; w[1]: [63] revocable, [62] first badged, [47:0] next */
} mdb_node_t;

typedef struct cte {
    cap_t cap;
    mdb_node_t mdb;
} cte_t;
_Static_assert(sizeof(cte_t) == 32, "a CNode slot is 2^seL4_SlotBits bytes");

#define CTE_SIZE_BITS 5

static inline cte_t *mdb_prev(const cte_t *slot)
{
    word_t p = slot->mdb.w[0] & MASK(CAP_ADDR_BITS);
    return p ? paddr_to_ptr(p) : NULL;
}

static inline cte_t *mdb_next(const cte_t *slot)
{
    word_t p = slot->mdb.w[1] & MASK(CAP_ADDR_BITS);
    return p ? paddr_to_ptr(p) : NULL;
}

static inline void mdb_set_prev(cte_t *slot, const cte_t *prev)
{
    slot->mdb.w[0] = prev ? ptr_to_paddr(prev) : 0;
}

static inline void mdb_set_next(cte_t *slot, const cte_t *next)
{
    word_t flags = slot->mdb.w[1] & ~MASK(CAP_ADDR_BITS);
    slot->mdb.w[1] = flags | (next ? ptr_to_paddr(next) : 0);
}

static inline bool mdb_revocable(const cte_t *slot)
{
    return (slot->mdb.w[1] >> 63) & 1;
}

static inline void mdb_set_revocable(cte_t *slot, bool revocable)
{
    slot->mdb.w[1] = (slot->mdb.w[1] & ~BIT(63)) | ((word_t)revocable << 63);
}

static inline bool mdb_first_badged(const cte_t *slot)
{
    return (slot->mdb.w[1] >> 62) & 1;
}

static inline void mdb_set_first_badged(cte_t *slot, bool first)
{
    slot->mdb.w[1] = (slot->mdb.w[1] & ~BIT(62)) | ((word_t)first << 62);
}

/* Slot `index` of the CNode a cap refers to. */
static inline cte_t *cnode_slot(cap_t cnode, word_t index)
{
    return (cte_t *)cap_object(cnode) + index;
}

struct invocation;
/* CNode methods (ABI 5.4.3). */
enum exception decode_cnode_invocation(struct invocation *inv);
