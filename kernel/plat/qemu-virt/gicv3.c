/* GICv3: the distributor routes shared peripheral interrupts, the
 * redistributor of our core handles SGIs and PPIs (the timer), and the CPU
 * interface is driven through ICC_* system registers. All interrupts are
 * Group 1 non-secure at one priority: the kernel takes them with interrupts
 * masked, by polling, so priorities do not matter. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <plat/irq.h>
#include <plat/machine.h>
#include <util.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0C00
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_ENABLE_G1NS (1u << 1)

#define GICR_CTLR 0x0000
#define GICR_CTLR_RWP (1u << 3)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_BASE 0x10000 /* SGI/PPI registers, same offsets as GICD_* */

#define ICC_PMR_EL1 s3_0_c4_c6_0
#define ICC_IAR1_EL1 s3_0_c12_c12_0
#define ICC_EOIR1_EL1 s3_0_c12_c12_1
#define ICC_BPR1_EL1 s3_0_c12_c12_3
#define ICC_CTLR_EL1 s3_0_c12_c12_4
#define ICC_SRE_EL1 s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ISR_EL1_I (1u << 7)

#define SPURIOUS_FIRST 1020
#define PRIVATE_IRQS 32
#define DEFAULT_PRIORITY 0xa0

static volatile uint32_t *gicd(word_t offset)
{
    return (volatile uint32_t *)paddr_to_kernel(PLAT_GICD_PADDR + offset);
}

static volatile uint32_t *gicr(word_t offset)
{
    return (volatile uint32_t *)paddr_to_kernel(PLAT_GICR_PADDR + offset);
}

/* Banked registers of an interrupt: SGIs/PPIs in the redistributor. */
static volatile uint32_t *irq_reg(irq_t irq, word_t base)
{
    return irq < PRIVATE_IRQS ? gicr(GICR_SGI_BASE + base) : gicd(base + 4 * (irq / 32));
}

static void distributor_wait(void)
{
    while (*gicd(GICD_CTLR) & GICD_CTLR_RWP) {
    }
}

static void redistributor_wait(void)
{
    while (*gicr(GICR_CTLR) & GICR_CTLR_RWP) {
    }
}

static void distributor_init(void)
{
    unsigned lines = 32 * ((*gicd(GICD_TYPER) & 0x1f) + 1);
    *gicd(GICD_CTLR) = 0;
    distributor_wait();
    for (unsigned i = PRIVATE_IRQS; i < lines; i += 32) {
        *gicd(GICD_ICENABLER + i / 8) = ~0u;
        *gicd(GICD_ICPENDR + i / 8) = ~0u;
        *gicd(GICD_IGROUPR + i / 8) = ~0u;
    }
    for (unsigned i = PRIVATE_IRQS; i < lines; i += 4) {
        *gicd(GICD_IPRIORITYR + i) = DEFAULT_PRIORITY * 0x01010101u;
    }
    for (unsigned i = PRIVATE_IRQS; i < lines; i++) {
        /* Affinity 0.0.0.0: every SPI goes to the boot core. */
        volatile uint64_t *route = (volatile uint64_t *)gicd(GICD_IROUTER + 8 * i);
        *route = 0;
    }
    *gicd(GICD_CTLR) = GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1NS;
    distributor_wait();
}

static void redistributor_init(void)
{
    *gicr(GICR_WAKER) &= ~GICR_WAKER_PROCESSOR_SLEEP;
    while (*gicr(GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) {
    }
    *gicr(GICR_SGI_BASE + GICD_ICENABLER) = ~0u;
    *gicr(GICR_SGI_BASE + GICD_ICPENDR) = ~0u;
    *gicr(GICR_SGI_BASE + GICD_IGROUPR) = ~0u;
    for (unsigned i = 0; i < PRIVATE_IRQS; i += 4) {
        *gicr(GICR_SGI_BASE + GICD_IPRIORITYR + i) = DEFAULT_PRIORITY * 0x01010101u;
    }
}

static void cpu_interface_init(void)
{
    SYSREG_WRITE(ICC_SRE_EL1, SYSREG_READ(ICC_SRE_EL1) | 1);
    isb();
    SYSREG_WRITE(ICC_PMR_EL1, 0xff);
    SYSREG_WRITE(ICC_BPR1_EL1, 0);
    SYSREG_WRITE(ICC_CTLR_EL1, 0); /* EOI both drops priority and deactivates */
    SYSREG_WRITE(ICC_IGRPEN1_EL1, 1);
    isb();
}

void arch_irq_init(void)
{
    distributor_init();
    redistributor_init();
    cpu_interface_init();
}

irq_t arch_irq_get_pending(void)
{
    word_t irq = SYSREG_READ(ICC_IAR1_EL1) & 0xffffff;
    dsb_sy();
    return irq >= SPURIOUS_FIRST ? IRQ_NONE : irq;
}

void arch_irq_end(irq_t irq)
{
    SYSREG_WRITE(ICC_EOIR1_EL1, irq);
    isb();
}

/* A disable is complete only once Register Write Pending reads 0 (in the
 * redistributor for SGIs and PPIs, else the distributor); until then the GIC
 * may still forward the interrupt, and a level interrupt masked until its
 * handler's Ack would be taken again right after its EOI. */
void arch_irq_mask(irq_t irq)
{
    *irq_reg(irq, GICD_ICENABLER) = 1u << (irq % 32);
    if (irq < PRIVATE_IRQS) {
        redistributor_wait();
    } else {
        distributor_wait();
    }
}

void arch_irq_unmask(irq_t irq)
{
    *irq_reg(irq, GICD_ISENABLER) = 1u << (irq % 32);
}

void irq_set_trigger(irq_t irq, bool edge)
{
    volatile uint32_t *cfg = irq < PRIVATE_IRQS ? gicr(GICR_SGI_BASE + GICD_ICFGR + 4 * (irq / 16))
                                                : gicd(GICD_ICFGR + 4 * (irq / 16));
    unsigned shift = 2 * (irq % 16) + 1;
    *cfg = (*cfg & ~(1u << shift)) | ((edge ? 1u : 0u) << shift);
}

#define ICC_SGI1R_EL1 s3_0_c12_c11_5

/* Targets are CPU numbers within affinity 0.0.0 (one cluster on virt). */
void irq_raise_sgi(word_t sgi, word_t target)
{
    SYSREG_WRITE(ICC_SGI1R_EL1, ((sgi & 0xf) << 24) | BIT(target & 0xf));
    isb();
}

bool arch_irq_is_pending(void)
{
    return (SYSREG_READ(isr_el1) & ISR_EL1_I) != 0;
}
