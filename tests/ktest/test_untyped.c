/* Untyped_Retype (ABI 4.1-4.3, 5.4.1): the fourteen checks of ABI 4.3, each
 * alone and against its neighbours (a call that breaks several rules reports
 * the first), the caps a retype makes and where, where the objects land in
 * the untyped, and that an untyped with no children left starts again at its
 * base, so memory is never lost.
 *
 * Untypeds come from BootInfo through kt_untyped() (the smallest large enough,
 * revoked first); new caps go to slots from kt_slots(). Every test deletes or
 * revokes what it made. Objects are observed through DebugCapIdentify (cap
 * types), ARM_Page_GetAddress (where frames landed) and NotEnoughMemory
 * (how many bytes an untyped has left). */
#include "objects.h"
#include <keel/runtime.h>
#include <keel/string.h>

#define KIB 1024ul
#define MIB (1024ul * KIB)

/* A Retype by raw Call: mrs = type, size_bits, node_index, node_depth,
 * node_offset, num_objects (ABI 5.4.1), the first `length` of them sent;
 * the root CNode goes as extra cap if ncaps is 1. */
static seL4_MessageInfo_t retype_raw(seL4_CPtr untyped, const seL4_Word mrs[6], seL4_Word length,
                                     seL4_Word ncaps)
{
    const seL4_CPtr caps[1] = { KT_ROOT };
    return kt_call(untyped, UntypedRetype, mrs, length, caps, ncaps);
}

/* Delete root slots [first, first + n). */
static void delete_range(seL4_CPtr first, seL4_Word n)
{
    for (seL4_Word i = 0; i < n; i++) {
        kt_delete(first + i);
    }
}

/* Check 1: an untyped cap implements Retype only; Retype means nothing to
 * other caps. Well-formed Retype arguments go with each label. */
static void test_label_illegal(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word mrs[6] = { seL4_EndpointObject, 0, 0, 0, s, 1 };
    const seL4_Word labels[] = { InvalidInvocation, TCBReadRegisters,      CNodeCopy,
                                 ARMPageGetAddress, nArchInvocationLabels, 1ul << 40 };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        const seL4_CPtr caps[1] = { KT_ROOT };
        seL4_MessageInfo_t reply = kt_call(u.cap, labels[i], mrs, 6, caps, 1);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_IllegalOperation);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), 0);
    }
    const seL4_CPtr others[] = { KT_ROOT, seL4_CapInitThreadTCB, seL4_CapBootInfoFrame,
                                 seL4_CapIRQControl, seL4_CapASIDControl };
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        seL4_MessageInfo_t reply = retype_raw(others[i], mrs, 6, 1);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_IllegalOperation);
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Check 2: six words and the root cap are needed. TruncatedMessage comes
 * before any argument is looked at, even an invalid type. */
static void test_truncated(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word good[6] = { seL4_EndpointObject, 0, 0, 0, s, 1 };
    for (seL4_Word length = 0; length < 6; length++) {
        seL4_MessageInfo_t reply = retype_raw(u.cap, good, length, 1);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_TruncatedMessage);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), 0);
    }
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(retype_raw(u.cap, good, 6, 0)), seL4_TruncatedMessage);
    const seL4_Word bad[6] = { 99, 64, 0, 0, 1ul << 20, 0 };
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(retype_raw(u.cap, bad, 5, 1)), seL4_TruncatedMessage);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(retype_raw(u.cap, bad, 6, 0)), seL4_TruncatedMessage);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    /* The complete message is fine. */
    seL4_MessageInfo_t reply = retype_raw(u.cap, good, 6, 1);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_NoError);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), 0);
    KT_ASSERT_TAG(s, KT_TAG_ENDPOINT);
    kt_delete(s);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Check 3: type >= 10 is InvalidArgument 0 (the hypervisor and IOMMU
 * placeholders too), before the size, destination and count checks. */
static void test_type_out_of_range(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word types[] = { seL4_ObjectTypeCount,
                                seL4_ObjectTypeCount + 1,
                                seL4_ARM_VCPUObject,
                                seL4_ARM_IOPageTableObject,
                                1ul << 32,
                                ~0ul };
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        KT_ASSERT_ERROR_AT(i, kt_retype(u.cap, types[i], 0, s, 1), seL4_InvalidArgument, 0);
    }
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, seL4_ObjectTypeCount, 64, seL4_CapInitThreadTCB, 0,
                                        0, 1ul << 20, 0),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Check 4: size_bits >= 64, or an object of more than 2^47 bytes, is
 * RangeError(0, 47); it comes before checks 5 to 14. The largest sizes that
 * pass it reach NotEnoughMemory instead. */
