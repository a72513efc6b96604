/* Which address space a thread runs in after its VSpace changes under it.
 * The kernel keeps each thread's validated TTBR0 value between switches
 * (arch/vspace.h); these tests change the two things the value depends on
 * -- the cap in the thread's VSpace slot, and whether the cap's ASID still
 * names the VSpace -- between two runs of the same thread, and check where
 * it ran and that the kernel's invariants (which compare every cached value
 * with a fresh validation) hold. */
#include "vmtest.h"

#define RW seL4_ReadWrite
#define ATTR seL4_ARM_Default_VMAttributes

/* Make `vs` able to run a helper, with a page at `probe` holding `value`.
 * Returns the image copies (vt_map_image); failures fail the test. */
static seL4_CPtr prepare_space(seL4_CPtr untyped, seL4_CPtr vs, seL4_Word probe, seL4_Word value)
{
    const seL4_Word at = vt_region() + 0x7000; /* the root's view, to write the value */
    seL4_CPtr frame = vt_new(untyped, seL4_ARM_SmallPageObject, 0), view = kt_slots(1);
    seL4_CPtr copies = vt_map_image(untyped, vs);
    if (ktest_failed() || !vt_map_tables(untyped, vs, probe, 3, NULL) ||
        !vt_map_tables(untyped, VT_ROOT_VSPACE, at, 3, NULL)) {
        return copies;
    }
    seL4_Error e =
        seL4_CNode_Copy(KT_ROOT, view, KT_DEPTH, KT_ROOT, frame, KT_DEPTH, seL4_AllRights);
    if (e == seL4_NoError) {
        e = seL4_ARM_Page_Map(view, VT_ROOT_VSPACE, at, RW, ATTR);
    }
    if (e == seL4_NoError) {
        e = seL4_ARM_Page_Map(frame, vs, probe, RW, ATTR);
    }
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "mapping the probe page: error %d", e);
        return copies;
    }
    vt_poke(at, value);
    e = seL4_ARM_Page_Unmap(view);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "Page_Unmap: error %d", e);
    }
    return copies;
}

/* A thread that has run in one VSpace is given another (TCB_SetSpace): it
 * runs in the new one, also after the old VSpace cap it ran with is gone. */
static void test_set_space(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 22, &ut)) {
        return;
    }
    const seL4_Word probe = vt_region() + 0x3000;
    seL4_CPtr vs1 = vt_new_vspace(ut.cap), vs2 = vt_new_vspace(ut.cap);
    KT_RETURN_IF_FAILED();
    seL4_CPtr copies1 = prepare_space(ut.cap, vs1, probe, 0x1111);
    seL4_CPtr copies2 = prepare_space(ut.cap, vs2, probe, 0x2222);
    KT_RETURN_IF_FAILED();
    vt_thread_t t;
    if (!vt_thread_create(&t, 1, ut.cap, vs1)) {
        return;
    }
    vt_outcome_t o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x1111);
    KT_ASSERT_OK(seL4_TCB_SetSpace(t.tcb, t.ep, KT_ROOT, 0, vs2, 0));
    o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x2222);
    kt_kernel_self_check();
    /* And back, twice: each change is seen at the next switch. */
    KT_ASSERT_OK(seL4_TCB_SetSpace(t.tcb, t.ep, KT_ROOT, 0, vs1, 0));
    o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x1111);
    KT_ASSERT_OK(seL4_TCB_SetSpace(t.tcb, t.ep, KT_ROOT, 0, vs2, 0));
    o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x2222);
    /* The root's cap to vs2 goes; the thread's copy keeps the VSpace. */
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, vs2, KT_DEPTH));
    o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x2222);
    kt_kernel_self_check();
    VT_CLEANUP(ut.cap);
    vt_delete_image_copies(copies1);
    vt_delete_image_copies(copies2);
}

/* A thread whose VSpace's ASID pool is deleted after it ran there no longer
 * runs in that VSpace: it faults at its first instruction (ABI 4.4: the
 * VSpace cap no longer names a valid address space). */
static void test_pool_deleted_under_thread(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 22, &ut)) {
        return;
    }
    seL4_CPtr u4k = kt_slots(1), pool = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 12, u4k, 1));
    KT_ASSERT_OK(seL4_ARM_ASIDControl_MakePool(seL4_CapASIDControl, u4k, KT_ROOT, pool, KT_DEPTH));
    seL4_CPtr vs = vt_new(ut.cap, seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_ARM_ASIDPool_Assign(pool, vs));
    const seL4_Word probe = vt_region() + 0x3000;
    seL4_CPtr copies = prepare_space(ut.cap, vs, probe, 0x3333);
    KT_RETURN_IF_FAILED();
    vt_thread_t t;
    if (!vt_thread_create(&t, 1, ut.cap, vs)) {
        return;
    }
    vt_outcome_t o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x3333);
    o = vt_run(&t, vt_fn_read, probe, 0);
    VT_ASSERT_RESULT(o, 0x3333);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, pool, KT_DEPTH));
    kt_kernel_self_check();
    o = vt_run(&t, vt_fn_read, probe, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(o.faulted);
    KT_ASSERT_EQ(o.prefetch, 1);
    KT_ASSERT_EQ(VT_ESR_EC(o.fsr), VT_EC_IABT_LOWER);
    KT_ASSERT_EQ(VT_ESR_FSC(o.fsr), VT_FSC_TRANSLATION(0));
    kt_kernel_self_check();
    VT_CLEANUP(ut.cap);
    vt_delete_image_copies(copies);
}

const ktest_case_t vt_switch_cases[] = {
    { "vm.switch.set_space", test_set_space },
    { "vm.switch.pool_deleted_under_thread", test_pool_deleted_under_thread },
    { NULL, NULL },
};
