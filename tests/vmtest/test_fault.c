/* VM faults seen by a fault handler (ABI 7.6): missing translations at each
 * level, read-only and execute-never mappings, a user-level pager, a frame
 * shared by two VSpaces, revocation of mapped memory, and large and huge
 * pages (ABI 4.4). */
#include "vmtest.h"
#include <keel/runtime.h>

#define RW seL4_ReadWrite
#define ATTR seL4_ARM_Default_VMAttributes
#define ATTR_XN (seL4_ARM_Default_VMAttributes | seL4_ARM_ExecuteNever)

#define INSN_MOV_X0_42 0xd2800540u /* movz x0, #42 */
#define INSN_RET 0xd65f03c0u

static seL4_Word fn_read32(seL4_Word addr, seL4_Word unused)
{
    (void)unused;
    return vt_load32(addr);
}

static void poke32(seL4_Word addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

/* An access where the walk ends at level n is a translation fault of level
 * n, for reads and writes; the reported address is the accessed byte. */
static void test_translation_levels(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word x = vt_region() + 3 * VT_HUGE + 5 * VT_LARGE + 9 * VT_SMALL + 0x18;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE)) {
        return;
    }
    for (int level = 0; level <= 3; level++) {
        vt_outcome_t o = vt_run(&t, vt_fn_read, x, 0);
        VT_ASSERT_DATA_FAULT(o, x, false, VT_FSC_TRANSLATION(level));
        o = vt_run(&t, vt_fn_write, x + 0x100, 1);
        VT_ASSERT_DATA_FAULT(o, x + 0x100, true, VT_FSC_TRANSLATION(level));
        if (level < 3 && !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 1, NULL)) {
            return;
        }
    }
    vt_map_new_frame(ut.cap, seL4_PageBits, x & ~(VT_SMALL - 1), RW, ATTR);
    vt_outcome_t o = vt_run(&t, vt_fn_write, x, 0x600d);
    VT_ASSERT_RESULT(o, 0x600d);
    KT_ASSERT_EQ(vt_peek(x), 0x600d);
    VT_CLEANUP(ut.cap);
}

/* Rights: a read-only mapping reads and faults on writes (WnR set,
 * permission fault); remapping at the same address with new rights takes
 * effect; a cap's rights limit the mapping; write-only is no access. */
static void test_read_only(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 22, &ut)) {
        return;
    }
    const seL4_Word x = vt_region();
    const seL4_Word ro = x + VT_SMALL, alias = x + 2 * VT_SMALL, minted = x + 3 * VT_SMALL,
                    wo = x + 4 * VT_SMALL, big = x + VT_LARGE;
    vt_thread_t t;
    seL4_CPtr s = kt_slots(3);
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    seL4_CPtr frame = vt_map_new_frame(ut.cap, seL4_PageBits, ro, seL4_CanRead, ATTR);
    seL4_CPtr large = vt_map_new_frame(ut.cap, seL4_LargePageBits, big, seL4_CanRead, ATTR);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr copy = s, ro_cap = s + 1, wo_copy = s + 2;
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, frame, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_ARM_Page_Map(copy, VT_ROOT_VSPACE, alias, RW, ATTR));
    vt_poke(alias + 0x20, 0x5555);

    vt_outcome_t o = vt_run(&t, vt_fn_read, ro + 0x20, 0);
    VT_ASSERT_RESULT(o, 0x5555);
    o = vt_run(&t, vt_fn_write, ro + 0x28, 0x6666);
    VT_ASSERT_DATA_FAULT(o, ro + 0x28, true, VT_FSC_PERMISSION(3));
    KT_ASSERT_EQ(vt_peek(alias + 0x28), 0);
    o = vt_run(&t, vt_fn_write, big + 0x12340, 1);
    VT_ASSERT_DATA_FAULT(o, big + 0x12340, true, VT_FSC_PERMISSION(2));
    /* Remap with write rights. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, ro, RW, ATTR));
    o = vt_run(&t, vt_fn_write, ro + 0x28, 0x6666);
    VT_ASSERT_RESULT(o, 0x6666);
    KT_ASSERT_EQ(vt_peek(alias + 0x28), 0x6666);
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, big, RW, ATTR));
    o = vt_run(&t, vt_fn_write, big + 0x12340, 7);
    VT_ASSERT_RESULT(o, 7);
    /* And back to read-only. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, ro, seL4_CanRead, ATTR));
    o = vt_run(&t, vt_fn_write, ro + 0x30, 1);
    VT_ASSERT_DATA_FAULT(o, ro + 0x30, true, VT_FSC_PERMISSION(3));
    /* A read-only cap maps read-only whatever Map asks for. */
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, ro_cap, KT_DEPTH, KT_ROOT, frame, KT_DEPTH, seL4_CanRead));
    KT_ASSERT_OK(seL4_ARM_Page_Map(ro_cap, VT_ROOT_VSPACE, minted, RW, ATTR));
    o = vt_run(&t, vt_fn_read, minted + 0x28, 0);
    VT_ASSERT_RESULT(o, 0x6666);
    o = vt_run(&t, vt_fn_write, minted + 0x28, 1);
    VT_ASSERT_DATA_FAULT(o, minted + 0x28, true, VT_FSC_PERMISSION(3));
    /* Write-only is no access at all (manual, "Page"). */
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, wo_copy, KT_DEPTH, KT_ROOT, frame, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_ARM_Page_Map(wo_copy, VT_ROOT_VSPACE, wo, seL4_CanWrite, ATTR));
    o = vt_run(&t, vt_fn_read, wo + 0x28, 0);
    VT_ASSERT_DATA_FAULT(o, wo + 0x28, false, VT_FSC_PERMISSION(3));
    VT_CLEANUP(ut.cap);
}

