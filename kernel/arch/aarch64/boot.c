/* The port's part of booting (arch.h): what the packed image hands over,
 * the devices the kernel keeps, and the root task's address space -- its
 * VSpace, the first ASID pool, page tables and mapped frames (ABI 9). */
#include <arch/arch.h>
#include <arch/boot.h>
#include <boot.h>
#include <bootinfo.h>
#include <panic.h>

arch_boot_info_t arch_boot_info(void)
{
    const boot_handoff_t *h = arch_paddr_to_ptr(boot_symbols.handoff);
    if (h->magic != BOOT_HANDOFF_MAGIC || h->ui_p_end <= h->ui_p_start) {
        panic("no root task in this image: pack one with tools/pack_image.py");
    }
    return (arch_boot_info_t){
        .kernel = { boot_symbols.image_start, boot_symbols.image_end },
        .boot_only = { boot_symbols.image_start, boot_symbols.boot_end },
        .root_task = { h->ui_p_start, h->ui_p_end },
        .pv_offset = h->pv_offset,
        .entry = h->ui_v_entry,
        .dtb = PLAT_DTB_PADDR,
    };
}

void arch_exclude_kernel_devices(region_set_t *devices)
{
    region_set_remove(devices, (region_t){ PLAT_GICD_PADDR, PLAT_GICD_PADDR + PLAT_GICD_SIZE });
    region_set_remove(devices, (region_t){ PLAT_GICR_PADDR, PLAT_GICR_PADDR + PLAT_GICR_SIZE });
}

/* The root task's level-0 table, while the root task is built. */
static pte_t *root_vspace;

static paddr_t alloc_table(void)
{
    return boot_alloc(PAGE_BITS);
}

static void provide_paging_cap(void *ctx, cap_t cap)
{
    (void)ctx;
    boot_provide_cap(cap);
}

/* ASID pool 0 holds the root task's VSpace as ROOT_TASK_ASID. */
void arch_create_root_vspace(vaddr_t start, vaddr_t end)
{
    boot_set_initial_cap(SLOT_ASID_CONTROL, cap_new(cap_asid_control, 0));
    paddr_t vspace = boot_alloc(PAGE_BITS);
    paddr_t pool = boot_alloc(PAGE_BITS);
    root_vspace = arch_paddr_to_ptr(vspace);
    ((paddr_t *)arch_paddr_to_ptr(pool))[ROOT_TASK_ASID] = vspace;
    ks_asid_table[0] = pool;
    boot_set_initial_cap(SLOT_INIT_THREAD_VSPACE, cap_vspace_new(vspace, ROOT_TASK_ASID));
    boot_set_initial_cap(SLOT_INIT_THREAD_ASID_POOL, cap_asid_pool_new(pool, 0));
    vspace_boot_create_tables(root_vspace, start, end, alloc_table, provide_paging_cap, NULL);
}

cap_t arch_map_root_frame(paddr_t paddr, vaddr_t vaddr, bool executable)
{
    vspace_boot_map_page(root_vspace, vaddr, paddr, true, executable);
    return cap_frame_new(paddr, FRAME_SMALL, VM_READ_WRITE, false, ROOT_TASK_ASID, vaddr);
}
