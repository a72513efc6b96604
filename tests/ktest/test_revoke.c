/* Revoke and delete at scale and through the derivation tree (ABI 1.6,
 * 5.4.3; manual "Deletion and Revocation"): revoking an untyped with over
 * 10,000 children (preemptible: the system call restarts transparently),
 * deleting a CNode that holds the last caps to 10,000 objects, untypeds
 * inside untypeds, copies of untypeds, CNodes that hold caps to each other,
 * and badged endpoint caps, each an original of its own group.
 *
 * After each, every cap that should be gone is gone and the untyped is whole
 * again (its next object lands at its base, or all its bytes are free). */
#include "objects.h"
#include <keel/runtime.h>

#define BIG_RADIX 14           /* 16384 slots */
#define BIG_COUNT (40ul * 256) /* 10240 endpoints */

/* Is every slot [0, n) of the CNode `cnode` (radix bits) empty? Moving out
 * of an empty slot is FailedLookup, missing capability (ABI 5.4.3). */
static bool cnode_slots_empty(seL4_CPtr cnode, seL4_Word radix, seL4_Word n, seL4_CPtr scratch)
{
    for (seL4_Word i = 0; i < n; i++) {
        seL4_Error e = seL4_CNode_Move(KT_ROOT, scratch, KT_DEPTH, cnode, i, (seL4_Uint8)radix);
        if (e != seL4_FailedLookup || seL4_GetMR(0) != 1 ||
            seL4_GetMR(1) != seL4_MissingCapability || seL4_GetMR(2) != radix) {
            ktest_fail(__FILE__, __LINE__, "slot %lu of the CNode: Move out gave error %d", i, e);
            return false;
        }
    }
    return true;
}

/* Fill slots [0, BIG_COUNT) of `cnode` with endpoints from `untyped`. */
static bool fill_endpoints(seL4_CPtr untyped, seL4_CPtr cnode)
{
    for (seL4_Word off = 0; off < BIG_COUNT; off += 256) {
        seL4_Error e = seL4_Untyped_Retype(untyped, seL4_EndpointObject, 0, KT_ROOT, cnode,
                                           KT_DEPTH, off, 256);
        if (e != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "retype of endpoints at %lu failed: %d", off, e);
            return false;
        }
    }
    return true;
}

/* 10240 endpoints from one untyped in a CNode of 2^14 slots: one revoke of
 * the untyped deletes them all, and the untyped gives the same again (its
 * free pointer then exactly after them). Then deleting the CNode, which
 * holds the last cap to each, destroys them all as well. */
static void test_ten_thousand(void)
{
    kt_untyped_t eu, cu;
    if (!kt_untyped(false, 18, &eu) ||
        !kt_untyped_except(false, BIG_RADIX + seL4_SlotBits, eu.cap, &cu)) {
        return;
    }
    KT_ASSERT_GE(1ul << eu.size_bits, BIG_COUNT << seL4_EndpointBits);
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr big = s, t = s + 1;
    KT_ASSERT_OK(kt_retype(cu.cap, seL4_CapTableObject, BIG_RADIX, big, 1));
    if (!fill_endpoints(eu.cap, big)) {
        return;
    }
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, t, KT_DEPTH, big, BIG_COUNT - 1, BIG_RADIX));
    KT_ASSERT_TAG(t, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(seL4_CNode_Move(big, BIG_COUNT - 1, BIG_RADIX, KT_ROOT, t, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, eu.cap, KT_DEPTH));
    KT_ASSERT_TAG(eu.cap, KT_TAG_UNTYPED);
    KT_ASSERT_TAG(big, KT_TAG_CNODE);
    if (!cnode_slots_empty(big, BIG_RADIX, BIG_COUNT, t)) {
        return;
    }
    if (!fill_endpoints(eu.cap, big)) {
        return;
    }
    KT_ASSERT_ERROR(kt_retype(eu.cap, seL4_UntypedObject, eu.size_bits, t, 1), seL4_NotEnoughMemory,
                    (1ul << eu.size_bits) - (BIG_COUNT << seL4_EndpointBits));
    kt_kernel_self_check();
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, big, KT_DEPTH));
    KT_ASSERT_TAG(big, KT_TAG_NULL);
    KT_ASSERT_OK(kt_retype(eu.cap, seL4_ARM_SmallPageObject, 0, t, 1));
    KT_ASSERT_EQ(kt_frame_paddr(t), eu.paddr);
    kt_delete(t);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, cu.cap, KT_DEPTH));
    kt_kernel_self_check();
    kt_slots_empty(s, 2);
}