/* Execute-never: the fetch faults as a prefetch fault (IP = address = the
 * instruction); mapped executable (a remap with new attributes) and the
 * instruction cache made coherent, the same code runs. */
static void test_execute_never(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 20, &ut)) {
        return;
    }
    const seL4_Word x = vt_region() + 0x8000;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    seL4_CPtr frame = vt_map_new_frame(ut.cap, seL4_PageBits, x, RW, ATTR_XN);
    KT_RETURN_IF_FAILED();
    const seL4_Word code = x + 0x40;
    poke32(code, INSN_MOV_X0_42);
    poke32(code + 4, INSN_RET);
    KT_ASSERT_OK(seL4_ARM_Page_Unify_Instruction(frame, 0x40, 0x48));
    vt_outcome_t o = vt_run(&t, vt_fn_exec, code, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(o.faulted);
    KT_ASSERT_EQ(o.ip, code);
    KT_ASSERT_EQ(o.addr, code);
    KT_ASSERT_EQ(o.prefetch, 1);
    KT_ASSERT_EQ(VT_ESR_EC(o.fsr), VT_EC_IABT_LOWER);
    KT_ASSERT_EQ(VT_ESR_FSC(o.fsr), VT_FSC_PERMISSION(3));
    /* Executable now. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, x, RW, ATTR));
    o = vt_run(&t, vt_fn_exec, code, 0);
    VT_ASSERT_RESULT(o, 42);
    /* New code at the same place runs after Unify_Instruction. */
    poke32(code, INSN_MOV_X0_42 + (1u << 5)); /* movz x0, #43 */
    KT_ASSERT_OK(seL4_ARM_VSpace_Unify_Instruction(VT_ROOT_VSPACE, code, code + 8));
    o = vt_run(&t, vt_fn_exec, code, 0);
    VT_ASSERT_RESULT(o, 43);
    /* Execute-never again. */
    KT_ASSERT_OK(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, x, RW, ATTR_XN));
    o = vt_run(&t, vt_fn_exec, code, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(o.faulted);
    KT_ASSERT_EQ(o.prefetch, 1);
    /* A fetch from an unmapped page: a translation fault, also a prefetch
     * fault. */
    o = vt_run(&t, vt_fn_exec, x + VT_SMALL, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(o.faulted);
    KT_ASSERT_EQ(o.ip, x + VT_SMALL);
    KT_ASSERT_EQ(o.addr, x + VT_SMALL);
    KT_ASSERT_EQ(o.prefetch, 1);
    KT_ASSERT_EQ(VT_ESR_EC(o.fsr), VT_EC_IABT_LOWER);
    KT_ASSERT_EQ(VT_ESR_FSC(o.fsr), VT_FSC_TRANSLATION(3));
    VT_CLEANUP(ut.cap);
}

/* The pager: a helper thread whose fault handler is the root task writes
 * one word in every 4 KiB of a 20 MiB region, then checks them all and
 * that the next word of each page reads zero. The root task maps a frame at
 * each fault (4 KiB pages for the first 16 MiB: 4096 faults; 2 MiB pages
 * for the last 4 MiB: 2 faults), creating page tables as Page_Map's
 * FailedLookup asks for them, and replies, which restarts the faulting
 * store. */
#define PAGER_SIZE (20ul << 20)
#define PAGER_SMALL (16ul << 20)
#define PAGER_PAGES (PAGER_SIZE / VT_SMALL)

static seL4_Word pager_addr(seL4_Word base, seL4_Word i)
{
    return base + i * VT_SMALL + (i % 509) * 8;
}

static seL4_Word pager_value(seL4_Word base, seL4_Word i)
{
    return 0x9a6e000000000000ul ^ (base + i * VT_SMALL);
}

static seL4_Word pager_client(seL4_Word base, seL4_Word unused)
{
    (void)unused;
    for (seL4_Word i = 0; i < PAGER_PAGES; i++) {
        *(volatile seL4_Word *)pager_addr(base, i) = pager_value(base, i);
    }
    seL4_Word bad = 0;
    for (seL4_Word i = 0; i < PAGER_PAGES; i++) {
        if (*(volatile seL4_Word *)pager_addr(base, i) != pager_value(base, i) ||
            *(volatile seL4_Word *)(pager_addr(base, i) + 8) != 0) {
            bad++;
        }
    }
    return bad;
}

/* Map `frame` at `va` of the root VSpace, adding the tables the walk lacks.
 * Returns the number of tables added, or -1 on failure. */
static int map_on_demand(seL4_CPtr ut, seL4_CPtr frame, seL4_Word va)
{
    int tables = 0;
    for (;;) {
        seL4_Error e = seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, va, RW, ATTR);
        if (e == seL4_NoError) {
            return tables;
        }
        seL4_Word bits = seL4_GetMR(2);
        if (e != seL4_FailedLookup || seL4_GetMR(1) != seL4_MissingCapability ||
            (bits != 39 && bits != 30 && bits != 21) || tables >= 3) {
            ktest_fail(__FILE__, __LINE__, "Page_Map at 0x%lx: error %d, MR1 %lu, MR2 %lu", va, e,
                       seL4_GetMR(1), bits);
            return -1;
        }
        seL4_CPtr pt = vt_new(ut, seL4_ARM_PageTableObject, 0);
        if (pt == 0 || seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, va, ATTR) != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "PageTable_Map at 0x%lx failed", va);
            return -1;
        }
        tables++;
    }
}

