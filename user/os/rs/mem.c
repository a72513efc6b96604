/* rs's own resources (rs.h): the free slots of its CNode, the untyped
 * memory BootInfo lists, device frames carved from device untypeds, and a
 * scratch page in its own VSpace through which it fills new frames. */
#include "rs.h"
#include <keel/runtime.h>
#include <keel/string.h>

#define SCRATCH_VADDR 0x10000000ul /* above rs's image (0x400000 + the archive) */
#define MAX_UNTYPEDS CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS

/* A BootInfo untyped and how much of it rs has retyped (the kernel places
 * each object at the next offset aligned to its size; rs follows along). */
typedef struct untyped {
    seL4_CPtr cap;
    seL4_Word paddr;
    seL4_Word size;
    seL4_Word used;
    bool device;
} untyped_t;

static untyped_t untypeds[MAX_UNTYPEDS];
static seL4_Word nuntypeds;
static seL4_CPtr next_slot, end_slot;

extern char __keel_image_start[];

void rs_mem_init(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    next_slot = bi->empty.start;
    end_slot = bi->empty.end;
    nuntypeds = bi->untyped.end - bi->untyped.start;
    if (nuntypeds > MAX_UNTYPEDS) {
        nuntypeds = MAX_UNTYPEDS;
    }
    for (seL4_Word i = 0; i < nuntypeds; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        untypeds[i] = (untyped_t){
            .cap = bi->untyped.start + i,
            .paddr = u->paddr,
            .size = (seL4_Word)1 << u->sizeBits,
            .device = u->isDevice != 0,
        };
    }
}

seL4_CPtr rs_slots(seL4_Word n)
{
    if (n > end_slot - next_slot) {
        return 0;
    }
    seL4_CPtr first = next_slot;
    next_slot += n;
    return first;
}

seL4_Word rs_object_bytes(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject:
        return (seL4_Word)1 << size_bits;
    case seL4_TCBObject:
        return (seL4_Word)1 << seL4_TCBBits;
    case seL4_EndpointObject:
        return (seL4_Word)1 << seL4_EndpointBits;
    case seL4_NotificationObject:
        return (seL4_Word)1 << seL4_NotificationBits;
    case seL4_CapTableObject:
        return (seL4_Word)1 << (size_bits + seL4_SlotBits);
    default: /* frames, page tables, VSpaces: one page */
        return (seL4_Word)1 << seL4_PageBits;
    }
}

static seL4_Word align_up(seL4_Word x, seL4_Word align)
{
    return (x + align - 1) & ~(align - 1);
}

seL4_Error rs_retype(seL4_Word type, seL4_Word size_bits, seL4_CPtr slot)
{
    seL4_Word bytes = rs_object_bytes(type, size_bits);
    for (seL4_Word i = 0; i < nuntypeds; i++) {
        untyped_t *u = &untypeds[i];
        seL4_Word at = align_up(u->used, bytes);
        if (u->device || at > u->size || bytes > u->size - at) {
            continue;
        }
        seL4_Error err = seL4_Untyped_Retype(u->cap, type, size_bits, RS_ROOT, 0, 0, slot, 1);
        if (err == seL4_NoError) {
            u->used = at + bytes;
            return err;
        }
    }
    return seL4_NotEnoughMemory;
}

seL4_CPtr rs_new(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = rs_slots(1);
    if (slot == 0 || rs_retype(type, size_bits, slot) != seL4_NoError) {
        return 0;
    }
    return slot;
}

static untyped_t *device_untyped(seL4_Word paddr)
{
    for (seL4_Word i = 0; i < nuntypeds; i++) {
        untyped_t *u = &untypeds[i];
        if (u->device && paddr >= u->paddr && paddr - u->paddr < u->size) {
            return u;
        }
    }
    return NULL;
}

