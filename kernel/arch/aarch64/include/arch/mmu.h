/* Translation-table descriptor bits (4 KiB granule, 48-bit VA) and the
 * memory attributes the kernel programs into MAIR_EL1. */
#pragma once

#include <util.h>

/* MAIR_EL1 attribute indices (the same encoding seL4's boot loader sets up,
 * ABI 9.1, so user page-table entries mean the same thing here). */
#define MAIR_DEVICE_nGnRnE 0
#define MAIR_DEVICE_nGnRE 1
#define MAIR_DEVICE_GRE 2
#define MAIR_NORMAL_NC 3
#define MAIR_NORMAL_WB 4
#define MAIR_NORMAL_WT 5
#define MAIR_VALUE 0x0000AAFF440C0400ull

#define PTE_VALID BIT(0)
#define PTE_TABLE BIT(1) /* at levels 0-2: next-level table; at level 3: page */
#define PTE_ATTR(i) ((word_t)(i) << 2)
#define PTE_AP_EL0 BIT(6) /* EL0 may access */
#define PTE_AP_RO BIT(7)  /* read-only */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF BIT(10)
#define PTE_NG BIT(11)
#define PTE_PXN BIT(53)
#define PTE_UXN BIT(54)
#define PTE_ADDR_MASK 0x0000FFFFFFFFF000ull

#define PTE_BLOCK PTE_VALID
#define PTE_PAGE (PTE_VALID | PTE_TABLE)

#define PT_INDEX_BITS 9
#define PT_ENTRIES 512
#define PAGE_BITS 12
#define PAGE_SIZE BIT(PAGE_BITS)

/* Bit position of the lowest VA bit a level's index covers (level 0..3). */
static inline unsigned pt_level_shift(unsigned level)
{
    return PAGE_BITS + PT_INDEX_BITS * (3 - level);
}

static inline unsigned pt_index(word_t vaddr, unsigned level)
{
    return (unsigned)((vaddr >> pt_level_shift(level)) & MASK(PT_INDEX_BITS));
}

typedef word_t pte_t;
