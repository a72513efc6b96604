/* PageTable_Map/Unmap, Page_Map/Unmap and Page_GetAddress: every check of
 * ABI 5.4.6 in its order, the level a page table lands at (ABI 4.4), and
 * what the page tables hold afterwards, seen through accesses of a helper
 * thread (ABI 7.6). */
#include "vmtest.h"

#define RW seL4_ReadWrite
#define ATTR seL4_ARM_Default_VMAttributes

/* FailedLookup of a Page_Map: not a source lookup, missing capability with
 * `bits` left (ABI 5.4.6, 6.2). */
#define KT_ASSERT_MAP_LOOKUP(call, bits)                                                           \
    KT_ASSERT_ERROR(call, seL4_FailedLookup, 0, seL4_MissingCapability, (bits))

static seL4_Word call_label(seL4_MessageInfo_t info)
{
    return seL4_MessageInfo_get_label(info);
}

/* Each PageTable_Map installs the table at the first missing level of the
 * walk for its address; a page maps once all three exist. The cap records
 * the address rounded down to the level's span, so any address in the
 * span works. Deleting the untyped's children removes the tables. */
static void test_pt_levels(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word base = vt_region();
    const seL4_Word va = base + 5 * VT_HUGE + 7 * VT_LARGE + 3 * VT_SMALL;
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr pt1 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt2 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt3 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt4 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt5 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    KT_RETURN_IF_FAILED();

    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR), 39);
    /* Level 1 (covers the 512 GiB), mapped through another address in it. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt1, VT_ROOT_VSPACE, base + 300 * VT_HUGE + 0x1000, ATTR));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR), 30);
    /* Level 2 (covers the 1 GiB of va). */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt2, VT_ROOT_VSPACE, base + 5 * VT_HUGE + 0x1234000, ATTR));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR), 21);
    /* Level 3 (covers the 2 MiB of va). */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt3, VT_ROOT_VSPACE, va + 0x10000, ATTR));
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR));
    vt_poke(va + 8, 0x5eed);
    KT_ASSERT_EQ(vt_peek(va + 8), 0x5eed);
    /* All levels present: nowhere to put another table. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt4, VT_ROOT_VSPACE, va, ATTR), seL4_DeleteFirst);
    KT_ASSERT_ERROR(
        seL4_ARM_PageTable_Map(pt4, VT_ROOT_VSPACE, (va & ~(VT_LARGE - 1)) + 0x1ff000, ATTR),
        seL4_DeleteFirst);
    /* The next 2 MiB lacks only its level-3 table, the next 1 GiB its level 2. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt4, VT_ROOT_VSPACE, va + VT_LARGE, ATTR));
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt5, VT_ROOT_VSPACE, va + VT_HUGE, ATTR));
    seL4_CPtr f2 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr f3 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_Page_Map(f2, VT_ROOT_VSPACE, va + VT_LARGE, RW, ATTR));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(f3, VT_ROOT_VSPACE, va + VT_HUGE, RW, ATTR), 21);
    /* A mapped table does not map again. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt2, VT_ROOT_VSPACE, 0x400000, ATTR),
                    seL4_InvalidCapability, 0);

    VT_CLEANUP(ut.cap);
    KT_ASSERT_TAG(pt1, KT_TAG_NULL);
    /* Deleting the level-1 table removed it from the VSpace. */
    frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr pt = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR), 39);
    /* The root image's tables are all in place: nowhere to put one. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, 0x400000, ATTR), seL4_DeleteFirst);
    VT_CLEANUP(ut.cap);
}

/* PageTable_Map's errors in the ABI's order. */
static void test_pt_map_errors(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    const seL4_Word base = vt_region();
    seL4_CPtr pt = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt2 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr bare_vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr large = vt_new(ut.cap, seL4_ARM_LargePageObject, 0);
    KT_RETURN_IF_FAILED();

    /* Truncated: one word, or no VSpace cap. */
    seL4_Word mrs[2] = { base, ATTR };
    seL4_CPtr caps[1] = { VT_ROOT_VSPACE };
    KT_ASSERT_EQ(call_label(kt_call(pt, ARMPageTableMap, mrs, 1, caps, 1)), seL4_TruncatedMessage);
    KT_ASSERT_EQ(call_label(kt_call(pt, ARMPageTableMap, mrs, 2, caps, 0)), seL4_TruncatedMessage);
    /* VSpace cap without an ASID, or not a VSpace: InvalidCapability 1,
     * before the address is looked at. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, bare_vs, base, ATTR), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, frame, base, ATTR), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, KT_ROOT, base, ATTR), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, bare_vs, seL4_UserTop + 1, ATTR),
                    seL4_InvalidCapability, 1);
    /* Beyond seL4_UserTop. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, seL4_UserTop + 1, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, ~0ul, ATTR), seL4_InvalidArgument,
                    0);
    /* seL4_UserTop itself is a user address: the top level-0 slot. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, seL4_UserTop, ATTR));
    /* Already mapped: InvalidCapability 0, checked first. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, base, ATTR), seL4_InvalidCapability,
                    0);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, bare_vs, seL4_UserTop + 1, ATTR),
                    seL4_InvalidCapability, 0);
    KT_ASSERT_OK(seL4_ARM_PageTable_Unmap(pt));

    /* A large page where the walk stops: DeleteFirst. */
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, base, 2, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_LARGE, RW, ATTR));
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, base + VT_LARGE + 0x3000, ATTR),
                    seL4_DeleteFirst);
    /* Next to it the slot is free. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, base, ATTR));
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt2, VT_ROOT_VSPACE, base, ATTR), seL4_DeleteFirst);
    /* After the large page goes, its slot takes a table. */
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(large));
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt2, VT_ROOT_VSPACE, base + VT_LARGE + 0x3000, ATTR));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_LARGE, RW, ATTR), 12);
    VT_CLEANUP(ut.cap);
}