static void test_size_bits_range(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    static const struct {
        seL4_Word type, size_bits;
    } cases[] = {
        { seL4_UntypedObject, 48 },         { seL4_UntypedObject, 63 },
        { seL4_UntypedObject, 64 },         { seL4_UntypedObject, ~0ul },
        { seL4_CapTableObject, 43 }, /* 2^48 bytes */
        { seL4_CapTableObject, 63 },        { seL4_CapTableObject, 64 },
        { seL4_EndpointObject, 64 },        { seL4_TCBObject, 64 },
        { seL4_ARM_SmallPageObject, 64 },   { seL4_ARM_HugePageObject, 1ul << 63 },
        { seL4_ARM_PageTableObject, ~0ul },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        KT_ASSERT_ERROR_AT(i, kt_retype(u.cap, cases[i].type, cases[i].size_bits, s, 1),
                           seL4_RangeError, 0, 47);
    }
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, seL4_CapTableObject, 64, seL4_CapInitThreadTCB, 0, 0,
                                        1ul << 20, 0),
                    seL4_RangeError, 0, 47);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, 48, 1ul << 20, 0), seL4_RangeError, 0, 47);
    seL4_Word all = 1ul << u.size_bits;
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, 47, s, 1), seL4_NotEnoughMemory, all);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_CapTableObject, 42, s, 1), seL4_NotEnoughMemory, all);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Check 5: a CNode of 2^0 slots and an untyped below 2^4 bytes are
 * InvalidArgument 1, before the destination is looked at; 2^1 slots and
 * 2^4 bytes are the smallest allowed. */
static void test_size_bits_too_small(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_CapTableObject, 0, s, 1), seL4_InvalidArgument, 1);
    for (seL4_Word bits = 0; bits < seL4_MinUntypedBits; bits++) {
        KT_ASSERT_ERROR_AT(bits, kt_retype(u.cap, seL4_UntypedObject, bits, s, 1),
                           seL4_InvalidArgument, 1);
    }
    KT_ASSERT_ERROR(
        seL4_Untyped_Retype(u.cap, seL4_CapTableObject, 0, seL4_CapInitThreadTCB, 0, 0, s, 1),
        seL4_InvalidArgument, 1);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, 3, 1ul << 20, 0), seL4_InvalidArgument, 1);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 1, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, seL4_MinUntypedBits, s + 1, 1));
    KT_ASSERT_TAG(s, KT_TAG_CNODE);
    KT_ASSERT_TAG(s + 1, KT_TAG_UNTYPED);
    delete_range(s, 2);
    kt_slots_empty(s, 2);
}

/* Fixed-size types ignore size_bits below 64: two frames asked for with
 * size_bits 30 and 63 are 4 KiB apart. */
static void test_size_bits_ignored(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 22, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    static const struct {
        seL4_Word type, tag;
    } fixed[] = {
        { seL4_TCBObject, KT_TAG_TCB },
        { seL4_EndpointObject, KT_TAG_ENDPOINT },
        { seL4_NotificationObject, KT_TAG_NOTIFICATION },
        { seL4_ARM_VSpaceObject, KT_TAG_VSPACE },
        { seL4_ARM_SmallPageObject, KT_TAG_FRAME },
        { seL4_ARM_LargePageObject, KT_TAG_FRAME },
        { seL4_ARM_PageTableObject, KT_TAG_PAGE_TABLE },
    };
    const seL4_Word sizes[] = { 0, 1, 47, 63 };
    for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        for (unsigned j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
            KT_ASSERT_OK_AT(i * 100 + sizes[j], kt_retype(u.cap, fixed[i].type, sizes[j], s, 1));
            KT_ASSERT_TAG(s, fixed[i].tag);
            kt_delete(s);
        }
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    /* No children left: the untyped starts again at its base. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 30, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 63, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), u.paddr + 4 * KIB);
    delete_range(s, 2);
    kt_slots_empty(s, 2);
}

/* Checks 6 and 7 with node_depth 0: the root cap itself is the destination
 * CNode and node_index is not looked at; a root that is not a CNode (a TCB
 * cap, an empty slot) is FailedLookup, missing capability, bitsLeft 0. */
static void test_dest_depth_zero(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(
        seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, KT_ROOT, 0xdead0000beeful, 0, s, 1));
    KT_ASSERT_TAG(s, KT_TAG_ENDPOINT);
    kt_delete(s);
    KT_ASSERT_ERROR(
        seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, seL4_CapInitThreadTCB, 0, 0, s, 1),
        seL4_FailedLookup, 0, seL4_MissingCapability, 0);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s + 1, KT_ROOT, 0, s, 1),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 0);
    kt_slots_empty(s, 2);
}

