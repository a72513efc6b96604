/* Boot-state helpers for the tests (boot.h). */
#include "boot.h"
#include <keel/runtime.h>

int kt_ram_ranges(fdt_range_t *out, int max)
{
    size_t size;
    const void *blob = keel_dtb(&size);
    fdt_t fdt;
    if (blob == NULL || !fdt_init(&fdt, blob, size)) {
        return -1;
    }
    return fdt_memory_ranges(&fdt, out, max);
}

seL4_Word kt_dtb_size(void)
{
    size_t size;
    const void *blob = keel_dtb(&size);
    return blob == NULL ? 0 : fdt_blob_size(blob);
}