/* PageTable_Unmap: RevokeFirst while another cap to the table exists; after
 * it the walk misses the table (lookups and accesses), and the table, mapped
 * elsewhere, holds none of its old entries. */
static void test_pt_unmap(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word a = vt_region(), b = vt_region();
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, a, 2, NULL) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, b, 2, NULL)) {
        return;
    }
    seL4_CPtr pt = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr frame2 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr copy = kt_slots(1);
    KT_RETURN_IF_FAILED();
    /* An unmapped table cap cannot be copied (ABI 5.6). */
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, pt, KT_DEPTH, seL4_AllRights),
                    seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, a, ATTR));
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, a + 0x5000, RW, ATTR));
    vt_poke(a + 0x5000, 0xfeed);
    vt_outcome_t o = vt_run(&t, vt_fn_read, a + 0x5000, 0);
    VT_ASSERT_RESULT(o, 0xfeed);

    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, pt, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Unmap(pt), seL4_RevokeFirst);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Unmap(copy), seL4_RevokeFirst);
    o = vt_run(&t, vt_fn_read, a + 0x5000, 0);
    VT_ASSERT_RESULT(o, 0xfeed);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, copy, KT_DEPTH));
    KT_ASSERT_OK(seL4_ARM_PageTable_Unmap(pt));

    /* The level-2 entry is gone: a translation fault at level 2. */
    o = vt_run(&t, vt_fn_read, a + 0x5008, 0);
    VT_ASSERT_DATA_FAULT(o, a + 0x5008, false, VT_FSC_TRANSLATION(2));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame2, VT_ROOT_VSPACE, a + 0x6000, RW, ATTR), 21);
    /* Unmapping again does nothing; the frame's stale cap unmaps fine. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Unmap(pt));
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(frame));

    /* Elsewhere the table starts empty. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, b, ATTR));
    o = vt_run(&t, vt_fn_read, b + 0x5000, 0);
    VT_ASSERT_DATA_FAULT(o, b + 0x5000, false, VT_FSC_TRANSLATION(3));
    /* And serves new mappings; the frame kept its data. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, b + 0x7000, RW, ATTR));
    o = vt_run(&t, vt_fn_read, b + 0x7000, 0);
    VT_ASSERT_RESULT(o, 0xfeed);
    /* The old place: still no level-3 table. */
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame2, VT_ROOT_VSPACE, a + 0x6000, RW, ATTR), 21);
    VT_CLEANUP(ut.cap);
}