/* Checks 6 and 7 with node_depth > 0: a CNode-style lookup of node_index
 * from the root cap (ABI 1.7 rule 4), its errors reported as not "source",
 * and a cap found there that is not a CNode is missing capability with
 * bitsLeft = node_depth. */
static void test_dest_lookup(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_Word ep = seL4_EndpointObject;
    /* Slot 2 holds the root CNode cap: at depth 64 it is the destination. */
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, KT_ROOT, KT_DEPTH, s, 1));
    KT_ASSERT_TAG(s, KT_TAG_ENDPOINT);
    kt_delete(s);
    KT_ASSERT_ERROR(
        seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, s, 1),
        seL4_FailedLookup, 0, seL4_MissingCapability, 64);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, s + 1, KT_DEPTH, s, 1),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 64);
    /* Depth outside 1..64, read as a full word (ABI 5.3 rule 8). */
    const seL4_Word depths[] = { 65, 0x100 + KT_DEPTH, ~0ul };
    for (unsigned i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
        KT_ASSERT_ERROR_AT(i, seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, KT_ROOT, depths[i], s, 1),
                           seL4_RangeError, 1, 64);
    }
    /* A bit set in the root's 51-bit guard; fewer bits than the guard. */
    const seL4_Word outside = 1ul << KT_ROOT_RADIX;
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, outside, KT_DEPTH, s, 1),
                    seL4_FailedLookup, 0, seL4_GuardMismatch, 64, 0, KT_ROOT_GUARD_BITS);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, KT_ROOT, 32, s, 1),
                    seL4_FailedLookup, 0, seL4_GuardMismatch, 32, 0, KT_ROOT_GUARD_BITS);
    /* Guard matched, one bit short of the radix. */
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, KT_ROOT, 63, s, 1),
                    seL4_FailedLookup, 0, seL4_DepthMismatch, 63, 64);
    /* A root that is not a CNode, with a depth: invalid root. */
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, seL4_CapInitThreadTCB, 0, KT_DEPTH, s, 1),
                    seL4_FailedLookup, 0, seL4_InvalidRoot);
    kt_slots_empty(s, 2);
}

/* Checks 8 and 10 against a small CNode, reached both ways (node_index at
 * depth 64, and as the root with depth 0); which of its slots are occupied is
 * read back through DeleteFirst. Deleting the CNode (the last cap to it)
 * deletes the caps inside, after which the untyped starts at its base. */
static void test_into_child_cnode(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_Word ep = seL4_EndpointObject;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, s, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, s, KT_DEPTH, 5, 3));
    for (seL4_Word i = 5; i < 8; i++) {
        KT_ASSERT_ERROR_AT(i, seL4_Untyped_Retype(u.cap, ep, 0, KT_ROOT, s, KT_DEPTH, i, 1),
                           seL4_DeleteFirst);
    }
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_NotificationObject, 0, s, 0, 0, 8, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 4, 1));
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 16, 1), seL4_RangeError, 0, 15);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 10, 7), seL4_RangeError, 1, 6);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 0, 17), seL4_RangeError, 1, 16);
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 15, 1));
    /* The caps have the types asked for: move two out to look. */
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, s + 1, KT_DEPTH, s, 6, 4));
    KT_ASSERT_TAG(s + 1, KT_TAG_ENDPOINT);
    kt_delete(s + 1);
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, s + 1, KT_DEPTH, s, 8, 4));
    KT_ASSERT_TAG(s + 1, KT_TAG_NOTIFICATION);
    kt_delete(s + 1);
    kt_delete(s);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_slots_empty(s, 2);
}

/* Check 8: node_offset beyond the last slot of the root CNode (8191), also
 * when num_objects is invalid as well. */
