/* Host tests of the capability derivation tree (kernel/core/cdt.c) and the
 * cap properties it relies on (kernel/core/capability.c): parenthood through
 * untypeds, copies and badges, final-cap detection, move, swap, remove. */
#include "harness.h"

#include <capability.h>
#include <cdt.h>
#include <string.h>

static cte_t slots[16] __attribute__((aligned(32)));
static uint8_t memory[1 << 12] __attribute__((aligned(1 << 12)));

static void reset(void)
{
    memset(slots, 0, sizeof(slots));
}

static cap_t untyped_cap(void)
{
    return cap_untyped_new((paddr_t)(uintptr_t)memory, 12, false);
}

static cap_t endpoint_cap(unsigned index)
{
    cap_t c = cap_new(cap_endpoint, (paddr_t)(uintptr_t)memory + 16 * index);
    return cap_with_rights(c, 0xf);
}

/* slots[0] = untyped root, slots[1] = an endpoint retyped from it. */
static void untyped_with_endpoint(void)
{
    reset();
    slots[0].cap = untyped_cap();
    mdb_set_revocable(&slots[0], true);
    cdt_insert_retyped(endpoint_cap(0), &slots[0], &slots[1]);
}

/* The list must be consistent: next(prev(x)) == x. */
static bool links_consistent(void)
{
    for (unsigned i = 0; i < 16; i++) {
        const cte_t *next = mdb_next(&slots[i]);
        const cte_t *prev = mdb_prev(&slots[i]);
        if ((next != NULL && mdb_prev(next) != &slots[i]) ||
            (prev != NULL && mdb_next(prev) != &slots[i])) {
            return false;
        }
    }
    return true;
}

TEST(retyped_object_is_child_of_untyped)
{
    untyped_with_endpoint();
    EXPECT_TRUE(cdt_is_parent_of(&slots[0], &slots[1]));
    EXPECT_TRUE(cdt_has_children(&slots[0]));
    EXPECT_FALSE(cdt_has_children(&slots[1]));
    EXPECT_TRUE(cdt_is_final(&slots[1]));
}

TEST(copies_are_children_of_the_original_not_of_each_other)
{
    untyped_with_endpoint();
    cdt_insert_derived(slots[1].cap, &slots[1], &slots[2]);
    cdt_insert_derived(slots[2].cap, &slots[2], &slots[3]);
    EXPECT_FALSE(mdb_revocable(&slots[2]));
    EXPECT_TRUE(cdt_is_parent_of(&slots[1], &slots[2]));
    EXPECT_TRUE(cdt_is_parent_of(&slots[1], &slots[3]));
    EXPECT_FALSE(cdt_is_parent_of(&slots[2], &slots[3]));
    EXPECT_FALSE(cdt_is_final(&slots[1]));
    EXPECT_TRUE(links_consistent());
}

TEST(minted_badge_starts_a_new_original)
{
    untyped_with_endpoint();
    cap_t badged = cap_update_data(slots[1].cap, false, 42);
    EXPECT_EQ(cap_badge(badged), 42);
    cdt_insert_derived(badged, &slots[1], &slots[2]);
    cdt_insert_derived(slots[2].cap, &slots[2], &slots[3]);
    EXPECT_TRUE(mdb_revocable(&slots[2]));
    EXPECT_TRUE(cdt_is_parent_of(&slots[1], &slots[2])); /* unbadged original above all */
    EXPECT_TRUE(cdt_is_parent_of(&slots[2], &slots[3]));
    /* Minting from a badged cap, or Mutate (preserve), yields no cap. */
    EXPECT_TRUE(cap_is_null(cap_update_data(badged, false, 7)));
    EXPECT_TRUE(cap_is_null(cap_update_data(slots[1].cap, true, 7)));
}