/* Page_Map's errors in the ABI's order. */
static void test_page_map_errors(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    const seL4_Word base = vt_region();
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr large = vt_new(ut.cap, seL4_ARM_LargePageObject, 0);
    seL4_CPtr bare_vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    seL4_CPtr other_vs = vt_new_vspace(ut.cap);
    seL4_CPtr ep = vt_new(ut.cap, seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();

    /* Truncated: two words, or no VSpace cap. */
    seL4_Word mrs[3] = { base, RW.words[0], ATTR };
    seL4_CPtr caps[1] = { VT_ROOT_VSPACE };
    KT_ASSERT_EQ(call_label(kt_call(frame, ARMPageMap, mrs, 2, caps, 1)), seL4_TruncatedMessage);
    KT_ASSERT_EQ(call_label(kt_call(frame, ARMPageMap, mrs, 3, caps, 0)), seL4_TruncatedMessage);
    /* The VSpace: InvalidCapability 1 before anything else. */
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, bare_vs, base, RW, ATTR), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, ep, base, RW, ATTR), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, bare_vs, base + 1, RW, ATTR), seL4_InvalidCapability,
                    1);
    /* Alignment to the frame's size, checked before the address range. */
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base + 0x800, RW, ATTR),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_SMALL, RW, ATTR),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, seL4_UserTop + 1 + 0x800, RW, ATTR),
                    seL4_AlignmentError);
    /* The last byte of the frame beyond seL4_UserTop. */
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, seL4_UserTop + 1, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, ~0ul << 12, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, seL4_UserTop + 1, RW, ATTR),
                    seL4_InvalidArgument, 0);
    /* The top frames end exactly at seL4_UserTop: only their tables miss. */
    KT_ASSERT_MAP_LOOKUP(
        seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, seL4_UserTop + 1 - VT_SMALL, RW, ATTR), 39);
    KT_ASSERT_MAP_LOOKUP(
        seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, seL4_UserTop + 1 - VT_LARGE, RW, ATTR), 39);
    /* Missing tables, level by level, for both sizes. */
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base, RW, ATTR), 39);
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base, RW, ATTR), 39);
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, base, 1, NULL)) {
        return;
    }
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base, RW, ATTR), 30);
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base, RW, ATTR), 30);
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, base, 1, NULL)) {
        return;
    }
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base, RW, ATTR), 21);
    /* The large page maps at level 2; a small page cannot go into its slot. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_LARGE, RW, ATTR));
    KT_ASSERT_MAP_LOOKUP(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base + VT_LARGE, RW, ATTR), 21);
    /* Mapped: another address is InvalidArgument 0, another VSpace
     * InvalidCapability 1; alignment still comes first. */
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + 2 * VT_LARGE, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, seL4_UserTop + 1, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, other_vs, base + VT_LARGE, RW, ATTR),
                    seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large, other_vs, base + VT_SMALL, RW, ATTR),
                    seL4_AlignmentError);
    /* The same address again is a remap. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_LARGE, seL4_CanRead, ATTR));
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, base + VT_LARGE, RW, ATTR));
    vt_poke(base + VT_LARGE + 0x1f0000, 77);
    KT_ASSERT_EQ(vt_peek(base + VT_LARGE + 0x1f0000), 77);
    /* With the level-3 table in place the small page maps. */
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, base, 1, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base, RW, ATTR));
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, base + VT_SMALL, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, other_vs, base, RW, ATTR), seL4_InvalidCapability, 1);
    VT_CLEANUP(ut.cap);
}

/* Mapping a frame over another overwrites the entry (ABI 5.4.6); the stale
 * cap of the first frame then unmaps without touching the new entry. */