static void test_node_offset_range(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    const seL4_Word last = (1ul << KT_ROOT_RADIX) - 1;
    const seL4_Word ep = seL4_EndpointObject;
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last + 1, 1), seL4_RangeError, 0, last);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, ~0ul, 1), seL4_RangeError, 0, last);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last + 1, 0), seL4_RangeError, 0, last);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last + 1, 300), seL4_RangeError, 0, last);
}

/* Checks 9 and 10: 1..256 objects, and no more than the slots from
 * node_offset to the end of the CNode; 9 before 10, 10 before 11. The
 * largest window works, as does the last slot of the CNode. */
static void test_num_objects_range(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(256);
    KT_RETURN_IF_FAILED();
    const seL4_Word last = (1ul << KT_ROOT_RADIX) - 1;
    const seL4_Word ep = seL4_EndpointObject;
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, s, 0), seL4_RangeError, 1, 256);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, s, 257), seL4_RangeError, 1, 256);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, s, ~0ul), seL4_RangeError, 1, 256);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last, 257), seL4_RangeError, 1, 256);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last - 1, 3), seL4_RangeError, 1, 2);
    KT_ASSERT_ERROR(kt_retype(u.cap, ep, 0, last, 2), seL4_RangeError, 1, 1);
    if (!kt_slots_empty(s, 256)) {
        return;
    }
    KT_ASSERT_OK(kt_retype(u.cap, ep, 0, s, 256));
    for (seL4_Word i = 0; i < 256; i++) {
        KT_ASSERT_TAG(s + i, KT_TAG_ENDPOINT);
    }
    delete_range(s, 256);
    if (!kt_slots_empty(last, 1)) {
        return;
    }
    KT_ASSERT_OK(kt_retype(u.cap, ep, 0, last, 1));
    KT_ASSERT_TAG(last, KT_TAG_ENDPOINT);
    kt_delete(last);
    /* Check 10 before 11, in a CNode of four slots whose slot 0 is taken. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, s, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 0, 1));
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 0, 5), seL4_RangeError, 1, 4);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 3, 2), seL4_RangeError, 1, 1);
    KT_ASSERT_ERROR(seL4_Untyped_Retype(u.cap, ep, 0, s, 0, 0, 0, 4), seL4_DeleteFirst);
    kt_delete(s);
    kt_slots_empty(s, 256);
}

/* Check 11: one occupied slot in the window fails the whole call and nothing
 * is made (the next object lands where it would have without the failed
 * call); it comes before the memory (12) and device (13) checks. */
static void test_dest_occupied(void)
{
    kt_untyped_t u, d;
    if (!kt_untyped(false, 16, &u) || !kt_untyped(true, 16, &d)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    const seL4_BootInfo *bi = keel_bootinfo();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s + 2, 1));
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_EndpointObject, 0, s, 4), seL4_DeleteFirst);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 2, 1), seL4_DeleteFirst);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_ARM_LargePageObject, 0, s, 4), seL4_DeleteFirst);
    KT_ASSERT_ERROR(kt_retype(d.cap, seL4_EndpointObject, 0, s, 4), seL4_DeleteFirst);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_EndpointObject, 0, bi->untyped.end - 1, 2),
                    seL4_DeleteFirst);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 2, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(s + 3, KT_TAG_NULL);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr + 4 * KIB);
    delete_range(s, 4);
    kt_slots_empty(s, 4);
}

/* Check 12: NotEnoughMemory with MR0 = the bytes left, counted from the free
 * pointer; a 4 KiB untyped made for the purpose takes exactly 1 endpoint and
 * 255 more. Revoking it gives all of it back. */
