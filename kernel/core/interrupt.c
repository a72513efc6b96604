/* Interrupt dispatch. The kernel runs with interrupts masked; it takes them
 * on entry from user level and while idle, and polls at preemption points. */
#include <interrupt.h>
#include <object/irq.h>
#include <plat/machine.h>
#include <printk.h>
#include <thread.h>

static void handle_interrupt(irq_t irq)
{
    if (irq == PLAT_TIMER_IRQ) {
        timer_ack_tick();
        sched_timer_tick();
    } else if (!irq_deliver(irq)) {
        irq_mask(irq); /* nobody owns it: keep it from storming */
        kprintf("Undelivered IRQ: %lu\n", irq);
    }
    irq_end(irq);
}

void handle_pending_interrupts(void)
{
    for (irq_t irq = irq_get_pending(); irq != IRQ_NONE; irq = irq_get_pending()) {
        handle_interrupt(irq);
    }
}
