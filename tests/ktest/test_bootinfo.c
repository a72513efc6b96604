/* BootInfo consistency (ABI 9.2-9.5): fixed fields, the slot regions and their
 * order, where the IPC buffer, BootInfo and extra BootInfo sit, and the type of
 * every initial capability (seL4_DebugCapIdentify, tags of ABI Appendix A). */
#include "boot.h"
#include "ktest.h"
#include "objects.h"
#include <keel/ipcbuf.h>
#include <keel/runtime.h>
#include <keel/syscalls.h>

enum cap_tag {
    TAG_NULL = 0,
    TAG_FRAME = 1,
    TAG_UNTYPED = 2,
    TAG_PAGE_TABLE = 3,
    TAG_VSPACE = 9,
    TAG_CNODE = 10,
    TAG_ASID_CONTROL = 11,
    TAG_TCB = 12,
    TAG_ASID_POOL = 13,
    TAG_IRQ_CONTROL = 14,
    TAG_DOMAIN = 20,
};

static void test_fixed_fields(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    KT_ASSERT_EQ(bi->nodeID, 0);
    KT_ASSERT_EQ(bi->numNodes, 1);
    KT_ASSERT_EQ(bi->numIOPTLevels, 0);
    KT_ASSERT_EQ(bi->initThreadCNodeSizeBits, 13);
    KT_ASSERT_EQ(bi->initThreadDomain, 0);
    KT_ASSERT_EQ(bi->sharedFrames.start, 0);
    KT_ASSERT_EQ(bi->sharedFrames.end, 0);
    KT_ASSERT_EQ(bi->ioSpaceCaps.start, 0);
    KT_ASSERT_EQ(bi->ioSpaceCaps.end, 0);
}

/* Regions follow each other from slot 16 in the order of ABI 9.4; an absent
 * extraBIPages region is {0, 0}; empty runs to the end of the CNode. */
static void test_slot_regions(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    KT_ASSERT_EQ(bi->userImagePaging.start, seL4_NumInitialCaps);
    KT_ASSERT_LE(bi->userImagePaging.start, bi->userImagePaging.end);
    seL4_Word next = bi->userImagePaging.end;
    if (kt_region_size(bi->extraBIPages) != 0) {
        KT_ASSERT_EQ(bi->extraBIPages.start, next);
        KT_ASSERT_LT(bi->extraBIPages.start, bi->extraBIPages.end);
        next = bi->extraBIPages.end;
    } else {
        KT_ASSERT_EQ(bi->extraBIPages.start, 0);
    }
    KT_ASSERT_EQ(bi->userImageFrames.start, next);
    KT_ASSERT_LE(bi->userImageFrames.start, bi->userImageFrames.end);
    KT_ASSERT_EQ(bi->untyped.start, bi->userImageFrames.end);
    KT_ASSERT_LE(bi->untyped.start, bi->untyped.end);
    KT_ASSERT_LE(kt_region_size(bi->untyped), CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS);
    KT_ASSERT_EQ(bi->empty.start, bi->untyped.end);
    KT_ASSERT_EQ(bi->empty.end, 8192);
    KT_ASSERT_LE(bi->empty.start, bi->empty.end);
}

/* The IPC buffer frame directly follows the image, the BootInfo frame the IPC
 * buffer; crt0 installed bi->ipcBuffer as this thread's buffer. */
static void test_ipc_buffer_address(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    KT_ASSERT_EQ((seL4_Word)bi->ipcBuffer, (seL4_Word)seL4_GetIPCBuffer());
    KT_ASSERT_EQ((seL4_Word)bi->ipcBuffer, (seL4_Word)__keel_image_end);
    KT_ASSERT_EQ((seL4_Word)bi, (seL4_Word)bi->ipcBuffer + KT_PAGE_SIZE);
}

/* One frame cap per 4 KiB page of the image, from the link base to the end of
 * .bss (rootserver.ld). */
static void test_user_image_frames(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_Word pages = (seL4_Word)(__keel_image_end - __keel_image_start) / KT_PAGE_SIZE;
    KT_ASSERT_EQ((seL4_Word)__keel_image_start, 0x400000);
    KT_ASSERT_EQ(kt_region_size(bi->userImageFrames), pages);
}

/* The extra BootInfo holds exactly one chunk, the FDT, covered by the frames
 * of extraBIPages. */
