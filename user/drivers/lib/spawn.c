/* Building a driver's VSpace, CSpace and thread from the root task (spawn.h). */
#include "spawn.h"
#include <keel/runtime.h>
#include <keel/string.h>
#include <keel/tls.h>
#include <sel4/sel4.h>

#define PAGE_SIZE 4096ul
#define ROOT seL4_CapInitThreadCNode
#define ROOT_VSPACE seL4_CapInitThreadVSpace

/* A page of the root task's VSpace where new frames are filled before they
 * are handed to the driver. */
#define SCRATCH_VADDR 0x3ff00000ul
/* Root slots for page tables beyond the image's frames and the fixed caps. */
#define SPARE_SLOTS 32

/* Device memory: never cached, never executed. Data: cached, not executed. */
#define ATTR_DEVICE seL4_ARM_ExecuteNever
#define ATTR_DATA (seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever)
#define ATTR_CODE seL4_ARM_PageCacheable

extern char __keel_image_start[], __keel_image_end[];

static seL4_CPtr take_slot(driver_process_t *proc)
{
    return proc->used < proc->count ? proc->first + proc->used++ : 0;
}

/* A new object from the spawn's untyped in a fresh root slot (0 on error). */
static seL4_CPtr new_object(const driver_spawn_t *spawn, driver_process_t *proc, seL4_Word type,
                            seL4_Word size_bits)
{
    seL4_CPtr slot = take_slot(proc);
    if (slot == 0 ||
        seL4_Untyped_Retype(spawn->untyped, type, size_bits, ROOT, 0, 0, slot, 1) != seL4_NoError) {
        return 0;
    }
    return slot;
}

/* Map `frame` at `vaddr`, adding page tables from the untyped as the walk
 * asks for them (at most one per level). */
static seL4_Word map_page(const driver_spawn_t *spawn, driver_process_t *proc, seL4_CPtr frame,
                          seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                          seL4_Word attr)
{
    for (int level = 0; level < 4; level++) {
        seL4_Error err = seL4_ARM_Page_Map(frame, vspace, vaddr, rights, attr);
        if (err != seL4_FailedLookup) {
            return err;
        }
        seL4_CPtr table = new_object(spawn, proc, seL4_ARM_PageTableObject, 0);
        if (table == 0) {
            return seL4_NotEnoughMemory;
        }
        err = seL4_ARM_PageTable_Map(table, vspace, vaddr, seL4_ARM_Default_VMAttributes);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_FailedLookup;
}

/* A fresh frame holding a copy of `len` bytes at `src` (the rest zero),
 * filled through the root task's scratch page. */
static seL4_CPtr new_filled_frame(const driver_spawn_t *spawn, driver_process_t *proc,
                                  const void *src, size_t len)
{
    seL4_CPtr frame = new_object(spawn, proc, seL4_ARM_SmallPageObject, 0);
    if (frame == 0) {
        return 0;
    }
    if (len == 0) {
        return frame; /* retyped frames are zero */
    }
    if (map_page(spawn, proc, frame, ROOT_VSPACE, SCRATCH_VADDR, seL4_ReadWrite, ATTR_DATA) !=
        seL4_NoError) {
        return 0;
    }
    memcpy((void *)SCRATCH_VADDR, src, len);
    seL4_ARM_Page_Unmap(frame);
    return frame;
}

/* The image: read-only shared pages below data_start, private copies above. */
static seL4_Word map_image(const driver_spawn_t *spawn, driver_process_t *proc)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_Word start = (seL4_Word)__keel_image_start;
    seL4_Word data = (seL4_Word)spawn->data_start & ~(PAGE_SIZE - 1);
    for (seL4_Word va = start; va < (seL4_Word)__keel_image_end; va += PAGE_SIZE) {
        seL4_CPtr frame;
        seL4_Word err;
        if (va < data) {
            frame = take_slot(proc);
            seL4_CPtr root_frame = bi->userImageFrames.start + (va - start) / PAGE_SIZE;
            if (frame == 0 || seL4_CNode_Copy(ROOT, frame, seL4_WordBits, ROOT, root_frame,
                                              seL4_WordBits, seL4_CanRead) != seL4_NoError) {
                return seL4_NotEnoughMemory;
            }
            err = map_page(spawn, proc, frame, proc->vspace, va, seL4_CanRead, ATTR_CODE);
        } else {
            frame = new_filled_frame(spawn, proc, (const void *)va, PAGE_SIZE);
            if (frame == 0) {
                return seL4_NotEnoughMemory;
            }
            err = map_page(spawn, proc, frame, proc->vspace, va, seL4_ReadWrite, ATTR_DATA);
        }
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_NoError;
}

static seL4_Word fill_cspace(const driver_spawn_t *spawn, driver_process_t *proc)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, seL4_WordBits - DRIVER_CNODE_BITS).words[0];
    seL4_Word err = seL4_CNode_Mint(proc->cnode, DRIVER_SLOT_CNODE, DRIVER_CNODE_BITS, ROOT,
                                    proc->cnode, seL4_WordBits, seL4_AllRights, guard);
    if (err == seL4_NoError && spawn->endpoint != 0) {
        err = seL4_CNode_Copy(proc->cnode, DRIVER_SLOT_ENDPOINT, DRIVER_CNODE_BITS, ROOT,
                              spawn->endpoint, seL4_WordBits, seL4_CanRead);
    }
    if (err == seL4_NoError && spawn->irq_handler != 0) {
        err = seL4_CNode_Copy(proc->cnode, DRIVER_SLOT_IRQ, DRIVER_CNODE_BITS, ROOT,
                              spawn->irq_handler, seL4_WordBits, seL4_AllRights);
    }
    if (err == seL4_NoError && spawn->fault_endpoint != 0) {
        seL4_CapRights_t send_grant_reply = seL4_CapRights_new(1, 0, 0, 1);
        err = seL4_CNode_Copy(proc->cnode, DRIVER_SLOT_FAULT, DRIVER_CNODE_BITS, ROOT,
                              spawn->fault_endpoint, seL4_WordBits, send_grant_reply);
    }
    return err;
}

