/* Boot-time memory: RAM from the device tree, minus what is already in use
 * (the DTB, the kernel image, the root task's image); a simple allocator for
 * the root task's objects takes from the top of what is left. Everything
 * still free at the end becomes untyped memory for the root task. */
#include <arch/arch.h>
#include <boot.h>
#include <fdt.h>
#include <paddr.h>
#include <panic.h>
#include <printk.h>

#define MAX_RAM_RANGES 8
#define MAX_DTB_SIZE (1ull << 24)

boot_memory_t ks_boot_memory;

static void reserve(paddr_t start, paddr_t end, const char *what)
{
    if (!region_set_remove(&ks_boot_memory.free, (region_t){ start, end })) {
        panic("too many memory regions while reserving %s", what);
    }
    kprintf("  reserved [0x%lx, 0x%lx) %s\n", start, end, what);
}

static void find_ram(const fdt_t *fdt)
{
    fdt_range_t ranges[MAX_RAM_RANGES];
    int count = fdt_memory_ranges(fdt, ranges, MAX_RAM_RANGES);
    for (int i = 0; i < count; i++) {
        region_t r = { ranges[i].base, ranges[i].base + ranges[i].size };
        if (r.end <= r.start || r.end > ARCH_PADDR_TOP) {
            continue; /* empty, or beyond what the kernel window can map */
        }
        region_set_add(&ks_boot_memory.ram, r);
        kprintf("  RAM [0x%lx, 0x%lx)\n", r.start, r.end);
    }
    if (ks_boot_memory.ram.count == 0) {
        panic("the device tree describes no usable RAM");
    }
}

void boot_memory_init(void)
{
    arch_boot_info_t boot = arch_boot_info();
    const void *dtb = paddr_to_ptr(boot.dtb);
    fdt_t fdt;
    word_t dtb_size = fdt_blob_size(dtb);
    if (!fdt_init(&fdt, dtb, MIN(dtb_size, MAX_DTB_SIZE))) {
        panic("no valid device tree at 0x%lx", boot.dtb);
    }
    ks_boot_memory.dtb_paddr = boot.dtb;
    ks_boot_memory.dtb_size = dtb_size;
    find_ram(&fdt);
    for (unsigned i = 0; i < ks_boot_memory.ram.count; i++) {
        arch_map_kernel_window(ks_boot_memory.ram.r[i].start, ks_boot_memory.ram.r[i].end);
    }
    ks_boot_memory.free = ks_boot_memory.ram;
    reserve(boot.dtb, boot.dtb + dtb_size, "device tree");
    reserve(boot.kernel.start, boot.kernel.end, "kernel image");
    reserve(boot.root_task.start, boot.root_task.end, "root task image");
}

static void release(region_t r, const char *what)
{
    r.start = ROUND_UP(r.start, ARCH_PAGE_BITS);
    r.end = ROUND_DOWN(r.end, ARCH_PAGE_BITS);
    if (r.end <= r.start) {
        return;
    }
    if (!region_set_add(&ks_boot_memory.free, r)) {
        kprintf("  [0x%lx, 0x%lx) %s kept: too many free regions\n", r.start, r.end, what);
        return;
    }
    kprintf("  released [0x%lx, 0x%lx) %s\n", r.start, r.end, what);
}

void boot_memory_release(void)
{
    arch_boot_info_t boot = arch_boot_info();
    release(
        (region_t){ ks_boot_memory.dtb_paddr, ks_boot_memory.dtb_paddr + ks_boot_memory.dtb_size },
        "device tree");
    release(boot.boot_only, "kernel boot code and data");
    ks_boot_memory.dtb_size = 0; /* gone: nothing may read it any more */
}

static paddr_t alloc_aligned(word_t size, unsigned align_bits)
{
    region_set_t *free = &ks_boot_memory.free;
    for (unsigned i = free->count; i-- > 0;) {
        region_t r = free->r[i];
        if (region_size(r) < size) {
            continue;
        }
        paddr_t at = ROUND_DOWN(r.end - size, align_bits);
        if (at >= r.start) {
            if (!region_set_remove(free, (region_t){ at, at + size })) {
                break; /* the set is full; report it below */
            }
            memset(paddr_to_ptr(at), 0, size);
            return at;
        }
    }
    panic("out of memory while building the root task (0x%lx bytes)", size);
}

paddr_t boot_alloc(unsigned size_bits)
{
    return alloc_aligned(BIT(size_bits), size_bits);
}

paddr_t boot_alloc_pages(word_t pages)
{
    return alloc_aligned(pages << ARCH_PAGE_BITS, ARCH_PAGE_BITS);
}