static void test_extra_bootinfo_fdt(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    const seL4_BootInfoHeader *header = (const void *)((const char *)bi + KT_PAGE_SIZE);
    seL4_Word dtb_size = kt_dtb_size();
    KT_ASSERT_NE(dtb_size, 0);
    KT_ASSERT_EQ(bi->extraLen, sizeof(seL4_BootInfoHeader) + dtb_size);
    KT_ASSERT_EQ(header->id, SEL4_BOOTINFO_HEADER_FDT);
    KT_ASSERT_EQ(header->len, bi->extraLen);
    seL4_Word pages = (bi->extraLen + KT_PAGE_SIZE - 1) / KT_PAGE_SIZE;
    KT_ASSERT_EQ(kt_region_size(bi->extraBIPages), pages);
    fdt_t fdt;
    KT_ASSERT(fdt_init(&fdt, header + 1, dtb_size));
    KT_ASSERT(fdt_path_offset(&fdt, "/memory") >= 0);
}

static uint32_t be32_at(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The device tree is a compact copy (QEMU's blob says 1 MiB, nearly all free
 * space): version 17, its reservation block right after the header, the
 * structure block right after that ending in its END token, the strings
 * block right after that, and totalsize exactly their end. */
static void test_extra_bootinfo_fdt_compact(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    const uint8_t *blob = (const uint8_t *)bi + KT_PAGE_SIZE + sizeof(seL4_BootInfoHeader);
    uint32_t total = be32_at(blob + 4), off_struct = be32_at(blob + 8);
    uint32_t off_strings = be32_at(blob + 12), off_rsvmap = be32_at(blob + 16);
    uint32_t size_strings = be32_at(blob + 32), size_struct = be32_at(blob + 36);
    KT_ASSERT_EQ(be32_at(blob), FDT_MAGIC);
    KT_ASSERT_EQ(be32_at(blob + 20), 17);
    KT_ASSERT_EQ(be32_at(blob + 24), 16);
    KT_ASSERT_EQ(bi->extraLen, sizeof(seL4_BootInfoHeader) + total);
    KT_ASSERT_EQ(off_rsvmap, FDT_HEADER_SIZE);
    uint32_t rsvmap_end = off_rsvmap;
    while (rsvmap_end + 16 <= total && (fdt_read_cells(blob + rsvmap_end, 2) != 0 ||
                                        fdt_read_cells(blob + rsvmap_end + 8, 2) != 0)) {
        rsvmap_end += 16;
    }
    KT_ASSERT_EQ(off_struct, rsvmap_end + 16);
    KT_ASSERT_EQ(size_struct % 4, 0);
    KT_ASSERT_LE(off_struct + size_struct, total);
    KT_ASSERT_EQ(be32_at(blob + off_struct + size_struct - 4), 9); /* FDT_END */
    KT_ASSERT_EQ(off_strings, off_struct + size_struct);
    KT_ASSERT_EQ(total, off_strings + size_strings);
    KT_ASSERT_LT(total, 65536); /* QEMU's tree is about 8 KiB */
}

/* The compact tree still reads: RAM, /chosen, and the boot arguments where
 * there are any (ktest has them only when one test is asked for by name;
 * the demo.bootargs entry of the test list checks them). */
/* The root task's device tree and its first RAM range (false, and the
 * test fails, if either is missing). */
static bool read_root_fdt(fdt_t *fdt, fdt_range_t *ram)
{
    size_t size;
    const void *blob = keel_dtb(&size);
    fdt_range_t ranges[KT_MAX_RAM_RANGES];
    if (blob == NULL || !fdt_init(fdt, blob, size) ||
        fdt_memory_ranges(fdt, ranges, KT_MAX_RAM_RANGES) < 1) {
        ktest_fail(__FILE__, __LINE__, "no device tree with RAM in the extra BootInfo");
        return false;
    }
    *ram = ranges[0];
    return true;
}

static void test_extra_bootinfo_fdt_reads(void)
{
    fdt_t fdt;
    fdt_range_t ram;
    if (!read_root_fdt(&fdt, &ram)) {
        return;
    }
    int chosen = fdt_path_offset(&fdt, "/chosen");
    KT_ASSERT_GE(chosen, 0);
    uint32_t len = 0;
    const char *args = fdt_get_prop(&fdt, chosen, "bootargs", &len);
    if (args != NULL) {
        KT_ASSERT(len > 0 && args[len - 1] == '\0');
    }
}

/* The BootInfo untyped (not device memory) holding physical address `pa`,
 * or -1. */
static long ram_untyped_at(const seL4_BootInfo *bi, seL4_Word pa)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice && pa >= u->paddr && pa - u->paddr < (1ul << u->sizeBits)) {
            return (long)i;
        }
    }
    return -1;
}

/* Memory only the boot needed comes back as untyped, as seL4 gives it: the
 * device tree QEMU put at the base of RAM (1 MiB; the root task has its
 * own copy) and the boot-only first part of the kernel image, which Keel
 * links at the base of RAM + 2 MiB (kernel/arch/aarch64/kernel.ld). Every
 * page of [RAM base, RAM base + 2 MiB + 4 KiB) is in a RAM untyped, and the
 * first of them can be retyped (the kernel zeroes it). */