/* The largest power of two that is aligned at `at` and at most `gap`. */
static seL4_Word piece_size(seL4_Word at, seL4_Word gap)
{
    seL4_Word size = at == 0 ? (seL4_Word)1 << 47 : at & -at;
    while (size > gap) {
        size >>= 1;
    }
    return size;
}

seL4_Error rs_device_frame(seL4_Word paddr, seL4_CPtr slot)
{
    untyped_t *u = device_untyped(paddr);
    if (u == NULL) {
        return seL4_InvalidArgument;
    }
    if (paddr - u->paddr < u->used) {
        return seL4_RangeError; /* handed out already: device pages go in ascending order */
    }
    /* Step over the pages below it with untyped objects rs keeps. */
    while (u->used < paddr - u->paddr) {
        seL4_Word size = piece_size(u->paddr + u->used, paddr - u->paddr - u->used);
        seL4_CPtr pad = rs_slots(1);
        if (pad == 0) {
            return seL4_NotEnoughMemory;
        }
        seL4_Error err = seL4_Untyped_Retype(
            u->cap, seL4_UntypedObject, (seL4_Word)__builtin_ctzl(size), RS_ROOT, 0, 0, pad, 1);
        if (err != seL4_NoError) {
            return err;
        }
        u->used += size;
    }
    seL4_Error err =
        seL4_Untyped_Retype(u->cap, seL4_ARM_SmallPageObject, 0, RS_ROOT, 0, 0, slot, 1);
    if (err == seL4_NoError) {
        u->used += (seL4_Word)1 << seL4_PageBits;
    }
    return err;
}

/* Map `frame` into rs's own VSpace at the scratch page, adding page tables
 * from rs's memory as the walk asks for them. */
static seL4_Error map_scratch(seL4_CPtr frame)
{
    for (int level = 0; level < 4; level++) {
        seL4_Error err =
            seL4_ARM_Page_Map(frame, seL4_CapInitThreadVSpace, SCRATCH_VADDR, seL4_ReadWrite,
                              seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever);
        if (err != seL4_FailedLookup) {
            return err;
        }
        seL4_CPtr table = rs_new(seL4_ARM_PageTableObject, 0);
        if (table == 0) {
            return seL4_NotEnoughMemory;
        }
        err = seL4_ARM_PageTable_Map(table, seL4_CapInitThreadVSpace, SCRATCH_VADDR,
                                     seL4_ARM_Default_VMAttributes);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_FailedLookup;
}

seL4_Error rs_fill_frame(seL4_CPtr frame, seL4_Word offset, const void *src, seL4_Word len)
{
    if (offset > ((seL4_Word)1 << seL4_PageBits) ||
        len > ((seL4_Word)1 << seL4_PageBits) - offset) {
        return seL4_RangeError;
    }
    seL4_Error err = map_scratch(frame);
    if (err != seL4_NoError) {
        return err;
    }
    memcpy((char *)SCRATCH_VADDR + offset, src, len);
    /* The frame may hold code: make what was written visible to
     * instruction fetches before anyone executes it. */
    err = seL4_ARM_Page_Unify_Instruction(frame, 0, (seL4_Word)1 << seL4_PageBits);
    seL4_Error unmapped = seL4_ARM_Page_Unmap(frame);
    return err != seL4_NoError ? err : unmapped;
}

seL4_CPtr rs_image_frame(const void *address)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_Word page = ((seL4_Word)address - (seL4_Word)__keel_image_start) >> seL4_PageBits;
    return page < bi->userImageFrames.end - bi->userImageFrames.start
               ? bi->userImageFrames.start + page
               : 0;
}

const char *rs_error_name(seL4_Word error)
{
    static const char *const names[] = {
        "NoError",     "InvalidArgument", "InvalidCapability", "IllegalOperation",
        "RangeError",  "AlignmentError",  "FailedLookup",      "TruncatedMessage",
        "DeleteFirst", "RevokeFirst",     "NotEnoughMemory",
    };
    return error < sizeof(names) / sizeof(names[0]) ? names[error] : "unknown error";
}