static void test_pager(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 25, &ut)) {
        return;
    }
    const seL4_Word base = vt_region();
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) || !vt_start(&t, pager_client, base, 0)) {
        return;
    }
    bool l1 = false, l2 = false, l3[PAGER_SIZE / VT_LARGE] = { false };
    seL4_Word next = 0, faults = 0;
    int tables = 0;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(t.ep, &badge);
    while (seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault) {
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), seL4_VMFault_Length);
        KT_ASSERT_LT(next, PAGER_PAGES);
        seL4_Word ip = seL4_GetMR(seL4_VMFault_IP), fsr = seL4_GetMR(seL4_VMFault_FSR);
        KT_ASSERT_EQ(seL4_GetMR(seL4_VMFault_Addr), pager_addr(base, next));
        KT_ASSERT_EQ(seL4_GetMR(seL4_VMFault_PrefetchFault), 0);
        KT_ASSERT_GE(ip, (seL4_Word)pager_client);
        KT_ASSERT_LT(ip, (seL4_Word)pager_client + 0x400);
        KT_ASSERT_EQ(VT_ESR_EC(fsr), VT_EC_DABT_LOWER);
        KT_ASSERT_EQ(VT_ESR_WNR(fsr), 1);
        const bool small = next * VT_SMALL < PAGER_SMALL;
        const seL4_Word va = base + next * VT_SMALL, chunk = next * VT_SMALL / VT_LARGE;
        const int level = !l1 ? 0 : !l2 ? 1 : (!small || !l3[chunk]) ? 2 : 3;
        KT_ASSERT_EQ(VT_ESR_FSC(fsr), VT_FSC_TRANSLATION(level));
        seL4_CPtr frame =
            vt_new(ut.cap, small ? seL4_ARM_SmallPageObject : seL4_ARM_LargePageObject, 0);
        KT_RETURN_IF_FAILED();
        int added = map_on_demand(ut.cap, frame, va);
        KT_RETURN_IF_FAILED();
        KT_ASSERT_EQ(added, small ? 3 - level : 2 - level);
        tables += added;
        l1 = l2 = true;
        l3[chunk] = l3[chunk] || small;
        next += small ? 1 : VT_LARGE / VT_SMALL;
        faults++;
        info = seL4_ReplyRecv(t.ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), VT_LABEL_DONE);
    KT_ASSERT_EQ(seL4_GetMR(0), 0); /* pages with wrong contents */
    KT_ASSERT_EQ(next, PAGER_PAGES);
    KT_ASSERT_EQ(faults, PAGER_SMALL / VT_SMALL + (PAGER_SIZE - PAGER_SMALL) / VT_LARGE);
    KT_ASSERT_EQ(tables, 2 + PAGER_SMALL / VT_LARGE);
    /* The root task sees the same data through the same mappings. */
    KT_ASSERT_EQ(vt_peek(pager_addr(base, PAGER_PAGES - 1)), pager_value(base, PAGER_PAGES - 1));
    KT_ASSERT_EQ(vt_peek(pager_addr(base, 5)), pager_value(base, 5));
    VT_CLEANUP(ut.cap);
}