static void fill_env(const driver_spawn_t *spawn, driver_env_t *env)
{
    memset(env, 0, sizeof(*env));
    env->main = spawn->main;
    env->ipc_buffer = (seL4_IPCBuffer *)DRIVER_BOOT_PAGE;
    env->tls_area = (void *)(DRIVER_BOOT_PAGE + DRIVER_BOOT_TLS_OFFSET);
    env->tls_size = DRIVER_BOOT_TLS_SIZE;
    env->cnode = DRIVER_SLOT_CNODE;
    env->endpoint = spawn->endpoint != 0 ? DRIVER_SLOT_ENDPOINT : 0;
    env->irq_handler = spawn->irq_handler != 0 ? DRIVER_SLOT_IRQ : 0;
    env->reply_first = DRIVER_SLOT_REPLY_FIRST;
    env->reply_count = DRIVER_SLOT_REPLY_COUNT;
    env->device = spawn->device_frame != 0 ? (volatile void *)DRIVER_DEVICE_VADDR : NULL;
    env->restarts = spawn->restarts;
    env->arg = spawn->arg;
    size_t len = strlen(spawn->name);
    memcpy(env->name, spawn->name, len < sizeof(env->name) ? len : sizeof(env->name) - 1);
}

static seL4_Word map_private(const driver_spawn_t *spawn, driver_process_t *proc,
                             seL4_CPtr *boot_frame)
{
    for (seL4_Word i = 1; i <= DRIVER_STACK_PAGES; i++) {
        seL4_CPtr frame = new_filled_frame(spawn, proc, NULL, 0);
        if (frame == 0) {
            return seL4_NotEnoughMemory;
        }
        seL4_Word err = map_page(spawn, proc, frame, proc->vspace, DRIVER_STACK_TOP - i * PAGE_SIZE,
                                 seL4_ReadWrite, ATTR_DATA);
        if (err != seL4_NoError) {
            return err;
        }
    }
    /* The boot page: IPC buffer, then the env, then the TLS area. */
    static unsigned char boot[PAGE_SIZE] __attribute__((aligned(16)));
    memset(boot, 0, sizeof(boot));
    fill_env(spawn, (driver_env_t *)(boot + DRIVER_BOOT_ENV_OFFSET));
    *boot_frame = new_filled_frame(spawn, proc, boot, sizeof(boot));
    if (*boot_frame == 0) {
        return seL4_NotEnoughMemory;
    }
    seL4_Word err = map_page(spawn, proc, *boot_frame, proc->vspace, DRIVER_BOOT_PAGE,
                             seL4_ReadWrite, ATTR_DATA);
    if (err != seL4_NoError || spawn->device_frame == 0) {
        return err;
    }
    seL4_CPtr device = take_slot(proc);
    if (device == 0 || seL4_CNode_Copy(ROOT, device, seL4_WordBits, ROOT, spawn->device_frame,
                                       seL4_WordBits, seL4_ReadWrite) != seL4_NoError) {
        return seL4_NotEnoughMemory;
    }
    return map_page(spawn, proc, device, proc->vspace, DRIVER_DEVICE_VADDR, seL4_ReadWrite,
                    ATTR_DEVICE);
}