/* Untypeds inside untypeds: revoking the middle one empties it and leaves
 * it; revoking the outer one removes everything below it. */
static void test_nested_untyped(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(8);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr c = s, g = s + 1;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 14, c, 1));
    KT_ASSERT_OK(kt_retype(c, seL4_EndpointObject, 0, s + 2, 2));
    KT_ASSERT_OK(kt_retype(c, seL4_UntypedObject, 12, g, 1));
    KT_ASSERT_OK(kt_retype(g, seL4_ARM_SmallPageObject, 0, s + 4, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 4), u.paddr + 4096);
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, s + 5, KT_DEPTH, KT_ROOT, s + 2, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, c, KT_DEPTH));
    KT_ASSERT_TAG(c, KT_TAG_UNTYPED);
    KT_ASSERT(kt_slots_empty(s + 1, 7));
    KT_ASSERT_OK(kt_retype(c, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), u.paddr);
    KT_ASSERT_OK(kt_retype(c, seL4_UntypedObject, 12, g + 1, 1));
    KT_ASSERT_OK(kt_retype(g + 1, seL4_NotificationObject, 0, s + 3, 1));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT_TAG(u.cap, KT_TAG_UNTYPED);
    KT_ASSERT(kt_slots_empty(s, 8));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, u.size_bits, s, 1));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(s, 8);
}

/* A copy of an untyped is its child; objects retyped from the copy are the
 * copy's children: revoking the copy removes them and leaves the copy. */
static void test_untyped_copy(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, s, KT_DEPTH, KT_ROOT, u.cap, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(kt_retype(s, seL4_ARM_SmallPageObject, 0, s + 1, 3));
    KT_ASSERT_EQ(kt_frame_paddr(s + 3), u.paddr + 2 * 4096);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s, KT_TAG_UNTYPED);
    KT_ASSERT(kt_slots_empty(s + 1, 3));
    KT_ASSERT_OK(kt_retype(s, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), u.paddr);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT(kt_slots_empty(s, 4));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_slots_empty(s, 4);
}

/* Two CNodes holding caps to each other, their root caps deleted: neither
 * is reachable any more, and a revoke of the untyped still removes both
 * (manual, "Deletion and Revocation"). */
static void test_cnode_cycle(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr a = s, b = s + 1;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, a, 2));
    KT_ASSERT_OK(seL4_CNode_Copy(a, 0, 2, KT_ROOT, b, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Copy(b, 0, 2, KT_ROOT, a, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, a, 0, 0, 1, 3));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_NotificationObject, 0, b, 0, 0, 1, 3));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, a, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, b, KT_DEPTH));
    KT_ASSERT(kt_slots_empty(s, 2));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_kernel_self_check();
    kt_slots_empty(s, 2);
}

/* A CNode whose only cap has been moved into one of its own slots is out of
 * reach; revoking its untyped still destroys it and what it holds. */