/* Two VSpaces share a frame: the root task maps it at a, a thread in a
 * second VSpace (which maps copies of the root image's frames at the same
 * addresses, so the same code and data) at b. Each sees what the other
 * wrote; neither has the other's address mapped. */
static seL4_Word share_client(seL4_Word b, seL4_Word unused)
{
    (void)unused;
    seL4_Word seen = vt_load(b);
    vt_store(b + 8, ~seen);
    return seen;
}

static void test_shared_frame(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 22, &ut)) {
        return;
    }
    seL4_CPtr shared_copy = kt_slots(1);
    seL4_CPtr vs = vt_new_vspace(ut.cap);
    KT_RETURN_IF_FAILED();
    const seL4_Word a = vt_region() + 0x3000, b = vt_region() + 0x5000;
    vt_thread_t root_t, other_t;
    seL4_CPtr copies = vt_map_image(ut.cap, vs);
    if (copies == 0 || !vt_map_tables(ut.cap, vs, b, 3, NULL) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, a, 3, NULL)) {
        return;
    }
    seL4_CPtr frame = vt_map_new_frame(ut.cap, seL4_PageBits, a, RW, ATTR);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, shared_copy, KT_DEPTH, KT_ROOT, frame, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_ARM_Page_Map(shared_copy, vs, b, RW, ATTR));
    if (!vt_thread_create(&other_t, 1, ut.cap, vs) ||
        !vt_thread_create(&root_t, 0, ut.cap, VT_ROOT_VSPACE)) {
        return;
    }
    vt_poke(a, 0x1111);
    vt_outcome_t o = vt_run(&other_t, share_client, b, 0);
    VT_ASSERT_RESULT(o, 0x1111);
    KT_ASSERT_EQ(vt_peek(a + 8), ~0x1111ul);
    vt_poke(a, 0x2222);
    o = vt_run(&other_t, share_client, b, 0);
    VT_ASSERT_RESULT(o, 0x2222);
    KT_ASSERT_EQ(vt_peek(a + 8), ~0x2222ul);
    /* a is not mapped in the other VSpace, b not in the root's. */
    o = vt_run(&other_t, vt_fn_read, a, 0);
    VT_ASSERT_DATA_FAULT(o, a, false, VT_FSC_TRANSLATION(0));
    o = vt_run(&root_t, vt_fn_read, b, 0);
    VT_ASSERT_DATA_FAULT(o, b, false, VT_FSC_TRANSLATION(0));
    /* Unmapped in one VSpace, the frame stays in the other. */
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(shared_copy));
    o = vt_run(&other_t, vt_fn_read, b, 0);
    VT_ASSERT_DATA_FAULT(o, b, false, VT_FSC_TRANSLATION(3));
    KT_ASSERT_EQ(vt_peek(a), 0x2222);
    o = vt_run(&root_t, vt_fn_read, a + 8, 0);
    VT_ASSERT_RESULT(o, ~0x2222ul);
    /* The second VSpace goes (with its thread); the image copies, mapped in
     * it only, are deleted apart. */
    VT_CLEANUP(ut.cap);
    vt_delete_image_copies(copies);
    KT_ASSERT_TAG(shared_copy, KT_TAG_NULL);
    kt_kernel_self_check();
}

