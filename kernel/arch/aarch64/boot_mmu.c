/* Boot translation tables, built with the MMU off. This code runs at its
 * physical address before the kernel window exists, so it lives in .boot,
 * touches only .boot data, and is compiled with -mstrict-align (all memory is
 * Device memory while the MMU is off). The TTBR1 tables stay the kernel's
 * tables for good; TTBR0's identity map is only needed for the switch-over. */
#include <arch/boot.h>
#include <arch/machine.h>
#include <arch/mmu.h>
#include <plat/machine.h>

#define BOOT_TEXT SECTION(".boot.text")
/* The identity map is needed only while booting; the kernel window's tables
 * stay in use (a section of their own, kept when the boot-only part of the
 * image is handed to the root task as untyped memory). */
#define BOOT_TABLE SECTION(".boot.bss") ALIGNED(PAGE_SIZE)
#define KERNEL_TABLE SECTION(".boot.tables") ALIGNED(PAGE_SIZE)

/* The packer overwrites everything but the magic (ABI 9.1 boot protocol). */
const boot_handoff_t boot_handoff SECTION(".boot.handoff") = { .magic = BOOT_HANDOFF_MAGIC };

pte_t kernel_l0[PT_ENTRIES] KERNEL_TABLE;
pte_t kernel_l1[PT_ENTRIES] KERNEL_TABLE;
static pte_t identity_l0[PT_ENTRIES] BOOT_TABLE;
static pte_t identity_l1[PT_ENTRIES] BOOT_TABLE;

#define KERNEL_NORMAL_BLOCK (PTE_BLOCK | PTE_ATTR(MAIR_NORMAL_WB) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define KERNEL_DEVICE_BLOCK (PTE_BLOCK | PTE_ATTR(MAIR_DEVICE_nGnRnE) | PTE_AF | PTE_UXN | PTE_PXN)

#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)
#define SCTLR_DZE BIT(14)
#define SCTLR_UCT BIT(15)
#define SCTLR_NTWI BIT(16)
#define SCTLR_NTWE BIT(18)
#define SCTLR_UCI BIT(26)
#define SCTLR_RES1 0x30d00800ull
/* EL0 may read CTR_EL0, use DC ZVA and cache maintenance (ABI 8.6), and
 * execute WFI/WFE; no alignment checks for EL0 (SA0, A clear). */
#define SCTLR_KERNEL                                                                               \
    (SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI |    \
     SCTLR_NTWE | SCTLR_UCI)

#define TCR_T0SZ(n) ((word_t)(n) << 0)
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_TG0_4K (0ull << 14)
#define TCR_T1SZ(n) ((word_t)(n) << 16)
#define TCR_IRGN1_WBWA (1ull << 24)
#define TCR_ORGN1_WBWA (1ull << 26)
#define TCR_SH1_INNER (3ull << 28)
#define TCR_TG1_4K (2ull << 30)
#define TCR_IPS_SHIFT 32
#define TCR_AS16 (1ull << 36)
#define TCR_KERNEL                                                                                 \
    (TCR_T0SZ(16) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | TCR_T1SZ(16) |  \
     TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K | TCR_AS16)

/* Debug output before the MMU is on: the PL011 at its physical address. */
static const char boot_banner[] SECTION(".boot.rodata") = "Keel: boot at EL1, MMU off\r\n";

static BOOT_TEXT void boot_puts(const char *s)
{
    volatile uint32_t *uart = (volatile uint32_t *)(uintptr_t)PLAT_UART_PADDR;
    for (; *s != '\0'; s++) {
        while (uart[0x18 / 4] & (1u << 5)) { /* transmit FIFO full */
        }
        uart[0] = (uint8_t)*s;
    }
}

static BOOT_TEXT void zero_table(pte_t *table)
{
    volatile pte_t *t = table; /* volatile: no memset call out of .boot */
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        t[i] = 0;
    }
}

static BOOT_TEXT paddr_t boot_paddr(const void *p)
{
    return (paddr_t)(uintptr_t)p; /* .boot is linked at its physical address */
}

/* Map the first GiB of RAM in both halves and the device GiB in the window.
 * Further RAM is mapped from C once the device tree has been read. */
BOOT_TEXT void boot_mmu_init(void)
{
    boot_puts(boot_banner);
    zero_table(kernel_l0);
    zero_table(kernel_l1);
    zero_table(identity_l0);
    zero_table(identity_l1);

    unsigned ram_gib = (unsigned)(PLAT_RAM_BASE >> 30);
    kernel_l0[0] = boot_paddr(kernel_l1) | PTE_VALID | PTE_TABLE;
    kernel_l1[0] = 0 | KERNEL_DEVICE_BLOCK;
    kernel_l1[ram_gib] = PLAT_RAM_BASE | KERNEL_NORMAL_BLOCK;
    identity_l0[0] = boot_paddr(identity_l1) | PTE_VALID | PTE_TABLE;
    identity_l1[ram_gib] = PLAT_RAM_BASE | KERNEL_NORMAL_BLOCK;

    word_t parange = SYSREG_READ(id_aa64mmfr0_el1) & 0xf;
    SYSREG_WRITE(mair_el1, MAIR_VALUE);
    SYSREG_WRITE(tcr_el1, TCR_KERNEL | (MIN(parange, 5ull) << TCR_IPS_SHIFT));
    SYSREG_WRITE(ttbr0_el1, boot_paddr(identity_l0));
    SYSREG_WRITE(ttbr1_el1, boot_paddr(kernel_l0));
    dsb_sy();
    isb();
    __asm__ volatile("tlbi vmalle1" ::: "memory");
    __asm__ volatile("ic iallu" ::: "memory");
    dsb_sy();
    isb();
    SYSREG_WRITE(sctlr_el1, SCTLR_KERNEL);
    isb();
}
