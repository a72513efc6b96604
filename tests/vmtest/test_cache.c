/* Cache maintenance on frames (labels 42..45) and on VSpaces (33..36): the
 * checks of ABI 5.4.6 in their order. QEMU does not model caches, so only
 * the replies are checked, not the effect on memory (except that code
 * written to a frame runs after Unify_Instruction: see test_fault.c). */
#include "vmtest.h"

#define RW seL4_ReadWrite
#define ATTR seL4_ARM_Default_VMAttributes

typedef seL4_Error (*range_op_t)(seL4_CPtr cap, seL4_Word start, seL4_Word end);

static const range_op_t page_ops[4] = {
    seL4_ARM_Page_Clean_Data,
    seL4_ARM_Page_Invalidate_Data,
    seL4_ARM_Page_CleanInvalidate_Data,
    seL4_ARM_Page_Unify_Instruction,
};
static const seL4_Word page_labels[4] = {
    ARMPageClean_Data,
    ARMPageInvalidate_Data,
    ARMPageCleanInvalidate_Data,
    ARMPageUnify_Instruction,
};
static const range_op_t vspace_ops[4] = {
    seL4_ARM_VSpace_Clean_Data,
    seL4_ARM_VSpace_Invalidate_Data,
    seL4_ARM_VSpace_CleanInvalidate_Data,
    seL4_ARM_VSpace_Unify_Instruction,
};
static const seL4_Word vspace_labels[4] = {
    ARMVSpaceClean_Data,
    ARMVSpaceInvalidate_Data,
    ARMVSpaceCleanInvalidate_Data,
    ARMVSpaceUnify_Instruction,
};
#define INVALIDATE 1 /* index of the Invalidate operation */

/* Frame operations: unmapped → IllegalOperation first; then the offsets
 * (end ≤ start → InvalidArgument 1, start or end beyond the frame →
 * InvalidArgument 0); Invalidate needs a read-write mapping; a mapping the
 * tables no longer hold → InvalidCapability 0. */
static void test_page_cache(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    const seL4_Word x = vt_region();
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 2, NULL)) {
        return;
    }
    seL4_CPtr large = vt_map_new_frame(ut.cap, seL4_LargePageBits, x + VT_LARGE, RW, ATTR);
    seL4_CPtr ro = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    seL4_CPtr other = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    for (int i = 0; i < 4; i++) {
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 0, VT_SMALL), seL4_IllegalOperation);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 8, 8), seL4_IllegalOperation);
    }
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 1, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, x, RW, ATTR));
    KT_ASSERT_OK(seL4_ARM_Page_Map(ro, VT_ROOT_VSPACE, x + VT_SMALL, seL4_CanRead, ATTR));
    seL4_Word one[1] = { 0 };
    for (int i = 0; i < 4; i++) {
        seL4_MessageInfo_t info = kt_call(frame, page_labels[i], one, 1, NULL, 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
        KT_ASSERT_OK_AT(i, page_ops[i](frame, 0, VT_SMALL));
        KT_ASSERT_OK_AT(i, page_ops[i](frame, VT_SMALL - 1, VT_SMALL));
        KT_ASSERT_OK_AT(i, page_ops[i](frame, 0x100, 0x140));
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 8, 8), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 16, 8), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, VT_SMALL + 8, 8), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, VT_SMALL, VT_SMALL + 1), seL4_InvalidArgument, 0);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 0, VT_SMALL + 1), seL4_InvalidArgument, 0);
        /* The large frame's offsets go up to 2 MiB. */
        KT_ASSERT_OK_AT(i, page_ops[i](large, 0, VT_LARGE));
        KT_ASSERT_OK_AT(i, page_ops[i](large, VT_SMALL, 3 * VT_SMALL));
        KT_ASSERT_ERROR_AT(i, page_ops[i](large, VT_LARGE - 8, VT_LARGE + 8), seL4_InvalidArgument,
                           0);
        /* Read-only: only Invalidate is refused. */
        if (i == INVALIDATE) {
            KT_ASSERT_ERROR_AT(i, page_ops[i](ro, 0, VT_SMALL), seL4_IllegalOperation);
        } else {
            KT_ASSERT_OK_AT(i, page_ops[i](ro, 0, VT_SMALL));
        }
        /* The offsets come before the rights. */
        KT_ASSERT_ERROR_AT(i, page_ops[i](ro, 8, 8), seL4_InvalidArgument, 1);
    }
    /* Another frame takes frame's place: frame's mapping is stale. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(other, VT_ROOT_VSPACE, x, RW, ATTR));
    for (int i = 0; i < 4; i++) {
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 0, VT_SMALL), seL4_InvalidCapability, 0);
        KT_ASSERT_ERROR_AT(i, page_ops[i](frame, 8, 8), seL4_InvalidArgument, 1);
        KT_ASSERT_OK_AT(i, page_ops[i](other, 0, VT_SMALL));
    }
    /* Unmapped again: IllegalOperation. */
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(frame));
    KT_ASSERT_ERROR(page_ops[0](frame, 0, VT_SMALL), seL4_IllegalOperation);
    VT_CLEANUP(ut.cap);
}