/* Revoking an untyped that holds mapped frames and page tables removes the
 * mappings: the walk misses the level-1 table, accesses fault, and the
 * untyped is whole again. */
static void test_revoke_mapped(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    seL4_CPtr sub = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(ut.cap, seL4_UntypedObject, 22, sub, 1));
    const seL4_Word x = vt_region();
    vt_thread_t t;
    seL4_CPtr l1 = 0;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(sub, VT_ROOT_VSPACE, x, 3, &l1)) {
        return;
    }
    seL4_CPtr f[4];
    for (int i = 0; i < 4; i++) {
        f[i] = vt_map_new_frame(sub, seL4_PageBits, x + (seL4_Word)i * VT_SMALL, RW, ATTR);
    }
    seL4_CPtr large = vt_map_new_frame(sub, seL4_LargePageBits, x + VT_LARGE, RW, ATTR);
    KT_RETURN_IF_FAILED();
    for (int i = 0; i < 4; i++) {
        vt_poke(x + (seL4_Word)i * VT_SMALL, 100 + (seL4_Word)i);
    }
    vt_poke(x + VT_LARGE + 0x1000, 200);
    vt_outcome_t o = vt_run(&t, vt_fn_read, x + 3 * VT_SMALL, 0);
    VT_ASSERT_RESULT(o, 103);
    o = vt_run(&t, vt_fn_read, x + VT_LARGE + 0x1000, 0);
    VT_ASSERT_RESULT(o, 200);

    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, sub, KT_DEPTH));
    kt_kernel_self_check();
    KT_ASSERT_TAG(l1, KT_TAG_NULL);
    KT_ASSERT_TAG(f[3], KT_TAG_NULL);
    KT_ASSERT_TAG(large, KT_TAG_NULL);
    o = vt_run(&t, vt_fn_read, x + 3 * VT_SMALL, 0);
    VT_ASSERT_DATA_FAULT(o, x + 3 * VT_SMALL, false, VT_FSC_TRANSLATION(0));
    o = vt_run(&t, vt_fn_write, x + VT_LARGE + 0x1000, 1);
    VT_ASSERT_DATA_FAULT(o, x + VT_LARGE + 0x1000, true, VT_FSC_TRANSLATION(0));
    seL4_CPtr frame = vt_new(ut.cap, seL4_ARM_SmallPageObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, x, RW, ATTR), seL4_FailedLookup, 0,
                    seL4_MissingCapability, 39);
    /* The sub-untyped is whole: all of it retypes again, zeroed. */
    seL4_CPtr whole = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(sub, seL4_UntypedObject, 22, whole, 1));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, whole, KT_DEPTH));
    if (!vt_map_tables(sub, VT_ROOT_VSPACE, x, 3, NULL)) {
        return;
    }
    vt_map_new_frame(sub, seL4_PageBits, x + 3 * VT_SMALL, RW, ATTR);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(vt_peek(x + 3 * VT_SMALL), 0);
    VT_CLEANUP(ut.cap);
    KT_ASSERT_TAG(sub, KT_TAG_NULL);
}

/* A 2 MiB page: at the untyped's base, mapped at level 2 (FailedLookup 12
 * where a level-3 table is), translated linearly: a second mapping of it
 * reads at each offset what the first wrote there. */
