/* rs's own resources (rs.h): the free slots of its CNode, the untyped
 * memory BootInfo lists, device frames carved from device untypeds, and
 * rs as the builder (rs_host): a scratch page in its own VSpace through
 * which the builder fills new frames. */
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
static seL4_CPtr first_slot, next_slot, end_slot;

extern char __keel_image_start[];

void rs_mem_init(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    first_slot = next_slot = bi->empty.start;
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

/* rs hands out memory and slots from the front and never takes them back,
 * so what is free is what lies past each untyped's and the CNode's front;
 * the alignment gaps it stepped over count as used. */
rs_mem_t rs_mem_usage(void)
{
    rs_mem_t m = { .slots = end_slot - first_slot, .free_slots = end_slot - next_slot };
    for (seL4_Word i = 0; i < nuntypeds; i++) {
        if (!untypeds[i].device) {
            m.total += untypeds[i].size;
            m.free += untypeds[i].size - untypeds[i].used;
        }
    }
    return m;
}

static seL4_Word align_up(seL4_Word x, seL4_Word align)
{
    return (x + align - 1) & ~(align - 1);
}

seL4_Error rs_retype(seL4_Word type, seL4_Word size_bits, seL4_CPtr slot)
{
    seL4_Word bytes = kb_object_bytes(type, size_bits);
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

static seL4_CPtr new_table(void)
{
    return rs_new(seL4_ARM_PageTableObject, 0);
}

const kb_host_t rs_host = {
    .cnode = RS_ROOT,
    .vspace = seL4_CapInitThreadVSpace,
    .scratch = SCRATCH_VADDR,
    .new_table = new_table,
    .asid_pool = seL4_CapInitThreadASIDPool,
    .own_page = rs_inject_own_page,
};

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
