/* What the boot code and the packed image hand to the kernel proper. */
#pragma once

#include <arch/mmu.h>
#include <types.h>

/* Filled in by tools/pack_image.py inside the image (section .boot.handoff):
 * where the root task's image was placed, as seL4's boot loader reports it
 * (ABI 9.1). */
typedef struct boot_handoff {
    word_t magic; /* BOOT_HANDOFF_MAGIC */
    paddr_t ui_p_start;
    paddr_t ui_p_end;  /* exclusive, page aligned */
    sword_t pv_offset; /* ui_p_start - lowest virtual address of the image */
    vaddr_t ui_v_entry;
    word_t reserved[3];
} boot_handoff_t;
_Static_assert(sizeof(boot_handoff_t) == 64, "handoff layout is shared with the packer");

#define BOOT_HANDOFF_MAGIC 0x544F4F424C45454Bull /* "KEELBOOT" */

/* Physical addresses of things in .boot, which is linked at its physical
 * address: upper-half code cannot refer to those symbols PC-relatively, so
 * head.S records their addresses here as absolute words. */
typedef struct boot_symbols {
    paddr_t handoff;   /* boot_handoff_t */
    paddr_t kernel_l0; /* the kernel's permanent TTBR1 tables */
    paddr_t kernel_l1;
    paddr_t image_start; /* first byte of the kernel image */
    paddr_t image_end;   /* end of the loaded image, .bss included */
    paddr_t boot_end;    /* end of the boot-only part [image_start, boot_end) */
} boot_symbols_t;

extern const boot_symbols_t boot_symbols;

void boot_mmu_init(void);
