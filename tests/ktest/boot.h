/* Facts about the root task's own boot state that several tests need. */
#pragma once

#include <fdt.h>
#include <keel/types.h>

#define KT_PAGE_SIZE 4096ul
#define KT_MAX_RAM_RANGES 8

/* The image bounds from rootserver.ld (both page aligned). */
extern char __keel_image_start[], __keel_image_end[];

/* Number of caps in a slot region. */
static inline seL4_Word kt_region_size(seL4_SlotRegion region)
{
    return region.end - region.start;
}

/* Physical RAM as the device tree in the extra BootInfo describes it: fills
 * out[] and returns the number of ranges, or -1 without a usable tree. */
int kt_ram_ranges(fdt_range_t *out, int max);

/* Size in bytes of the device tree blob in the extra BootInfo (0 if none). */
seL4_Word kt_dtb_size(void);