static void test_page_map_overwrite(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word x = vt_region() + 0x3000, y = x + 0x1000;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    seL4_CPtr f1 = vt_map_new_frame(ut.cap, seL4_PageBits, x, RW, ATTR);
    seL4_CPtr f2 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    vt_poke(x, 0x1111);
    KT_ASSERT_OK(seL4_ARM_Page_Map(f2, VT_ROOT_VSPACE, x, RW, ATTR));
    vt_outcome_t o = vt_run(&t, vt_fn_read, x, 0);
    VT_ASSERT_RESULT(o, 0);
    o = vt_run(&t, vt_fn_write, x, 0x2222);
    VT_ASSERT_RESULT(o, 0x2222);
    /* f1's cap still names x, but the entry is f2's now. */
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(f1));
    o = vt_run(&t, vt_fn_read, x, 0);
    VT_ASSERT_RESULT(o, 0x2222);
    KT_ASSERT_OK(seL4_ARM_Page_Map(f1, VT_ROOT_VSPACE, y, RW, ATTR));
    o = vt_run(&t, vt_fn_read, y, 0);
    VT_ASSERT_RESULT(o, 0x1111);
    VT_CLEANUP(ut.cap);
}

/* Page_Unmap always succeeds; afterwards accesses fault (ABI 7.6) and the
 * frame, with its data, maps anywhere again. */
static void test_page_unmap(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word x = vt_region() + 0x7000;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    seL4_CPtr never = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr frame = vt_map_new_frame(ut.cap, seL4_PageBits, x, RW, ATTR);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(never));
    vt_poke(x + 0x10, 0xabcdef);
    vt_outcome_t o = vt_run(&t, vt_fn_read, x + 0x10, 0);
    VT_ASSERT_RESULT(o, 0xabcdef);
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(frame));
    o = vt_run(&t, vt_fn_read, x + 0x10, 0);
    VT_ASSERT_DATA_FAULT(o, x + 0x10, false, VT_FSC_TRANSLATION(3));
    o = vt_run(&t, vt_fn_write, x + 0x18, 5);
    VT_ASSERT_DATA_FAULT(o, x + 0x18, true, VT_FSC_TRANSLATION(3));
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(frame));
    /* Unmapped, it maps at another address. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, x + VT_SMALL, RW, ATTR));
    KT_ASSERT_EQ(vt_peek(x + VT_SMALL + 0x10), 0xabcdef);
    VT_CLEANUP(ut.cap);
}

/* GetAddress: the physical address of each frame, mapped or not, as a reply
 * of length 1 (ABI 5.5); frames are placed in the untyped in order. */
static void test_get_address(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    seL4_CPtr f1 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr f2 = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr large = vt_new(ut.cap, seL4_ARM_LargePageObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(kt_frame_paddr(f1), ut.paddr);
    KT_ASSERT_EQ(kt_frame_paddr(f2), ut.paddr + VT_SMALL);
    KT_ASSERT_EQ(kt_frame_paddr(large), ut.paddr + VT_LARGE);
    seL4_MessageInfo_t info = kt_call(f2, ARMPageGetAddress, NULL, 0, NULL, 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), 1);
    KT_ASSERT_EQ(seL4_GetMR(0), ut.paddr + VT_SMALL);
    /* Mapped: the same. A copy: the same. */
    const seL4_Word x = vt_region();
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(f2, VT_ROOT_VSPACE, x, RW, ATTR));
    KT_ASSERT_EQ(kt_frame_paddr(f2), ut.paddr + VT_SMALL);
    seL4_CPtr copy = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, f2, KT_DEPTH, seL4_CanRead));
    KT_ASSERT_EQ(kt_frame_paddr(copy), ut.paddr + VT_SMALL);
    /* The root task's own image frames and IPC buffer. */
    KT_ASSERT_NE(kt_frame_paddr(seL4_CapInitThreadIPCBuffer),
                 kt_frame_paddr(seL4_CapBootInfoFrame));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, copy, KT_DEPTH));
    VT_CLEANUP(ut.cap);
}

const ktest_case_t vt_map_cases[] = {
    { "vm.pt_map.levels", test_pt_levels },
    { "vm.pt_map.errors", test_pt_map_errors },
    { "vm.pt_unmap", test_pt_unmap },
    { "vm.page_map.errors", test_page_map_errors },
    { "vm.page_map.overwrite", test_page_map_overwrite },
    { "vm.page_unmap", test_page_unmap },
    { "vm.page_get_address", test_get_address },
    { NULL, NULL },
};