static void test_large_page(void)
{
    kt_untyped_t ut;
    if (!kt_untyped(false, 23, &ut)) {
        return;
    }
    seL4_CPtr large = vt_new(ut.cap, seL4_ARM_LargePageObject, 0);
    seL4_CPtr large2 = vt_new(ut.cap, seL4_ARM_LargePageObject, 0);
    seL4_CPtr copy = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(kt_frame_paddr(large), ut.paddr);
    KT_ASSERT_EQ(kt_frame_paddr(large2), ut.paddr + VT_LARGE);
    const seL4_Word x = vt_region() + 7 * VT_HUGE;
    const seL4_Word m1 = x + 2 * VT_LARGE, m2 = x + 5 * VT_LARGE;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 2, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(large, VT_ROOT_VSPACE, m1, RW, ATTR));
    KT_ASSERT_OK(
        seL4_CNode_Copy(KT_ROOT, copy, KT_DEPTH, KT_ROOT, large, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_ARM_Page_Map(copy, VT_ROOT_VSPACE, m2, RW, ATTR));
    KT_ASSERT_EQ(kt_frame_paddr(copy), ut.paddr);
    for (seL4_Word i = 0; i < VT_LARGE / VT_SMALL; i++) {
        vt_poke(m1 + i * VT_SMALL + (i % 64) * 8, 0x1a6e0000 + i);
    }
    for (seL4_Word i = 0; i < VT_LARGE / VT_SMALL; i++) {
        KT_ASSERT_EQ(vt_peek(m2 + i * VT_SMALL + (i % 64) * 8), 0x1a6e0000 + i);
        KT_ASSERT_EQ(vt_peek(m2 + i * VT_SMALL + (i % 64) * 8 + 8), 0);
    }
    /* Unmapped at m1: faults at level 2 there; m2 still reads. */
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(large));
    vt_outcome_t o = vt_run(&t, vt_fn_read, m1 + 0x1234 * 8, 0);
    VT_ASSERT_DATA_FAULT(o, m1 + 0x1234 * 8, false, VT_FSC_TRANSLATION(2));
    o = vt_run(&t, vt_fn_read, m2 + VT_LARGE - VT_SMALL + (511 % 64) * 8, 0);
    VT_ASSERT_RESULT(o, 0x1a6e0000 + 511);
    /* A level-3 table in the slot: FailedLookup with 12 bits left. */
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, m1 + 0x5000, 1, NULL)) {
        return;
    }
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(large2, VT_ROOT_VSPACE, m1, RW, ATTR), seL4_FailedLookup, 0,
                    seL4_MissingCapability, 12);
    KT_ASSERT_OK(seL4_ARM_Page_Map(large2, VT_ROOT_VSPACE, m1 + VT_LARGE, RW, ATTR));
    KT_ASSERT_EQ(vt_peek(m1 + VT_LARGE + 0x100), 0);
    VT_CLEANUP(ut.cap);
}

/* The BootInfo device untyped that holds `paddr` with at least 2^bits
 * bytes, revoked. */
static bool device_untyped_at(seL4_Word paddr, seL4_Word bits, kt_untyped_t *out)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    for (seL4_Word i = 0; i < kt_region_size(bi->untyped); i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (u->isDevice && u->sizeBits >= bits && u->paddr <= paddr &&
            paddr - u->paddr < (1ul << u->sizeBits)) {
            *out = (kt_untyped_t){ bi->untyped.start + i, u->paddr, u->sizeBits, true };
            seL4_CNode_Revoke(KT_ROOT, out->cap, KT_DEPTH);
            return true;
        }
    }
    ktest_fail(__FILE__, __LINE__, "no device untyped of 2^%lu bytes holds 0x%lx", bits, paddr);
    return false;
}

/* A 2 MiB device page over the PL011 (0x09000000) and the PL031 RTC
 * (0x09010000) of QEMU's virt machine: reads through it find their
 * PrimeCell identification registers (UART peripheral ID0 0x11, RTC 0x31,
 * component ID 0x0d 0xf0 0x05 0xb1). Mapped uncached and execute-never. */
#define PL011_PADDR 0x09000000ul

static void test_device_large_page(void)
{
    kt_untyped_t dev, ut;
    if (!device_untyped_at(PL011_PADDR, seL4_LargePageBits, &dev) || !kt_untyped(false, 20, &ut)) {
        return;
    }
    seL4_Word skip = (PL011_PADDR - dev.paddr) / VT_LARGE;
    seL4_CPtr fill = kt_slots(skip + 1);
    KT_RETURN_IF_FAILED();
    if (skip > 0) {
        KT_ASSERT_OK(kt_retype(dev.cap, seL4_ARM_LargePageObject, 0, fill, skip));
    }
    const seL4_CPtr page = fill + skip;
    KT_ASSERT_OK(kt_retype(dev.cap, seL4_ARM_LargePageObject, 0, page, 1));
    KT_ASSERT_EQ(kt_frame_paddr(page), PL011_PADDR);
    const seL4_Word x = vt_region() + 3 * VT_LARGE;
    vt_thread_t t;
    if (!vt_thread_create(&t, 0, ut.cap, VT_ROOT_VSPACE) ||
        !vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 2, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(page, VT_ROOT_VSPACE, x, RW, seL4_ARM_ExecuteNever));
    static const struct {
        seL4_Word offset, value;
    } ids[] = {
        { 0xfe0, 0x11 }, { 0xff0, 0x0d },           { 0xff4, 0xf0 },           { 0xff8, 0x05 },
        { 0xffc, 0xb1 }, { 0x10000 + 0xfe0, 0x31 }, { 0x10000 + 0xffc, 0xb1 },
    };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        vt_outcome_t o = vt_run(&t, fn_read32, x + ids[i].offset, 0);
        VT_ASSERT_RESULT(o, ids[i].value);
    }
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(page));
    vt_outcome_t o = vt_run(&t, fn_read32, x + 0xfe0, 0);
    VT_ASSERT_DATA_FAULT_AT(o, (seL4_Word)vt_load32, x + 0xfe0, false, VT_FSC_TRANSLATION(2));
    VT_CLEANUP(ut.cap);
    VT_CLEANUP(dev.cap);
}