static void test_boot_memory_returned(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    fdt_t fdt;
    fdt_range_t ram;
    if (!read_root_fdt(&fdt, &ram)) {
        return;
    }
    seL4_Word base = ram.base;
    for (seL4_Word pa = base; pa < base + (2ul << 20) + 4096; pa += 4096) {
        if (ram_untyped_at(bi, pa) < 0) {
            KT_FAIL("RAM page 0x%lx is in no untyped", pa);
        }
    }
    long first = ram_untyped_at(bi, base);
    seL4_CPtr cap = bi->untyped.start + (seL4_CPtr)first;
    seL4_CPtr slot = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(cap, seL4_ARM_SmallPageObject, 0, slot, 1));
    KT_ASSERT_OK(seL4_CNode_Revoke(seL4_CapInitThreadCNode, cap, seL4_WordBits));
}

static void test_initial_cap_types(void)
{
    static const seL4_Word expected[seL4_NumInitialCaps] = {
        [seL4_CapNull] = TAG_NULL,
        [seL4_CapInitThreadTCB] = TAG_TCB,
        [seL4_CapInitThreadCNode] = TAG_CNODE,
        [seL4_CapInitThreadVSpace] = TAG_VSPACE,
        [seL4_CapIRQControl] = TAG_IRQ_CONTROL,
        [seL4_CapASIDControl] = TAG_ASID_CONTROL,
        [seL4_CapInitThreadASIDPool] = TAG_ASID_POOL,
        [seL4_CapIOPortControl] = TAG_NULL,
        [seL4_CapIOSpace] = TAG_NULL,
        [seL4_CapBootInfoFrame] = TAG_FRAME,
        [seL4_CapInitThreadIPCBuffer] = TAG_FRAME,
        [seL4_CapDomain] = TAG_DOMAIN,
        [seL4_CapSMMUSIDControl] = TAG_NULL,
        [seL4_CapSMMUCBControl] = TAG_NULL,
        [seL4_CapInitThreadSC] = TAG_NULL,
        [seL4_CapSMC] = TAG_NULL,
    };
    for (seL4_Word slot = 0; slot < seL4_NumInitialCaps; slot++) {
        seL4_Word tag = seL4_DebugCapIdentify(slot);
        if (tag != expected[slot]) {
            KT_FAIL("slot %lu holds cap type %lu, expected %lu", slot, tag, expected[slot]);
        }
    }
}

static void expect_region_type(const char *name, seL4_SlotRegion region, seL4_Word tag)
{
    for (seL4_Word slot = region.start; slot < region.end; slot++) {
        seL4_Word found = seL4_DebugCapIdentify(slot);
        if (found != tag) {
            KT_FAIL("%s slot %lu holds cap type %lu, expected %lu", name, slot, found, tag);
        }
    }
}

static void test_region_cap_types(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    expect_region_type("userImagePaging", bi->userImagePaging, TAG_PAGE_TABLE);
    expect_region_type("extraBIPages", bi->extraBIPages, TAG_FRAME);
    expect_region_type("userImageFrames", bi->userImageFrames, TAG_FRAME);
    expect_region_type("untyped", bi->untyped, TAG_UNTYPED);
    expect_region_type("empty", bi->empty, TAG_NULL);
}

/* A cptr beyond the 13 bits the root CNode resolves is a guard mismatch:
 * DebugCapIdentify reports 0 for it (ABI 1.7, 10.3). */
static void test_cap_identify_bad_cptr(void)
{
    KT_ASSERT_EQ(seL4_DebugCapIdentify(1ul << 13), TAG_NULL);
    KT_ASSERT_EQ(seL4_DebugCapIdentify(~0ul), TAG_NULL);
    KT_ASSERT_EQ(seL4_DebugCapIdentify((1ul << 40) | seL4_CapInitThreadTCB), TAG_NULL);
}

const ktest_case_t ktest_bootinfo_cases[] = {
    { "bootinfo.fixed_fields", test_fixed_fields },
    { "bootinfo.slot_regions_contiguous", test_slot_regions },
    { "bootinfo.ipc_buffer_address", test_ipc_buffer_address },
    { "bootinfo.user_image_frames", test_user_image_frames },
    { "bootinfo.extra_bootinfo_fdt", test_extra_bootinfo_fdt },
    { "bootinfo.extra_bootinfo_fdt_compact", test_extra_bootinfo_fdt_compact },
    { "bootinfo.extra_bootinfo_fdt_reads", test_extra_bootinfo_fdt_reads },
    { "bootinfo.boot_memory_returned", test_boot_memory_returned },
    { "bootinfo.initial_cap_types", test_initial_cap_types },
    { "bootinfo.region_cap_types", test_region_cap_types },
    { "bootinfo.cap_identify_bad_cptr", test_cap_identify_bad_cptr },
    { NULL, NULL },
};