static void test_not_enough_memory(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr c = kt_slots(1);
    KT_RETURN_IF_FAILED();
    seL4_CPtr e = kt_slots(257);
    KT_RETURN_IF_FAILED();
    const seL4_Word ep = seL4_EndpointObject;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 12, c, 1));
    KT_ASSERT_ERROR(kt_retype(c, seL4_ARM_SmallPageObject, 0, e, 2), seL4_NotEnoughMemory, 4096);
    KT_ASSERT_ERROR(kt_retype(c, seL4_UntypedObject, 13, e, 1), seL4_NotEnoughMemory, 4096);
    KT_ASSERT_OK(kt_retype(c, ep, 0, e, 1));
    KT_ASSERT_ERROR(kt_retype(c, seL4_ARM_SmallPageObject, 0, e + 1, 1), seL4_NotEnoughMemory,
                    4080);
    KT_ASSERT_ERROR(kt_retype(c, ep, 0, e + 1, 256), seL4_NotEnoughMemory, 4080);
    KT_ASSERT_OK(kt_retype(c, ep, 0, e + 1, 255));
    KT_ASSERT_ERROR(kt_retype(c, ep, 0, e + 256, 1), seL4_NotEnoughMemory, 0);
    KT_ASSERT_TAG(e + 256, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, c, KT_DEPTH));
    KT_ASSERT_TAG(c, KT_TAG_UNTYPED);
    if (!kt_slots_empty(e, 257)) {
        return;
    }
    KT_ASSERT_OK(kt_retype(c, seL4_ARM_SmallPageObject, 0, e, 1));
    KT_ASSERT_EQ(kt_frame_paddr(e), u.paddr);
    /* 8 KiB with 16 bytes used: one frame fits (at 4 KiB), two do not,
     * though 8176 bytes are more than one frame. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 13, e + 1, 1));
    KT_ASSERT_OK(kt_retype(e + 1, ep, 0, e + 2, 1));
    KT_ASSERT_ERROR(kt_retype(e + 1, seL4_ARM_SmallPageObject, 0, e + 3, 2), seL4_NotEnoughMemory,
                    8176);
    KT_ASSERT_OK(kt_retype(e + 1, seL4_ARM_SmallPageObject, 0, e + 3, 1));
    KT_ASSERT_EQ(kt_frame_paddr(e + 3), u.paddr + 8 * KIB + 4 * KIB);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(c, 1);
    kt_slots_empty(e, 257);
}

/* Check 13: a device untyped makes frames (of each size, at its addresses)
 * and untypeds, nothing else: InvalidArgument 1. A child untyped inherits
 * the device flag. An exhausted device untyped reports NotEnoughMemory
 * first (check 12 before 13). */
static void test_device(void)
{
    kt_untyped_t d, huge;
    if (!kt_untyped(true, 22, &d) || !kt_untyped(true, seL4_HugePageBits, &huge)) {
        return;
    }
    seL4_CPtr s = kt_slots(3);
    KT_RETURN_IF_FAILED();
    const seL4_Word not_frames[] = { seL4_TCBObject,          seL4_EndpointObject,
                                     seL4_NotificationObject, seL4_CapTableObject,
                                     seL4_ARM_VSpaceObject,   seL4_ARM_PageTableObject };
    for (unsigned i = 0; i < sizeof(not_frames) / sizeof(not_frames[0]); i++) {
        KT_ASSERT_ERROR_AT(i, kt_retype(d.cap, not_frames[i], 4, s, 1), seL4_InvalidArgument, 1);
        KT_ASSERT_TAG(s, KT_TAG_NULL);
    }
    KT_ASSERT_OK(kt_retype(d.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(d.cap, seL4_ARM_LargePageObject, 0, s + 1, 1));
    KT_ASSERT_TAG(s, KT_TAG_FRAME);
    KT_ASSERT_TAG(s + 1, KT_TAG_FRAME);
    KT_ASSERT_EQ(kt_frame_paddr(s), d.paddr);
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), d.paddr + (1ul << seL4_LargePageBits));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, d.cap, KT_DEPTH));
    /* A child untyped of one page. */
    KT_ASSERT_OK(kt_retype(d.cap, seL4_UntypedObject, 12, s, 1));
    KT_ASSERT_ERROR(kt_retype(s, seL4_EndpointObject, 0, s + 1, 1), seL4_InvalidArgument, 1);
    KT_ASSERT_OK(kt_retype(s, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), d.paddr);
    KT_ASSERT_ERROR(kt_retype(s, seL4_EndpointObject, 0, s + 2, 1), seL4_NotEnoughMemory, 0);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, d.cap, KT_DEPTH));
    /* A huge page: 1 GiB, only device memory has that much in one piece. */
    KT_ASSERT_OK(kt_retype(huge.cap, seL4_ARM_HugePageObject, 0, s, 1));
    KT_ASSERT_TAG(s, KT_TAG_FRAME);
    KT_ASSERT_EQ(kt_frame_paddr(s), huge.paddr);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, huge.cap, KT_DEPTH));
    kt_slots_empty(s, 3);
}

