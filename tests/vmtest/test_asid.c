/* ASIDControl_MakePool and ASIDPool_Assign (ABI 4.4, 5.4.6): their errors,
 * pool and ASID exhaustion, and what deleting a pool or a VSpace frees. */
#include "vmtest.h"

#define RW seL4_ReadWrite
#define ATTR seL4_ARM_Default_VMAttributes
#define POOL_SIZE 512
#define NUM_POOLS 128

static seL4_Error make_pool(seL4_CPtr untyped, seL4_CPtr dest)
{
    return seL4_ARM_ASIDControl_MakePool(seL4_CapASIDControl, untyped, KT_ROOT, dest, KT_DEPTH);
}

/* MakePool's errors in order, and what a pool leaves in its untyped. */
static void test_make_pool_errors(void)
{
    kt_untyped_t ut, dev;
    if (!kt_untyped(false, 20, &ut) || !kt_untyped(true, 12, &dev)) {
        return;
    }
    seL4_CPtr s = kt_slots(8);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr u4k = s, u8k = s + 1, udev = s + 2, ep = s + 3, pool = s + 4, scratch = s + 5,
                    u4k_b = s + 6;
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u4k, 1));
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 13, u8k, 1));
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u4k_b, 1));
    KT_ASSERT_OK(kt_retype(dev.cap, seL4_UntypedObject, 12, udev, 1));
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_EndpointObject, 0, ep, 1));

    /* Truncated: one word, or a cap missing. */
    seL4_Word mrs[2] = { pool, KT_DEPTH };
    seL4_CPtr caps[2] = { u4k, KT_ROOT };
    seL4_MessageInfo_t info = kt_call(seL4_CapASIDControl, ARMASIDControlMakePool, mrs, 1, caps, 2);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    info = kt_call(seL4_CapASIDControl, ARMASIDControlMakePool, mrs, 2, caps, 1);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    /* Not a RAM untyped of exactly 4 KiB: InvalidCapability 1, before the
     * destination is looked at. */
    KT_ASSERT_ERROR(make_pool(ep, pool), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(make_pool(u8k, pool), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(make_pool(udev, pool), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(make_pool(ut.cap, pool), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(make_pool(u8k, ep), seL4_InvalidCapability, 1);
    /* An untyped with children: RevokeFirst. */
    KT_ASSERT_OK(kt_retype(u4k, seL4_EndpointObject, 0, scratch, 1));
    KT_ASSERT_ERROR(make_pool(u4k, pool), seL4_RevokeFirst);
    KT_ASSERT_ERROR(make_pool(u4k, ep), seL4_RevokeFirst);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u4k, KT_DEPTH));
    KT_ASSERT_TAG(scratch, KT_TAG_NULL);
    /* An occupied destination: DeleteFirst. */
    KT_ASSERT_ERROR(make_pool(u4k, ep), seL4_DeleteFirst);
    KT_ASSERT_ERROR(make_pool(u4k, seL4_CapInitThreadTCB), seL4_DeleteFirst);
    /* Made: a pool cap, the untyped used up (ABI 4.3 step 12: the next
     * retype finds no space) and no longer usable for another pool. */
    KT_ASSERT_OK(make_pool(u4k, pool));
    KT_ASSERT_TAG(pool, KT_TAG_ASID_POOL);
    KT_ASSERT_ERROR(kt_retype(u4k, seL4_EndpointObject, 0, scratch, 1), seL4_NotEnoughMemory, 0);
    KT_ASSERT_ERROR(make_pool(u4k, scratch), seL4_RevokeFirst);
    /* The pool assigns ASIDs; revoking the untyped deletes it. */
    seL4_CPtr vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pool, vs));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u4k, KT_DEPTH));
    KT_ASSERT_TAG(pool, KT_TAG_NULL);
    KT_ASSERT_OK(make_pool(u4k, pool));
    VT_CLEANUP(ut.cap);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, dev.cap, KT_DEPTH));
}

/* 128 pools exist at most (pool 0 is the root task's): the 128th MakePool
 * is DeleteFirst, checked before the untyped; deleting a pool frees its
 * number. */
static void test_all_pools(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    seL4_CPtr u = kt_slots(NUM_POOLS), pools = kt_slots(NUM_POOLS), ep = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u, NUM_POOLS));
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_EndpointObject, 0, ep, 1));
    seL4_Word made = 0;
    seL4_Error e = seL4_NoError;
    while (made < NUM_POOLS && (e = make_pool(u + made, pools + made)) == seL4_NoError) {
        made++;
    }
    KT_ASSERT_EQ(e, seL4_DeleteFirst);
    KT_ASSERT_EQ(made, NUM_POOLS - 1);
    KT_ASSERT_TAG(pools + made, KT_TAG_NULL);
    KT_ASSERT_ERROR(make_pool(ep, pools + made), seL4_DeleteFirst);
    KT_ASSERT_ERROR(make_pool(u, pools + made), seL4_DeleteFirst);
    /* Each new pool assigns. */
    seL4_CPtr vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pools + made - 1, vs));
    /* One pool deleted: one more can be made. */
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, pools + 40, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u + 40, KT_DEPTH));
    KT_ASSERT_OK(make_pool(u + made, pools + made));
    KT_ASSERT_ERROR(make_pool(u + 40, pools + 40), seL4_DeleteFirst);
    VT_CLEANUP(ut.cap);
    /* All gone: a pool can be made again. */
    if (!kt_slots_empty(pools, NUM_POOLS)) {
        return;
    }
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u, 1));
    KT_ASSERT_OK(make_pool(u, pools));
    VT_CLEANUP(ut.cap);
}

/* Assign's errors, and exhaustion of a new pool (512 ASIDs) and of pool 0
 * (511 usable ASIDs, ASID 0 never; one is the root task's). Deleting a
 * VSpace frees its ASID for the next Assign. */
