/* Kernel start-up: memory discovery, the boot-time allocator, and the root
 * task. Only used before the first thread runs. */
#pragma once

#include <cap.h>
#include <region.h>
#include <util.h>

typedef struct boot_memory {
    region_set_t ram;  /* all RAM, from the device tree */
    region_set_t free; /* RAM nobody uses yet */
    paddr_t dtb_paddr;
    word_t dtb_size;
} boot_memory_t;

extern boot_memory_t ks_boot_memory;

void init_kernel(void) NORETURN;

/* Find RAM in the device tree and reserve the kernel, the DTB and the root
 * task's image. */
void boot_memory_init(void);

/* The boot is over: the memory only it needed -- the device tree (the root
 * task has its own copy) and the boot-only part of the kernel image --
 * becomes free RAM, handed out with the rest as untyped memory. */
void boot_memory_release(void);

/* Take 2^size_bits bytes aligned to their size from the top of free RAM,
 * zeroed. Panics if RAM is exhausted (the machine is too small to boot). */
paddr_t boot_alloc(unsigned size_bits);

/* Take `pages` contiguous zeroed 4 KiB pages. */
paddr_t boot_alloc_pages(word_t pages);

/* Build the root task exactly as the ABI's boot protocol describes (ABI 9). */
void create_root_task(void);

/* For the port's part of it (arch_create_root_vspace): put `cap` into one
 * of the root CNode's initial slots (ABI 9.4), or into its next free slot,
 * as a root of the derivation tree. */
void boot_set_initial_cap(word_t slot, cap_t cap);
void boot_provide_cap(cap_t cap);