/* Every object type at a valid size gives a cap of the type ABI 4.1 and
 * Appendix A name; the huge page comes from device memory (RAM has no 1 GiB
 * piece). After deleting them, the same retypes succeed again. */
static void test_each_type(void)
{
    kt_untyped_t u, huge;
    if (!kt_untyped(false, 22, &u) || !kt_untyped(true, seL4_HugePageBits, &huge)) {
        return;
    }
    seL4_CPtr s = kt_slots(10);
    KT_RETURN_IF_FAILED();
    static const struct {
        seL4_Word type, size_bits, tag;
    } types[] = {
        { seL4_UntypedObject, 4, KT_TAG_UNTYPED },
        { seL4_TCBObject, 0, KT_TAG_TCB },
        { seL4_EndpointObject, 0, KT_TAG_ENDPOINT },
        { seL4_NotificationObject, 0, KT_TAG_NOTIFICATION },
        { seL4_CapTableObject, 4, KT_TAG_CNODE },
        { seL4_ARM_VSpaceObject, 0, KT_TAG_VSPACE },
        { seL4_ARM_SmallPageObject, 0, KT_TAG_FRAME },
        { seL4_ARM_PageTableObject, 0, KT_TAG_PAGE_TABLE },
        { seL4_ARM_LargePageObject, 0, KT_TAG_FRAME }, /* last: [2, 4) MiB */
    };
    const unsigned n = sizeof(types) / sizeof(types[0]);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 0; i < n; i++) {
            KT_ASSERT_OK_AT(i, kt_retype(u.cap, types[i].type, types[i].size_bits, s + i, 1));
            KT_ASSERT_TAG(s + i, types[i].tag);
        }
        KT_ASSERT_OK(kt_retype(huge.cap, seL4_ARM_HugePageObject, 0, s + n, 1));
        KT_ASSERT_TAG(s + n, KT_TAG_FRAME);
        delete_range(s, n + 1);
        if (!kt_slots_empty(s, n + 1)) {
            return;
        }
    }
}

/* Caps go to consecutive slots from node_offset, and only there. */
static void test_consecutive_slots(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(7);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, s + 1, 5));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    for (seL4_Word i = 1; i <= 5; i++) {
        KT_ASSERT_TAG(s + i, KT_TAG_NOTIFICATION);
    }
    KT_ASSERT_TAG(s + 6, KT_TAG_NULL);
    delete_range(s, 7);
    kt_slots_empty(s, 7);
}

/* Check 14: each object goes at the free pointer rounded up to its size;
 * the free pointer is then the end of the last object. Frames show their
 * addresses; the bytes left at the end show the final free pointer. */
static void test_placement(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 23, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(8);
    KT_RETURN_IF_FAILED();
    const seL4_Word p = u.paddr;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));          /* [0, 16) */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 1, 1)); /* 4 KiB */
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), p + 4 * KIB);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, s + 2, 1)); /* [8 KiB, +32) */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 3, 2));
    KT_ASSERT_EQ(kt_frame_paddr(s + 3), p + 12 * KIB);
    KT_ASSERT_EQ(kt_frame_paddr(s + 4), p + 16 * KIB);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_LargePageObject, 0, s + 5, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 5), p + 2 * MIB);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 6, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 6), p + 4 * MIB);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, u.size_bits, s + 7, 1),
                    seL4_NotEnoughMemory, (1ul << u.size_bits) - 4 * MIB - 4 * KIB);
    delete_range(s, 7);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), p);
    kt_delete(s);
    /* Variable sizes align to their own size: a CNode of 256 slots (8 KiB)
     * after an endpoint, a TCB (2 KiB), an untyped of 16 KiB. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 8, s + 1, 1));      /* [8, 16) KiB */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_TCBObject, 0, s + 2, 1));           /* [16, 18) KiB */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 14, s + 3, 1));      /* [32, 48) KiB */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 4, 1)); /* 48 KiB */
    KT_ASSERT_EQ(kt_frame_paddr(s + 4), p + 48 * KIB);
    KT_ASSERT_OK(kt_retype(s + 3, seL4_ARM_SmallPageObject, 0, s + 5, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 5), p + 32 * KIB);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(s, 8);
}

/* ABI 4.3 check 12: while any child is left the free pointer only grows;
 * once the last child is deleted (or revoked) the next retype starts at the
 * base of the untyped again. */