/* A 1 GiB page from device memory (not touched: nothing answers there on
 * QEMU's virt machine with 1 GiB of RAM): GetAddress, alignment, the
 * lookups that stop above or below level 1, and a table where it is. */
static void test_huge_page(void)
{
    kt_untyped_t dev, ut;
    if (!kt_untyped(true, seL4_HugePageBits, &dev) || !kt_untyped(false, 20, &ut)) {
        return;
    }
    seL4_CPtr huge = vt_new(dev.cap, seL4_ARM_HugePageObject, 0);
    seL4_CPtr huge2 = vt_new(dev.cap, seL4_ARM_HugePageObject, 0);
    seL4_CPtr pt = vt_new(ut.cap, seL4_ARM_PageTableObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(kt_frame_paddr(huge), dev.paddr);
    KT_ASSERT_EQ(kt_frame_paddr(huge2), dev.paddr + VT_HUGE);
    const seL4_Word x = vt_region();
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + VT_LARGE, RW, ATTR),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x, RW, ATTR), seL4_FailedLookup, 0,
                    seL4_MissingCapability, 39);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, seL4_UserTop + 1, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, seL4_UserTop + 1 - VT_HUGE, RW, ATTR),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 39);
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x, 1, NULL)) {
        return;
    }
    KT_ASSERT_OK(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + VT_HUGE, RW, seL4_ARM_ExecuteNever));
    /* Where the huge page is, the walk ends: no table goes below it. */
    KT_ASSERT_ERROR(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, x + VT_HUGE + VT_LARGE, ATTR),
                    seL4_DeleteFirst);
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + 2 * VT_HUGE, RW, ATTR),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_OK(
        seL4_ARM_VSpace_Clean_Data(VT_ROOT_VSPACE, x + VT_HUGE + VT_LARGE, x + 2 * VT_HUGE));
    KT_ASSERT_ERROR(
        seL4_ARM_VSpace_Clean_Data(VT_ROOT_VSPACE, x + VT_HUGE + VT_LARGE, x + 2 * VT_HUGE + 1),
        seL4_RangeError, x + VT_HUGE + VT_LARGE, x + 2 * VT_HUGE - 1);
    KT_ASSERT_OK(seL4_ARM_Page_Unmap(huge));
    /* A level-2 table in its place: 21 bits left; with a level-3 table too, 12. */
    KT_ASSERT_OK(seL4_ARM_PageTable_Map(pt, VT_ROOT_VSPACE, x + VT_HUGE + VT_LARGE, ATTR));
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + VT_HUGE, RW, ATTR),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 21);
    if (!vt_map_tables(ut.cap, VT_ROOT_VSPACE, x + VT_HUGE, 1, NULL)) {
        return;
    }
    KT_ASSERT_ERROR(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + VT_HUGE, RW, ATTR),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 12);
    KT_ASSERT_OK(seL4_ARM_Page_Map(huge2, VT_ROOT_VSPACE, x + 3 * VT_HUGE, RW, ATTR));
    KT_ASSERT_OK(seL4_ARM_Page_Map(huge, VT_ROOT_VSPACE, x + 4 * VT_HUGE, RW, ATTR));
    VT_CLEANUP(ut.cap);
    VT_CLEANUP(dev.cap);
}

const ktest_case_t vt_fault_cases[] = {
    { "vm.fault.translation_levels", test_translation_levels },
    { "vm.fault.read_only", test_read_only },
    { "vm.fault.execute_never", test_execute_never },
    { "vm.pager", test_pager },
    { "vm.shared_frame", test_shared_frame },
    { "vm.revoke_mapped", test_revoke_mapped },
    { "vm.large_page", test_large_page },
    { "vm.large_page.device", test_device_large_page },
    { "vm.huge_page", test_huge_page },
    { NULL, NULL },
};
