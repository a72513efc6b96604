/* The untyped list of BootInfo against the rules of ABI 9.6 and the machine's
 * memory map (RAM from the device tree in the extra BootInfo).
 *
 * What cannot be checked from here: that RAM untypeds avoid the kernel image,
 * the device tree and the root task's frames (their physical addresses are not
 * visible without ARM_Page_GetAddress), so RAM accounting is checked between
 * bounds (untypeds_cover_free_ram). */
#include "boot.h"
#include "ktest.h"
#include <keel/runtime.h>
#include <sel4/sel4.h>

#define DEVICE_TOP (1ull << 40) /* CONFIG_PADDR_USER_DEVICE_TOP */

/* Device pages the kernel keeps (GICv3 distributor and redistributors). */
static const fdt_range_t kernel_devices[] = {
    { 0x08000000, 0x00010000 },
    { 0x080a0000, 0x00080000 },
};

typedef struct span {
    uint64_t base;
    uint64_t end; /* exclusive */
} span_t;

static span_t untyped_span(const seL4_UntypedDesc *u)
{
    return (span_t){ u->paddr, u->paddr + (1ull << u->sizeBits) };
}

static seL4_Word untyped_count(void)
{
    return kt_region_size(keel_bootinfo()->untyped);
}

static void sort_spans(span_t *spans, int n)
{
    for (int i = 1; i < n; i++) {
        span_t key = spans[i];
        int j = i - 1;
        for (; j >= 0 && spans[j].base > key.base; j--) {
            spans[j + 1] = spans[j];
        }
        spans[j + 1] = key;
    }
}

/* Untypeds of one kind (device or RAM), sorted by address; returns how many. */
static int collect_untypeds(bool device, span_t *out)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    int n = 0;
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        if ((bi->untypedList[i].isDevice != 0) == device) {
            out[n++] = untyped_span(&bi->untypedList[i]);
        }
    }
    sort_spans(out, n);
    return n;
}

/* Merge sorted, non-overlapping spans that touch; returns the new count. */
static int merge_adjacent(span_t *spans, int n)
{
    int out = 0;
    for (int i = 0; i < n; i++) {
        if (out > 0 && spans[out - 1].end == spans[i].base) {
            spans[out - 1].end = spans[i].end;
        } else {
            spans[out++] = spans[i];
        }
    }
    return out;
}

static void test_sizes_aligned(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (u->sizeBits < seL4_MinUntypedBits || u->sizeBits > seL4_MaxUntypedBits) {
            KT_FAIL("untyped %lu has size bits %u", i, u->sizeBits);
        }
        if ((u->paddr & ((1ull << u->sizeBits) - 1)) != 0) {
            KT_FAIL("untyped %lu at 0x%lx is not aligned to 2^%u", i, u->paddr, u->sizeBits);
        }
        if (u->isDevice > 1) {
            KT_FAIL("untyped %lu has isDevice %u", i, u->isDevice);
        }
        for (int b = 0; b < 6; b++) {
            KT_ASSERT_EQ(u->padding[b], 0);
        }
    }
}

/* Device untypeds come first, in ascending order; RAM untypeds after them. */
static void test_sorted(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    bool seen_ram = false;
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice) {
            seen_ram = true;
            continue;
        }
        if (seen_ram) {
            KT_FAIL("device untyped %lu follows a RAM untyped", i);
        }
        if (i > 0 && bi->untypedList[i - 1].paddr >= u->paddr) {
            KT_FAIL("device untyped %lu at 0x%lx is not above its predecessor", i, u->paddr);
        }
    }
}

static void test_no_overlap(void)
{
    static span_t spans[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
    const seL4_BootInfo *bi = keel_bootinfo();
    int n = 0;
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        spans[n++] = untyped_span(&bi->untypedList[i]);
    }
    sort_spans(spans, n);
    for (int i = 1; i < n; i++) {
        if (spans[i].base < spans[i - 1].end) {
            KT_FAIL("untypeds [0x%lx, 0x%lx) and [0x%lx, 0x%lx) overlap", spans[i - 1].base,
                    spans[i - 1].end, spans[i].base, spans[i].end);
        }
    }
}

static bool inside_ram(span_t span, const fdt_range_t *ram, int nram)
{
    for (int r = 0; r < nram; r++) {
        if (span.base >= ram[r].base && span.end <= ram[r].base + ram[r].size) {
            return true;
        }
    }
    return false;
}

