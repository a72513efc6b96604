/* Sets of physical address ranges, used at boot to work out which memory is
 * free (RAM minus the kernel, the device tree, the root task, ...) and which
 * device space user level may have, and to cut ranges into the naturally
 * aligned power-of-two blocks that become untyped capabilities. */
#pragma once

#include <types.h>

#define REGION_SET_MAX 32

/* [start, end): end is exclusive; start == end is empty. */
typedef struct region {
    paddr_t start;
    paddr_t end;
} region_t;

/* Disjoint, non-adjacent, non-empty ranges in ascending order. */
typedef struct region_set {
    unsigned count;
    region_t r[REGION_SET_MAX];
} region_set_t;

static inline word_t region_size(region_t r)
{
    return r.end - r.start;
}

/* Add r (set union). Adjacent or overlapping ranges merge. Returns false,
 * leaving the set unchanged, if the result would need more than
 * REGION_SET_MAX ranges. An empty r is a no-op. */
bool region_set_add(region_set_t *set, region_t r);

/* Remove r (set difference). Returns false, leaving the set unchanged, if a
 * range would have to split and the set is full. */
bool region_set_remove(region_set_t *set, region_t r);

/* Does any range in the set intersect r? */
bool region_set_intersects(const region_set_t *set, region_t r);

/* Cut r into naturally aligned power-of-two blocks, ascending, each as large
 * as alignment and the remaining length allow but at most 2^max_bits bytes;
 * blocks smaller than 2^min_bits are skipped. emit is called for each block
 * in ascending order; the number of blocks emitted is returned. */
unsigned region_cut_pow2(region_t r, unsigned min_bits, unsigned max_bits,
                         void (*emit)(void *ctx, paddr_t base, unsigned size_bits), void *ctx);