static void test_reset_after_delete(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(3);
    KT_RETURN_IF_FAILED();
    const seL4_Word p = u.paddr;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), p + 4 * KIB);
    kt_delete(s + 1);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s + 1), p + 8 * KIB);
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, u.size_bits, s + 2, 1),
                    seL4_NotEnoughMemory, (1ul << u.size_bits) - 12 * KIB);
    delete_range(s, 2);
    /* No children: the bytes available are counted from the base already
     * (ABI 4.3 check 12), before any retype has succeeded. */
    KT_ASSERT_ERROR(kt_retype(u.cap, seL4_UntypedObject, u.size_bits + 1, s, 1),
                    seL4_NotEnoughMemory, 1ul << u.size_bits);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), p);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s + 1, 1));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    if (!kt_slots_empty(s, 2)) {
        return;
    }
    KT_ASSERT_TAG(u.cap, KT_TAG_UNTYPED);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), p);
    kt_delete(s);
    kt_slots_empty(s, 3);
}

/* A new TCB (ABI 4.3): every register 0 but SPSR = 0x40, TCB flags 0. Read
 * through TCB_ReadRegisters and TCB_SetFlags(0, 0). */
static void test_tcb_initial_state(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_TCBObject, 0, s, 1));
    KT_ASSERT_TAG(s, KT_TAG_TCB);
    seL4_UserContext regs;
    memset(&regs, 0x5a, sizeof(regs));
    seL4_Error error = seL4_TCB_ReadRegisters(s, false, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (error == seL4_NoError) {
        const seL4_Word *words = (const seL4_Word *)&regs;
        for (unsigned i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++) {
            seL4_Word want = (&words[i] == &regs.spsr) ? 0x40 : 0;
            if (words[i] != want) {
                kt_delete(s);
                KT_FAIL("register %u of a new TCB is 0x%lx, expected 0x%lx", i, words[i], want);
            }
        }
    }
    seL4_TCB_SetFlags_t flags = seL4_TCB_SetFlags(s, 0, 0);
    kt_delete(s);
    KT_ASSERT_EQ(error, seL4_NoError);
    KT_ASSERT_EQ(flags.error, seL4_NoError);
    KT_ASSERT_EQ(flags.flags, 0);
    kt_slots_empty(s, 1);
}

/* Retype all of a 16 MiB untyped into 4 KiB frames (4096 of them, in a CNode
 * of 4096 slots from another untyped): the frames tile the untyped in order
 * and nothing is left; revoking the untyped gives it all back, twice. */
static void test_exhaust_and_recover(void)
{
    kt_untyped_t u, cu;
    if (!kt_untyped(false, 24, &u) || !kt_untyped_except(false, 17, u.cap, &cu)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_Word radix = 12;
    const seL4_Word frames = 1ul << (u.size_bits - seL4_PageBits);
    KT_ASSERT_LE(frames, 1ul << radix);
    KT_ASSERT_OK(kt_retype(cu.cap, seL4_CapTableObject, radix, s, 1));
    for (int round = 0; round < 2; round++) {
        for (seL4_Word off = 0; off < frames; off += 256) {
            KT_ASSERT_OK_AT(off, seL4_Untyped_Retype(u.cap, seL4_ARM_SmallPageObject, 0, KT_ROOT, s,
                                                     KT_DEPTH, off, 256));
        }
        KT_ASSERT_ERROR(kt_retype(u.cap, seL4_EndpointObject, 0, s + 1, 1), seL4_NotEnoughMemory,
                        0);
        const seL4_Word probes[] = { 0, 1, frames / 2, frames - 1 };
        for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
            KT_ASSERT_OK_AT(probes[i],
                            seL4_CNode_Move(KT_ROOT, s + 1, KT_DEPTH, s, probes[i], radix));
            KT_ASSERT_EQ(kt_frame_paddr(s + 1), u.paddr + probes[i] * 4 * KIB);
            KT_ASSERT_OK(seL4_CNode_Move(s, probes[i], radix, KT_ROOT, s + 1, KT_DEPTH));
        }
        KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    }
    kt_delete(s);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, cu.cap, KT_DEPTH));
    kt_slots_empty(s, 2);
}

/* Every RAM untyped of BootInfo can be retyped whole, is then full, and is
 * whole again after a revoke. */