static seL4_Word start_thread(const driver_spawn_t *spawn, driver_process_t *proc,
                              seL4_CPtr boot_frame)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, seL4_WordBits - DRIVER_CNODE_BITS).words[0];
    seL4_Word fault = spawn->fault_endpoint != 0 ? DRIVER_SLOT_FAULT : 0;
    seL4_Word err = seL4_TCB_Configure(proc->tcb, fault, proc->cnode, guard, proc->vspace, 0,
                                       DRIVER_BOOT_PAGE, boot_frame);
    if (err == seL4_NoError) {
        err = seL4_TCB_SetPriority(proc->tcb, seL4_CapInitThreadTCB, spawn->priority);
    }
    if (err == seL4_NoError && spawn->notification != 0) {
        err = seL4_TCB_BindNotification(proc->tcb, spawn->notification);
    }
    if (err != seL4_NoError) {
        return err;
    }
    seL4_DebugNameThread(proc->tcb, spawn->name);
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.pc = (seL4_Word)driver_thread_entry;
    regs.sp = DRIVER_STACK_TOP;
    regs.x0 = DRIVER_BOOT_PAGE + DRIVER_BOOT_ENV_OFFSET;
    return seL4_TCB_WriteRegisters(proc->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
}

seL4_Word driver_spawn(const driver_spawn_t *spawn, driver_process_t *proc)
{
    memset(proc, 0, sizeof(*proc));
    if (keel_tls_area_size() > DRIVER_BOOT_TLS_SIZE) {
        return seL4_RangeError;
    }
    seL4_Word pages = ((seL4_Word)__keel_image_end - (seL4_Word)__keel_image_start) / PAGE_SIZE;
    proc->count = pages + DRIVER_STACK_PAGES + SPARE_SLOTS;
    proc->first = spawn->alloc_slots(proc->count);
    if (proc->first == 0) {
        proc->count = 0;
        return seL4_NotEnoughMemory;
    }
    proc->tcb = new_object(spawn, proc, seL4_TCBObject, 0);
    proc->cnode = new_object(spawn, proc, seL4_CapTableObject, DRIVER_CNODE_BITS);
    proc->vspace = new_object(spawn, proc, seL4_ARM_VSpaceObject, 0);
    if (proc->tcb == 0 || proc->cnode == 0 || proc->vspace == 0) {
        return seL4_NotEnoughMemory;
    }
    seL4_Word err = seL4_ARM_ASIDPool_Assign(seL4_CapInitThreadASIDPool, proc->vspace);
    seL4_CPtr boot_frame = 0;
    if (err == seL4_NoError) {
        err = map_image(spawn, proc);
    }
    if (err == seL4_NoError) {
        err = map_private(spawn, proc, &boot_frame);
    }
    if (err == seL4_NoError) {
        err = fill_cspace(spawn, proc);
    }
    if (err == seL4_NoError) {
        err = start_thread(spawn, proc, boot_frame);
    }
    return err;
}

void driver_destroy(driver_process_t *proc)
{
    if (proc->tcb != 0) {
        seL4_CNode_Delete(ROOT, proc->tcb, seL4_WordBits); /* stops the thread first */
    }
    if (proc->cnode != 0) {
        /* Its cap to itself would keep it alive, unreachable, until a revoke. */
        seL4_CNode_Delete(proc->cnode, DRIVER_SLOT_CNODE, DRIVER_CNODE_BITS);
    }
    for (seL4_Word i = proc->used; i > 0; i--) {
        seL4_CNode_Delete(ROOT, proc->first + i - 1, seL4_WordBits);
    }
    proc->used = 0;
    proc->tcb = proc->cnode = proc->vspace = 0;
}

seL4_CPtr driver_device_frame(seL4_Word paddr, driver_slot_alloc_fn alloc)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_CPtr untyped = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (u->isDevice && paddr >= u->paddr && paddr - u->paddr < ((seL4_Word)1 << u->sizeBits)) {
            untyped = bi->untyped.start + i;
            break;
        }
    }
    if (untyped == 0) {
        return 0;
    }
    /* Frames below the wanted one stay until it is found: an untyped without
     * children would be reset and hand out its first page again. */
    seL4_CPtr skipped[64];
    seL4_Word nskipped = 0;
    seL4_CPtr found = 0;
    while (nskipped < sizeof(skipped) / sizeof(skipped[0])) {
        seL4_CPtr slot = alloc(1);
        if (slot == 0 || seL4_Untyped_Retype(untyped, seL4_ARM_SmallPageObject, 0, ROOT, 0, 0, slot,
                                             1) != seL4_NoError) {
            break;
        }
        seL4_ARM_Page_GetAddress_t at = seL4_ARM_Page_GetAddress(slot);
        if (at.error == seL4_NoError && at.paddr == paddr) {
            found = slot;
            break;
        }
        skipped[nskipped++] = slot;
        if (at.error != seL4_NoError || at.paddr > paddr) {
            break;
        }
    }
    for (seL4_Word i = 0; i < nskipped; i++) {
        seL4_CNode_Delete(ROOT, skipped[i], seL4_WordBits);
    }
    return found;
}
