/* The QEMU `virt` board: where RAM and the devices the kernel uses live. */
#pragma once

#include <config.h>
#include <types.h>

#define PLAT_RAM_BASE 0x40000000ull  /* RAM size comes from the device tree */
#define PLAT_DTB_PADDR PLAT_RAM_BASE /* QEMU puts the DTB here for ELF kernels */

#define PLAT_UART_PADDR 0x09000000ull /* PL011, shared with user level (ABI 9.6) */
#define PLAT_UART_IRQ 33

#define PLAT_GICD_PADDR 0x08000000ull /* GICv3 distributor */
#define PLAT_GICD_SIZE 0x10000ull
#define PLAT_GICR_PADDR 0x080A0000ull /* GICv3 redistributors, 128 KiB per core */
#define PLAT_GICR_STRIDE 0x20000ull
#define PLAT_MAX_CORES 4
#define PLAT_GICR_SIZE (PLAT_GICR_STRIDE * PLAT_MAX_CORES)

#define PLAT_MAX_IRQ 159 /* interrupt IDs 0..159 are valid */

/* The generic timer at EL0 (seL4's KernelArmExport{PCNT,VCNT,PTMR,VTMR}User,
 * declared in api/keel.api like CONFIG_EXPORT_PMU_USER): reading the
 * physical / virtual counter (either one also makes CNTFRQ_EL0 readable),
 * and programming the EL1 physical / virtual timer, whose interrupt (PPI 30
 * / 27) user level then takes through IRQControl. Exporting the virtual
 * timer moves the kernel tick to the physical one. */
#if CONFIG_EXPORT_PTMR_USER && CONFIG_EXPORT_VTMR_USER
#error "CONFIG_EXPORT_PTMR_USER and CONFIG_EXPORT_VTMR_USER exclude each other: the kernel tick \
needs one of the two EL1 timers for itself"
#endif

/* The kernel tick's timer, whose PPI is reserved: the EL1 virtual timer
 * (PPI 27), or the EL1 physical timer (PPI 30) when the virtual one is
 * exported to user level. The other is user level's. */
#define PLAT_VIRTUAL_TIMER_IRQ 27
#define PLAT_PHYSICAL_TIMER_IRQ 30
#define PLAT_TIMER_IRQ (CONFIG_EXPORT_VTMR_USER ? PLAT_PHYSICAL_TIMER_IRQ : PLAT_VIRTUAL_TIMER_IRQ)

/* Physical addresses below this are offered to user level as device untypeds. */
#define PLAT_PADDR_USER_DEVICE_TOP (1ull << 40)
/* Device space is mapped into the kernel window at [0, this). */
#define PLAT_KERNEL_DEVICE_WINDOW (1ull << 30)
