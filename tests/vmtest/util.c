/* vmtest helpers (vmtest.h): regions, objects, page tables and the helper
 * threads that touch memory on the root task's behalf. */
#include "vmtest.h"
#include <keel/runtime.h>
#include <keel/tls.h>

#define STACK_SIZE 16384
#define TLS_SIZE 1024
#define THREAD_PRIORITY 100

static char stacks[VT_MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static unsigned char tls_areas[VT_MAX_THREADS][TLS_SIZE] __attribute__((aligned(16)));
static union {
    seL4_IPCBuffer buffer;
    char page[4096];
} ipc_pages[VT_MAX_THREADS] __attribute__((aligned(4096)));

seL4_Word vt_region(void)
{
    static seL4_Word next = 1;
    if (next > 254) {
        next = 1;
    }
    return next++ * VT_L0_SPAN;
}

seL4_CPtr vt_new(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = kt_slots(1);
    if (slot == 0) {
        return 0;
    }
    seL4_Error e = kt_retype(untyped, type, size_bits, slot, 1);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "retype of type %lu from slot %lu failed: %d", type, untyped,
                   e);
        return 0;
    }
    return slot;
}

bool vt_map_tables(seL4_CPtr untyped, seL4_CPtr vspace, seL4_Word vaddr, int levels,
                   seL4_CPtr *first)
{
    for (int i = 0; i < levels; i++) {
        seL4_CPtr pt = vt_new(untyped, seL4_ARM_PageTableObject, 0);
        if (pt == 0) {
            return false;
        }
        if (i == 0 && first != NULL) {
            *first = pt;
        }
        seL4_Error e = seL4_ARM_PageTable_Map(pt, vspace, vaddr, seL4_ARM_Default_VMAttributes);
        if (e != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "PageTable_Map %d for 0x%lx failed: %d", i + 1, vaddr,
                       e);
            return false;
        }
    }
    return true;
}

seL4_CPtr vt_map_new_frame(seL4_CPtr untyped, seL4_Word bits, seL4_Word vaddr,
                           seL4_CapRights_t rights, seL4_Word attr)
{
    seL4_Word type = bits == seL4_PageBits        ? seL4_ARM_SmallPageObject
                     : bits == seL4_LargePageBits ? seL4_ARM_LargePageObject
                                                  : seL4_ARM_HugePageObject;
    seL4_CPtr frame = vt_new(untyped, type, 0);
    if (frame == 0) {
        return 0;
    }
    seL4_Error e =
        seL4_ARM_Page_Map(frame, VT_ROOT_VSPACE, vaddr, rights, (seL4_ARM_VMAttributes)attr);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "Page_Map at 0x%lx failed: %d", vaddr, e);
        return 0;
    }
    return frame;
}

seL4_CPtr vt_new_vspace(seL4_CPtr untyped)
{
    seL4_CPtr vs = vt_new(untyped, seL4_ARM_VSpaceObject, 0);
    if (vs == 0) {
        return 0;
    }
    seL4_Error e = seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vs);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "ASIDPool_Assign failed: %d", e);
        return 0;
    }
    return vs;
}

/* First code of a helper thread: x0 = fn, x1 = a0, x2 = a1, x3 = its index,
 * x4 = its endpoint; TPIDR_EL0 = its own TLS area. */
static void __attribute__((noreturn))
thread_entry(seL4_Word fn, seL4_Word a0, seL4_Word a1, seL4_Word index, seL4_Word ep)
{
    seL4_SetIPCBuffer(&ipc_pages[index].buffer);
    seL4_Word result = ((vt_fn_t)fn)(a0, a1);
    for (;;) {
        seL4_SetMR(0, result);
        seL4_Call(ep, seL4_MessageInfo_new(VT_LABEL_DONE, 0, 0, 1));
    }
}

seL4_CPtr vt_map_image(seL4_CPtr untyped, seL4_CPtr vs)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    const seL4_Word image = (seL4_Word)__keel_image_start;
    const seL4_Word nimg = kt_region_size(bi->userImageFrames);
    seL4_CPtr copies = kt_slots(nimg);
    if (copies == 0 || !vt_map_tables(untyped, vs, image, 3, NULL)) {
        return 0;
    }
    for (seL4_Word i = 0; i < nimg; i++) {
        seL4_Error e = seL4_CNode_Copy(KT_ROOT, copies + i, KT_DEPTH, KT_ROOT,
                                       bi->userImageFrames.start + i, KT_DEPTH, seL4_AllRights);
        if (e == seL4_NoError) {
            e = seL4_ARM_Page_Map(copies + i, vs, image + i * KT_PAGE_SIZE, seL4_ReadWrite,
                                  seL4_ARM_Default_VMAttributes);
        }
        if (e != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "mapping image frame %lu: error %d", i, e);
            return 0;
        }
    }
    return copies;
}

