/* The kernel tick: the EL1 virtual timer (PPI 27), re-armed every
 * CONFIG_TIMER_TICK_MS milliseconds of counter time. */
#include <arch/machine.h>
#include <config.h>
#include <plat/irq.h>
#include <plat/machine.h>

#define CNTV_CTL_ENABLE 1u

static word_t ticks_per_period;

void timer_init(void)
{
    ticks_per_period = SYSREG_READ(cntfrq_el0) / 1000 * CONFIG_TIMER_TICK_MS;
    SYSREG_WRITE(cntv_tval_el0, ticks_per_period);
    SYSREG_WRITE(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
    irq_unmask(PLAT_TIMER_IRQ);
}

void timer_ack_tick(void)
{
    SYSREG_WRITE(cntv_tval_el0, ticks_per_period);
    isb();
}
