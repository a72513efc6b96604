/* Boot-time memory: RAM from the device tree, minus what is already in use
 * (the DTB, the kernel image, the root task's image); a simple allocator for
 * the root task's objects takes from the top of what is left. Everything
 * still free at the end becomes untyped memory for the root task. */
#include <arch/arch.h>
#include <arch/boot.h>
#include <arch/machine.h>
#include <boot.h>
#include <fdt.h>
#include <panic.h>
#include <plat/machine.h>
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
        if (r.end <= r.start || r.end > PLAT_PADDR_USER_DEVICE_TOP) {
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
    const boot_handoff_t *handoff = paddr_to_ptr(boot_symbols.handoff);
    if (handoff->magic != BOOT_HANDOFF_MAGIC || handoff->ui_p_end <= handoff->ui_p_start) {
        panic("no root task in this image: pack one with tools/pack_image.py");
    }
    const void *dtb = paddr_to_ptr(PLAT_DTB_PADDR);
    fdt_t fdt;
    word_t dtb_size = fdt_blob_size(dtb);
    if (!fdt_init(&fdt, dtb, MIN(dtb_size, MAX_DTB_SIZE))) {
        panic("no valid device tree at 0x%llx", PLAT_DTB_PADDR);
    }
    ks_boot_memory.dtb_paddr = PLAT_DTB_PADDR;
    ks_boot_memory.dtb_size = dtb_size;
    find_ram(&fdt);
    for (unsigned i = 0; i < ks_boot_memory.ram.count; i++) {
        arch_map_kernel_window(ks_boot_memory.ram.r[i].start, ks_boot_memory.ram.r[i].end);
    }
    ks_boot_memory.free = ks_boot_memory.ram;
    reserve(PLAT_DTB_PADDR, PLAT_DTB_PADDR + dtb_size, "device tree");
    reserve(boot_symbols.image_start, boot_symbols.image_end, "kernel image");
    reserve(handoff->ui_p_start, handoff->ui_p_end, "root task image");
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
    return alloc_aligned(pages << 12, 12);
}