static void test_ram_inside_ram(void)
{
    fdt_range_t ram[KT_MAX_RAM_RANGES];
    int nram = kt_ram_ranges(ram, KT_MAX_RAM_RANGES);
    KT_ASSERT(nram > 0);
    const seL4_BootInfo *bi = keel_bootinfo();
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice && !inside_ram(untyped_span(u), ram, nram)) {
            KT_FAIL("RAM untyped %lu [0x%lx, +2^%u) lies outside RAM", i, u->paddr, u->sizeBits);
        }
    }
}

/* The device space: [0, DEVICE_TOP) minus RAM minus the kernel's device pages,
 * as sorted maximal spans. Returns the count, or -1 without RAM ranges. */
static int expected_device_space(span_t *out)
{
    static span_t holes[KT_MAX_RAM_RANGES + 2];
    fdt_range_t ram[KT_MAX_RAM_RANGES];
    int nram = kt_ram_ranges(ram, KT_MAX_RAM_RANGES);
    if (nram <= 0) {
        return -1;
    }
    int nholes = 0;
    for (int r = 0; r < nram; r++) {
        holes[nholes++] = (span_t){ ram[r].base, ram[r].base + ram[r].size };
    }
    for (size_t d = 0; d < sizeof(kernel_devices) / sizeof(kernel_devices[0]); d++) {
        holes[nholes++] =
            (span_t){ kernel_devices[d].base, kernel_devices[d].base + kernel_devices[d].size };
    }
    sort_spans(holes, nholes);
    int n = 0;
    uint64_t cursor = 0;
    for (int h = 0; h < nholes && cursor < DEVICE_TOP; h++) {
        if (holes[h].base > cursor) {
            out[n++] = (span_t){ cursor, holes[h].base < DEVICE_TOP ? holes[h].base : DEVICE_TOP };
        }
        if (holes[h].end > cursor) {
            cursor = holes[h].end;
        }
    }
    if (cursor < DEVICE_TOP) {
        out[n++] = (span_t){ cursor, DEVICE_TOP };
    }
    return n;
}

/* Device untypeds cover the device space exactly once: no gap, no overlap,
 * nothing of RAM or of the kernel's own device pages. */
static void test_device_cover(void)
{
    static span_t found[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
    static span_t expected[KT_MAX_RAM_RANGES + 3];
    int nfound = collect_untypeds(true, found);
    for (int i = 1; i < nfound; i++) {
        if (found[i].base < found[i - 1].end) {
            KT_FAIL("device untypeds overlap at 0x%lx", found[i].base);
        }
    }
    nfound = merge_adjacent(found, nfound);
    int nexpected = expected_device_space(expected);
    KT_ASSERT(nexpected > 0);
    for (int i = 0; i < nfound || i < nexpected; i++) {
        if (i >= nfound || i >= nexpected || found[i].base != expected[i].base ||
            found[i].end != expected[i].end) {
            span_t f = i < nfound ? found[i] : (span_t){ 0, 0 };
            span_t e = i < nexpected ? expected[i] : (span_t){ 0, 0 };
            KT_FAIL("device span %d is [0x%lx, 0x%lx), expected [0x%lx, 0x%lx)", i, f.base, f.end,
                    e.base, e.end);
        }
    }
}

/* Bytes of RAM the kernel must have taken for the root task (ABI 9.2, 9.6):
 * image frames, IPC buffer, BootInfo, extra BootInfo pages, paging
 * structures, root CNode, VSpace, ASID pool and TCB. */
static uint64_t root_task_reservations(const seL4_BootInfo *bi)
{
    uint64_t pages = kt_region_size(bi->userImageFrames) + kt_region_size(bi->extraBIPages) +
                     kt_region_size(bi->userImagePaging) + 2;
    uint64_t cnode = 1ull << (bi->initThreadCNodeSizeBits + seL4_SlotBits);
    return pages * KT_PAGE_SIZE + cnode + (1ull << seL4_VSpaceBits) + (1ull << seL4_ASIDPoolBits) +
           (1ull << seL4_TCBBits);
}

/* RAM = RAM untypeds + root-task objects + the rest, where the rest (kernel
 * image, device tree, alignment losses) is at least the device tree and at
 * most the device tree plus SLACK. The exact kernel footprint is not visible
 * from user level, hence bounds rather than equality. */
static void test_cover_free_ram(void)
{
    const uint64_t slack = 16ull << 20;
    fdt_range_t ram[KT_MAX_RAM_RANGES];
    int nram = kt_ram_ranges(ram, KT_MAX_RAM_RANGES);
    KT_ASSERT(nram > 0);
    uint64_t ram_total = 0;
    for (int r = 0; r < nram; r++) {
        ram_total += ram[r].size;
    }
    static span_t spans[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
    int n = collect_untypeds(false, spans);
    uint64_t untyped = 0;
    for (int i = 0; i < n; i++) {
        untyped += spans[i].end - spans[i].base;
    }
    uint64_t accounted = untyped + root_task_reservations(keel_bootinfo());
    KT_ASSERT_LE(accounted, ram_total);
    uint64_t rest = ram_total - accounted;
    KT_ASSERT_GE(rest, kt_dtb_size());
    KT_ASSERT_LE(rest, kt_dtb_size() + slack);
}

/* Physical address of a frame cap, or fail the test. */
static bool frame_paddr(seL4_CPtr frame, uint64_t *paddr)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame);
    if (r.error != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "GetAddress(slot %lu) failed: %d", (unsigned long)frame,
                   r.error);
        return false;
    }
    *paddr = r.paddr;
    return true;
}