static void test_assign(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    const seL4_Word n = POOL_SIZE + 1;
    seL4_CPtr vs = kt_slots(n), u4k = kt_slots(1), pool = kt_slots(1), copy = kt_slots(1);
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u4k, 1));
    KT_ASSERT_OK(make_pool(u4k, pool));
    for (seL4_Word off = 0; off < n; off += 256) {
        KT_ASSERT_OK(
            kt_retype(ut.cap, seL4_ARM_VSpaceObject, 0, vs + off, n - off < 256 ? n - off : 256));
    }
    /* Errors. */
    seL4_MessageInfo_t info = kt_call(pool, ARMASIDPoolAssign, NULL, 0, NULL, 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, frame), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, VT_ROOT_VSPACE), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, VT_ROOT_VSPACE),
                    seL4_InvalidCapability, 1);
    /* A VSpace without an ASID cannot be copied (ABI 5.6). */
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, vs, KT_DEPTH, seL4_AllRights),
                    seL4_IllegalOperation);
    /* 512 in the new pool, then DeleteFirst. */
    for (seL4_Word i = 0; i < POOL_SIZE; i++) {
        KT_ASSERT_OK_AT(i, seL4_ARM_ASIDPool_Assign(pool, vs + i));
    }
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, vs + POOL_SIZE), seL4_DeleteFirst);
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, vs + 7), seL4_InvalidCapability, 1);
    /* The assigned VSpace copies, and the copy is assigned too. */
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, vs + 7, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_TAG(copy, KT_TAG_VSPACE);
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, copy), seL4_InvalidCapability, 1);
    /* Deleting one copy frees nothing; deleting the last frees the ASID. */
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, vs + 7, KT_DEPTH));
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, vs + POOL_SIZE), seL4_DeleteFirst);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, copy, KT_DEPTH));
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pool, vs + POOL_SIZE));
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_ARM_VSpaceObject, 0, vs + 7, 1));
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(pool, vs + 7), seL4_DeleteFirst);
    /* A VSpace of the new pool maps (no tables yet). */
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, vs + 300, 0x10000, RW, ATTR), seL4_FailedLookup, 0,
                    seL4_MissingCapability, 39);

    /* Pool 0: the ASIDs left besides the root task's. */
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, ut.cap, KT_DEPTH));
    for (seL4_Word off = 0; off < n; off += 256) {
        KT_ASSERT_OK(
            kt_retype(ut.cap, seL4_ARM_VSpaceObject, 0, vs + off, n - off < 256 ? n - off : 256));
    }
    seL4_Word assigned = 0;
    seL4_Error e = seL4_NoError;
    while (assigned < n && (e = seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool,
                                                         vs + assigned)) == seL4_NoError) {
        assigned++;
    }
    KT_ASSERT_EQ(e, seL4_DeleteFirst);
    KT_ASSERT_EQ(assigned, POOL_SIZE - 2);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, vs + 100, KT_DEPTH));
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vs + assigned));
    KT_ASSERT_ERROR(seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vs + assigned + 1),
                    seL4_DeleteFirst);
    VT_CLEANUP(ut.cap);
    /* Revoking freed them all. */
    seL4_CPtr again = vt_new_vspace(ut.cap);
    KT_ASSERT_NE(again, 0);
    VT_CLEANUP(ut.cap);
}

/* A VSpace whose pool is deleted keeps its ASID in the cap but no VSpace is
 * registered for it: FailedLookup (invalid root). Once a new pool hands the
 * same ASID to another VSpace, the old cap mismatches: InvalidCapability. */
static void test_deleted_pool(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    seL4_CPtr u4k = kt_slots(1), pool = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u4k, 1));
    KT_ASSERT_OK(make_pool(u4k, pool));
    seL4_CPtr old_vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    seL4_CPtr new_vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    seL4_CPtr pt = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr pt2 = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pool, old_vs));
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, old_vs, 0x10000000, ATTR));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, pool, KT_DEPTH));
    KT_ASSERT_TAG(old_vs, KT_TAG_VSPACE);
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt2, old_vs, 0x20000000, ATTR), seL4_FailedLookup, 0,
                    seL4_InvalidRoot);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, old_vs, 0x20000000, RW, ATTR), seL4_FailedLookup, 0,
                    seL4_InvalidRoot);
    KT_ASSERT_ERROR(seL4_ARM_VSpace_Clean_Data(old_vs, 0x1000, 0x2000), seL4_FailedLookup, 0,
                    seL4_InvalidRoot);
    /* Unmapping the table of the vanished VSpace is harmless. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Unmap(pt));
    /* The same pool number and the same first ASID, for another VSpace. */
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u4k, KT_DEPTH));
    KT_ASSERT_OK(make_pool(u4k, pool));
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pool, new_vs));
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt2, old_vs, 0x20000000, ATTR), seL4_InvalidCapability,
                    1);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, old_vs, 0x20000000, RW, ATTR), seL4_InvalidCapability,
                    1);
    KT_ASSERT_ERROR(seL4_ARM_VSpace_Clean_Data(old_vs, 0x1000, 0x2000), seL4_InvalidCapability, 0);
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt2, new_vs, 0x20000000, ATTR));
    KT_ASSERT_OK(seL4_ARM_VSpace_Clean_Data(new_vs, 0x1000, 0x2000));
    VT_CLEANUP(ut.cap);
}

const ktest_case_t vt_asid_cases[] = {
    { "vm.asid.make_pool_errors", test_make_pool_errors },
    { "vm.asid.all_pools", test_all_pools },
    { "vm.asid.assign", test_assign },
    { "vm.asid.deleted_pool", test_deleted_pool },
    { NULL, NULL },
};