void vt_delete_image_copies(seL4_CPtr copies)
{
    const seL4_Word nimg = kt_region_size(keel_bootinfo()->userImageFrames);
    for (seL4_Word i = 0; i < nimg; i++) {
        KT_ASSERT_OK_AT(i, seL4_CNode_Delete(KT_ROOT, copies + i, KT_DEPTH));
    }
}

bool vt_thread_create(vt_thread_t *t, int index, seL4_CPtr untyped, seL4_CPtr vspace)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    t->index = index;
    t->tcb = vt_new(untyped, seL4_TCBObject, 0);
    t->ep = vt_new(untyped, seL4_EndpointObject, 0);
    if (t->tcb == 0 || t->ep == 0) {
        return false;
    }
    seL4_Word buffer = (seL4_Word)&ipc_pages[index];
    seL4_CPtr frame =
        bi->userImageFrames.start + (buffer - (seL4_Word)__keel_image_start) / KT_PAGE_SIZE;
    seL4_Error e = seL4_TCB_Configure(t->tcb, t->ep, KT_ROOT, 0, vspace, 0, buffer, frame);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_Configure failed: %d", e);
        return false;
    }
    e = seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, THREAD_PRIORITY);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_SetPriority failed: %d", e);
        return false;
    }
    seL4_DebugNameThread(t->tcb, index == 0 ? "vmtest-helper0" : "vmtest-helper1");
    return true;
}

bool vt_start(vt_thread_t *t, vt_fn_t fn, seL4_Word a0, seL4_Word a1)
{
    /* Whatever the thread was doing (waiting for a reply to a fault or to
     * its result) ends here. */
    seL4_Error e = seL4_TCB_Suspend(t->tcb);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_Suspend failed: %d", e);
        return false;
    }
    seL4_UserContext regs = { 0 };
    regs.pc = (seL4_Word)thread_entry;
    regs.sp = (seL4_Word)&stacks[t->index][STACK_SIZE];
    regs.x0 = (seL4_Word)fn;
    regs.x1 = a0;
    regs.x2 = a1;
    regs.x3 = (seL4_Word)t->index;
    regs.x4 = t->ep;
    regs.tpidr_el0 = keel_tls_init(tls_areas[t->index], TLS_SIZE);
    if (regs.tpidr_el0 == 0) {
        ktest_fail(__FILE__, __LINE__, "TLS area too small");
        return false;
    }
    e = seL4_TCB_WriteRegisters(t->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_WriteRegisters failed: %d", e);
        return false;
    }
    return true;
}

vt_outcome_t vt_run(vt_thread_t *t, vt_fn_t fn, seL4_Word a0, seL4_Word a1)
{
    vt_outcome_t o = { 0 };
    if (!vt_start(t, fn, a0, a1)) {
        return o;
    }
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(t->ep, &badge);
    seL4_Word label = seL4_MessageInfo_get_label(info);
    seL4_Word length = seL4_MessageInfo_get_length(info);
    if (label == seL4_Fault_VMFault && length == seL4_VMFault_Length) {
        o.faulted = true;
        o.ip = seL4_GetMR(seL4_VMFault_IP);
        o.addr = seL4_GetMR(seL4_VMFault_Addr);
        o.prefetch = seL4_GetMR(seL4_VMFault_PrefetchFault);
        o.fsr = seL4_GetMR(seL4_VMFault_FSR);
    } else if (label == VT_LABEL_DONE && length == 1) {
        o.value = seL4_GetMR(0);
    } else {
        ktest_fail(__FILE__, __LINE__, "helper thread sent label %lu length %lu (MR0 0x%lx)", label,
                   length, seL4_GetMR(0));
    }
    return o;
}

seL4_Word vt_fn_read(seL4_Word addr, seL4_Word unused)
{
    (void)unused;
    return vt_load(addr);
}

seL4_Word vt_fn_write(seL4_Word addr, seL4_Word value)
{
    vt_store(addr, value);
    return vt_load(addr);
}

seL4_Word vt_fn_exec(seL4_Word addr, seL4_Word unused)
{
    (void)unused;
    return ((seL4_Word(*)(void))addr)();
}