static bool covered_by_ram_untyped(uint64_t paddr)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    for (seL4_Word i = 0; i < untyped_count(); i++) {
        span_t u = untyped_span(&bi->untypedList[i]);
        if (!bi->untypedList[i].isDevice && paddr < u.end && paddr + KT_PAGE_SIZE > u.base) {
            return true;
        }
    }
    return false;
}

/* No RAM untyped covers a frame the root task already has: its image, the
 * IPC buffer, the BootInfo frame, the extra BootInfo (ABI 9.6). The image
 * frames are physically contiguous and ascending, as the loader placed them. */
static void test_untypeds_avoid_root_frames(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    uint64_t paddr, previous = 0;
    for (seL4_CPtr slot = bi->userImageFrames.start; slot < bi->userImageFrames.end; slot++) {
        if (!frame_paddr(slot, &paddr)) {
            return;
        }
        KT_ASSERT(!covered_by_ram_untyped(paddr));
        if (slot != bi->userImageFrames.start) {
            KT_ASSERT_EQ(paddr, previous + KT_PAGE_SIZE);
        }
        previous = paddr;
    }
    for (seL4_CPtr slot = bi->extraBIPages.start; slot < bi->extraBIPages.end; slot++) {
        if (!frame_paddr(slot, &paddr)) {
            return;
        }
        KT_ASSERT(!covered_by_ram_untyped(paddr));
    }
    seL4_CPtr singles[] = { seL4_CapBootInfoFrame, seL4_CapInitThreadIPCBuffer };
    for (unsigned i = 0; i < 2; i++) {
        if (!frame_paddr(singles[i], &paddr)) {
            return;
        }
        KT_ASSERT(!covered_by_ram_untyped(paddr));
    }
}

/* GetAddress is a frame method: on other caps it is an illegal operation,
 * on an empty slot the cap is invalid. */
static void test_get_address_errors(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    KT_ASSERT_EQ(seL4_ARM_Page_GetAddress(seL4_CapInitThreadTCB).error, seL4_IllegalOperation);
    KT_ASSERT_EQ(seL4_ARM_Page_GetAddress(bi->untyped.start).error, seL4_IllegalOperation);
    KT_ASSERT_EQ(seL4_ARM_Page_GetAddress(bi->empty.start).error, seL4_InvalidCapability);
    KT_ASSERT_EQ(seL4_GetMR(0), 0);
}

const ktest_case_t ktest_untyped_cases[] = {
    { "bootinfo.untypeds_avoid_root_frames", test_untypeds_avoid_root_frames },
    { "invocation.get_address_errors", test_get_address_errors },
    { "bootinfo.untypeds_sizes_aligned", test_sizes_aligned },
    { "bootinfo.untypeds_sorted", test_sorted },
    { "bootinfo.untypeds_no_overlap", test_no_overlap },
    { "bootinfo.untypeds_ram_inside_ram", test_ram_inside_ram },
    { "bootinfo.untypeds_cover_device_space", test_device_cover },
    { "bootinfo.untypeds_cover_free_ram", test_cover_free_ram },
    { NULL, NULL },
};