static void test_self_contained_cnode(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, s, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s, 0, 0, 1, 2));
    KT_ASSERT_OK(seL4_CNode_Move(s, 0, 2, KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_kernel_self_check();
    kt_slots_empty(s, 1);
}

/* Deleting an untyped cap leaves the objects made from it: they are still
 * below the untyped it came from, which therefore does not start again at
 * its base until they are revoked. */
static void test_delete_untyped_with_children(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(3);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 12, s, 1));
    KT_ASSERT_OK(kt_retype(s, seL4_EndpointObject, 0, s + 1, 1));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s + 1, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 2, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 2), u.paddr + 4096);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT(kt_slots_empty(s, 3));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_slots_empty(s, 3);
}

/* Deleting the last cap to a CNode that holds the last cap to a second
 * CNode, which holds the last cap to a third, each with objects in it: the
 * inner CNodes may be left unreachable (manual, "Deletion and Revocation",
 * footnote), and a revoke of the untyped they came from removes all of it. */
static void test_unreachable_cnodes(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    for (int round = 0; round < 2; round++) {
        KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, s, 1));
        KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s, 0, 0, 0, 2));
        KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_CapTableObject, 2, s, 0, 0, 2, 1));
        KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_NotificationObject, 0, s, 2, 4, 0, 2));
        KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_CapTableObject, 1, s, 2, 4, 2, 1));
        KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s, (2 << 2) | 2, 6, 0, 2));
        KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
        KT_ASSERT_TAG(s, KT_TAG_NULL);
        KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
        KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
        KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
        kt_delete(s);
        kt_kernel_self_check(); /* after the reset zeroed all of it */
    }
    kt_slots_empty(s, 1);
}

/* Each Mint of a badge makes an original badged cap whose copies are its
 * children; a second Mint with the same badge starts a group of its own
 * (manual, "Capability Derivation Tree"). Revoking the unbadged original
 * removes every group. */
static void test_badged_groups(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(6);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr e = s, b1 = s + 1, c1 = s + 2, b2 = s + 3, c2 = s + 4, c1b = s + 5;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, e, 1));
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, b1, KT_DEPTH, KT_ROOT, e, KT_DEPTH, seL4_AllRights, 1));
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c1, KT_DEPTH, KT_ROOT, b1, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, b2, KT_DEPTH, KT_ROOT, e, KT_DEPTH, seL4_AllRights, 1));
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c2, KT_DEPTH, KT_ROOT, b2, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c1b, KT_DEPTH, KT_ROOT, c1, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, b1, KT_DEPTH));
    KT_ASSERT_TAG(b1, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(c1, KT_TAG_NULL);
    KT_ASSERT_TAG(c1b, KT_TAG_NULL);
    KT_ASSERT_TAG(b2, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(c2, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, b2, KT_DEPTH));
    KT_ASSERT_TAG(c2, KT_TAG_NULL);
    KT_ASSERT_TAG(b1, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c1, KT_DEPTH, KT_ROOT, b1, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, e, KT_DEPTH));
    KT_ASSERT_TAG(e, KT_TAG_ENDPOINT);
    KT_ASSERT(kt_slots_empty(s + 1, 5));
    kt_delete(e);
    kt_slots_empty(s, 6);
}

/* The kernel's own consistency checks of its cap bookkeeping, which it runs
 * on DebugSnapshot (Keel: a violation is a kernel panic), after all of the
 * above. */
static void test_invariants(void)
{
    kt_kernel_self_check();
}

const ktest_case_t ktest_revoke_cases[] = {
    { "revoke.ten_thousand_endpoints", test_ten_thousand },
    { "revoke.nested_untyped", test_nested_untyped },
    { "revoke.untyped_copy", test_untyped_copy },
    { "revoke.cnode_cycle", test_cnode_cycle },
    { "revoke.unreachable_cnodes", test_unreachable_cnodes },
    { "revoke.self_contained_cnode", test_self_contained_cnode },
    { "revoke.delete_untyped_with_children", test_delete_untyped_with_children },
    { "revoke.badged_groups", test_badged_groups },
    { "revoke.kernel_invariants", test_invariants },
    { NULL, NULL },
};
