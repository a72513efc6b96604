/* The kernel tick: an EL1 timer (PLAT_TIMER_IRQ: the virtual timer, or the
 * physical one when the virtual timer belongs to user level), re-armed every
 * CONFIG_TIMER_TICK_MS milliseconds of counter time. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <config.h>
#include <plat/machine.h>

#define TIMER_CTL_ENABLE 1u

#if CONFIG_EXPORT_VTMR_USER
static inline void tick_set_tval(word_t ticks)
{
    SYSREG_WRITE(cntp_tval_el0, ticks);
}

static inline void tick_set_ctl(word_t ctl)
{
    SYSREG_WRITE(cntp_ctl_el0, ctl);
}

static inline void user_timer_set_ctl(word_t ctl)
{
    SYSREG_WRITE(cntv_ctl_el0, ctl);
}
#else
static inline void tick_set_tval(word_t ticks)
{
    SYSREG_WRITE(cntv_tval_el0, ticks);
}

static inline void tick_set_ctl(word_t ctl)
{
    SYSREG_WRITE(cntv_ctl_el0, ctl);
}

static inline void user_timer_set_ctl(word_t ctl)
{
    SYSREG_WRITE(cntp_ctl_el0, ctl);
}
#endif

static word_t ticks_per_period;

void arch_timer_init(void)
{
    user_timer_set_ctl(0); /* user level's timer starts disabled */
    ticks_per_period = SYSREG_READ(cntfrq_el0) / 1000 * CONFIG_TIMER_TICK_MS;
    tick_set_tval(ticks_per_period);
    tick_set_ctl(TIMER_CTL_ENABLE);
    isb();
    arch_irq_unmask(PLAT_TIMER_IRQ);
}

void arch_timer_ack(void)
{
    tick_set_tval(ticks_per_period);
    isb();
}