/* VSpace operations: end ≤ start → InvalidArgument 1; end beyond UserTop →
 * IllegalOperation; no ASID → InvalidCapability 0; an unmapped start is a
 * no-op; a range leaving the page of start → RangeError(start, last byte of
 * that page); Invalidate needs a read-write mapping. */
static void test_vspace_cache(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    const seL4_Word x = vt_region();
    seL4_CPtr bare_vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    const seL4_Word page = x + 4 * VT_SMALL, ro_page = x + 5 * VT_SMALL, big = x + VT_LARGE;
    vt_map_new_frame(ut.cap, seL4_PageBits, page, RW, ATTR);
    vt_map_new_frame(ut.cap, seL4_PageBits, ro_page, seL4_CanRead, ATTR);
    vt_map_new_frame(ut.cap, seL4_LargePageBits, big, RW, ATTR);
    KT_RETURN_IF_FAILED();
    seL4_Word one[1] = { page };
    for (int i = 0; i < 4; i++) {
        range_op_t op = vspace_ops[i];
        seL4_MessageInfo_t info = kt_call(VT_ROOT_VSPACE, vspace_labels[i], one, 1, NULL, 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, page, page), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, page + 8, page), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, page, seL4_UserTop + 1), seL4_IllegalOperation);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, 0x1000, ~0ul), seL4_IllegalOperation);
        /* end ≤ start is checked first. */
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, seL4_UserTop + 0x100, seL4_UserTop + 0x10),
                           seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, op(bare_vs, page, page + 8), seL4_InvalidCapability, 0);
        KT_ASSERT_ERROR_AT(i, op(bare_vs, page, page), seL4_InvalidArgument, 1);
        KT_ASSERT_ERROR_AT(i, op(ut.cap, page, page + 8), seL4_IllegalOperation);
        /* Inside one page. */
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, page, page + VT_SMALL));
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, page + 0x123, page + 0x456));
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, big + VT_SMALL, big + 7 * VT_SMALL));
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, big, big + VT_LARGE));
        /* Unmapped start: nothing to do, whatever follows. */
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, x, x + 8));
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, page - 8, page + 8));
        KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, vt_region() + 0x40, vt_region()));
        /* Across the end of the page of start. */
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, page + 0xff0, page + 0x1010), seL4_RangeError,
                           page + 0xff0, page + 0xfff);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, page, page + VT_SMALL + 1), seL4_RangeError, page,
                           page + 0xfff);
        KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, big + 0x10, big + VT_LARGE + 0x10),
                           seL4_RangeError, big + 0x10, big + VT_LARGE - 1);
        /* Read-only mapping. */
        if (i == INVALIDATE) {
            KT_ASSERT_ERROR_AT(i, op(VT_ROOT_VSPACE, ro_page, ro_page + 64), seL4_IllegalOperation);
        } else {
            KT_ASSERT_OK_AT(i, op(VT_ROOT_VSPACE, ro_page, ro_page + 64));
        }
    }
    /* The root image (code and data) through the VSpace. */
    KT_ASSERT_OK(seL4_ARM_VSpace_Unify_Instruction(VT_ROOT_VSPACE, 0x400000, 0x401000));
    KT_ASSERT_OK(seL4_ARM_VSpace_Clean_Data(VT_ROOT_VSPACE, 0x400000, 0x400040));
    VT_CLEANUP(ut.cap);
}

const ktest_case_t vt_cache_cases[] = {
    { "vm.cache.page", test_page_cache },
    { "vm.cache.vspace", test_vspace_cache },
    { NULL, NULL },
};