TEST(separately_minted_same_badge_are_not_parent_and_child)
{
    untyped_with_endpoint();
    cap_t badged = cap_update_data(slots[1].cap, false, 5);
    cdt_insert_derived(badged, &slots[1], &slots[2]);       /* list: 1 2 */
    cdt_insert_derived(slots[2].cap, &slots[2], &slots[3]); /* 1 2 3 */
    cdt_insert_derived(badged, &slots[1], &slots[4]);       /* 1 4 2 3 */
    EXPECT_TRUE(mdb_next(&slots[4]) == &slots[2]);
    EXPECT_FALSE(cdt_is_parent_of(&slots[4], &slots[2]));
    EXPECT_FALSE(cdt_has_children(&slots[4]));
    EXPECT_TRUE(cdt_has_children(&slots[2]));
}

TEST(remove_passes_first_badged_on)
{
    untyped_with_endpoint();
    cap_t badged = cap_update_data(slots[1].cap, false, 9);
    cdt_insert_derived(badged, &slots[1], &slots[2]);
    cdt_insert_derived(slots[2].cap, &slots[2], &slots[3]);
    EXPECT_FALSE(mdb_first_badged(&slots[3]));
    cdt_remove(&slots[2]);
    EXPECT_TRUE(cap_is_null(slots[2].cap));
    EXPECT_TRUE(mdb_first_badged(&slots[3]));
    EXPECT_TRUE(mdb_next(&slots[1]) == &slots[3]);
    EXPECT_TRUE(links_consistent());
}

TEST(move_keeps_the_place_in_the_tree)
{
    untyped_with_endpoint();
    cdt_insert_derived(slots[1].cap, &slots[1], &slots[2]);
    cdt_move(slots[1].cap, &slots[1], &slots[7]);
    EXPECT_TRUE(cap_is_null(slots[1].cap));
    EXPECT_TRUE(mdb_next(&slots[0]) == &slots[7]);
    EXPECT_TRUE(mdb_next(&slots[7]) == &slots[2]);
    EXPECT_TRUE(cdt_is_parent_of(&slots[7], &slots[2]));
    EXPECT_TRUE(links_consistent());
}

TEST(swap_of_neighbours_and_of_distant_slots)
{
    untyped_with_endpoint();
    cdt_insert_retyped(endpoint_cap(1), &slots[0], &slots[2]); /* 0 2 1 */
    cap_t a = slots[2].cap, b = slots[1].cap;
    cdt_swap(a, &slots[2], b, &slots[1]); /* caps keep list order: 0 (a@1) (b@2) */
    EXPECT_TRUE(mdb_next(&slots[0]) == &slots[1]);
    EXPECT_TRUE(mdb_next(&slots[1]) == &slots[2]);
    EXPECT_EQ(cap_paddr(slots[1].cap), cap_paddr(a));
    EXPECT_TRUE(links_consistent());
    cdt_swap(slots[1].cap, &slots[1], slots[0].cap, &slots[0]);
    EXPECT_TRUE(links_consistent());
    EXPECT_TRUE(mdb_next(&slots[1]) == &slots[0]);
}

/* The VM-rights rule every port's frames follow (its arch_mask_cap_rights
 * applies it; the AArch64 frames' masking is in cspace_model_aarch64). */
TEST(frame_rights_masking)
{
    EXPECT_EQ(vm_rights_mask(VM_READ_WRITE, 0x3), VM_READ_WRITE);
    EXPECT_EQ(vm_rights_mask(VM_READ_WRITE, 0x2), VM_READ_ONLY);
    EXPECT_EQ(vm_rights_mask(VM_READ_WRITE, 0x1), VM_KERNEL_ONLY);
    EXPECT_EQ(vm_rights_mask(VM_READ_ONLY, 0xf), VM_READ_ONLY);
    EXPECT_EQ(vm_rights_mask(VM_KERNEL_ONLY, 0xf), VM_KERNEL_ONLY);
}

TEST(cnode_guard_data)
{
    cap_t c = cap_cnode_new(0x2000, 10, 0, 0);
    cap_t g = cap_update_data(c, true, (0x5ull << 6) | 4);
    EXPECT_EQ(cap_cnode_guard_size(g), 4);
    EXPECT_EQ(cap_cnode_guard(g), 5);
    EXPECT_TRUE(cap_is_null(cap_update_data(c, false, 55))); /* 55 + radix 10 > 64 */
    EXPECT_FALSE(cap_is_null(cap_update_data(c, false, 54)));
}