static void test_all_ram_recoverable(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        seL4_CPtr cap = bi->untyped.start + i;
        if (d->isDevice) {
            continue;
        }
        seL4_CNode_Revoke(KT_ROOT, cap, KT_DEPTH);
        KT_ASSERT_OK_AT(i, kt_retype(cap, seL4_UntypedObject, d->sizeBits, s, 1));
        KT_ASSERT_ERROR_AT(i, kt_retype(cap, seL4_EndpointObject, 0, s + 1, 1),
                           seL4_NotEnoughMemory, 0);
        KT_ASSERT_OK_AT(i, seL4_CNode_Revoke(KT_ROOT, cap, KT_DEPTH));
        KT_ASSERT_TAG(s, KT_TAG_NULL);
        KT_ASSERT_OK_AT(i, kt_retype(cap, seL4_UntypedObject, d->sizeBits, s, 1));
        KT_ASSERT_OK_AT(i, seL4_CNode_Revoke(KT_ROOT, cap, KT_DEPTH));
    }
    kt_slots_empty(s, 2);
}

/* Error replies (ABI 6.1): label = the error, length = its number of
 * words, nothing else in the tag; a success has an empty reply. */
static void test_error_reply_tags(void)
{
    kt_untyped_t u, d;
    if (!kt_untyped(false, 16, &u) || !kt_untyped(true, 16, &d)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word root = KT_ROOT;
    static const struct {
        seL4_Word error, length;
        bool device;
        seL4_Word mrs[6];
    } cases[] = {
        { seL4_InvalidArgument, 1, false, { 99, 0, 0, 0, 0, 1 } },
        { seL4_RangeError, 2, false, { seL4_UntypedObject, 48, 0, 0, 0, 1 } },
        { seL4_FailedLookup,
          3,
          false,
          { seL4_EndpointObject, 0, seL4_CapInitThreadTCB, 64, 0, 1 } },
        { seL4_FailedLookup, 5, false, { seL4_EndpointObject, 0, 1ul << 13, 64, 0, 1 } },
        { seL4_FailedLookup, 4, false, { seL4_EndpointObject, 0, root, 63, 0, 1 } },
        { seL4_DeleteFirst, 0, false, { seL4_EndpointObject, 0, 0, 0, root, 1 } },
        { seL4_NotEnoughMemory, 1, false, { seL4_UntypedObject, 47, 0, 0, 0, 1 } },
        { seL4_InvalidArgument, 1, true, { seL4_EndpointObject, 0, 0, 0, 0, 1 } },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        seL4_Word mrs[6];
        memcpy(mrs, cases[i].mrs, sizeof(mrs));
        if (mrs[4] == 0) {
            mrs[4] = s;
        }
        seL4_MessageInfo_t reply = retype_raw(cases[i].device ? d.cap : u.cap, mrs, 6, 1);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), cases[i].error);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), cases[i].length);
        KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(reply), 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(reply), 0);
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

const ktest_case_t ktest_retype_cases[] = {
    { "untyped.retype_label_illegal", test_label_illegal },
    { "untyped.retype_truncated", test_truncated },
    { "untyped.retype_type_out_of_range", test_type_out_of_range },
    { "untyped.retype_size_bits_range", test_size_bits_range },
    { "untyped.retype_size_bits_too_small", test_size_bits_too_small },
    { "untyped.retype_size_bits_ignored", test_size_bits_ignored },
    { "untyped.retype_dest_depth_zero_is_root", test_dest_depth_zero },
    { "untyped.retype_dest_lookup", test_dest_lookup },
    { "untyped.retype_into_child_cnode", test_into_child_cnode },
    { "untyped.retype_node_offset_range", test_node_offset_range },
    { "untyped.retype_num_objects_range", test_num_objects_range },
    { "untyped.retype_dest_occupied", test_dest_occupied },
    { "untyped.retype_not_enough_memory", test_not_enough_memory },
    { "untyped.retype_device", test_device },
    { "untyped.retype_error_reply_tags", test_error_reply_tags },
    { "untyped.retype_each_type", test_each_type },
    { "untyped.retype_consecutive_slots", test_consecutive_slots },
    { "untyped.retype_placement", test_placement },
    { "untyped.retype_reset_after_delete", test_reset_after_delete },
    { "untyped.retype_tcb_initial_state", test_tcb_initial_state },
    { "untyped.exhaust_and_recover", test_exhaust_and_recover },
    { "untyped.all_ram_recoverable", test_all_ram_recoverable },
    { NULL, NULL },
};
