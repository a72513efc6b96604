/* Interrupt dispatch. The kernel runs with interrupts masked; it takes them
 * on entry from user level and while idle, and polls at preemption points. */
#include <interrupt.h>
#include <ipc.h>
#include <object/irq.h>
#include <plat/machine.h>
#include <printk.h>
#include <thread.h>

/* Handle one acknowledged interrupt and end it. Returns the thread a device
 * interrupt woke (runnable, not yet scheduled), or NULL. */
static tcb_t *take_interrupt(irq_t irq)
{
    tcb_t *woken = NULL;
    if (irq == PLAT_TIMER_IRQ) {
        timer_ack_tick();
        sched_timer_tick();
    } else {
        irq_delivery_t delivery = irq_deliver(irq);
        if (!delivery.owned) {
            irq_mask(irq); /* nobody owns it: keep it from storming */
            kprintf("Undelivered IRQ: %lu\n", irq);
        }
        woken = delivery.woken;
    }
    irq_end(irq);
    return woken;
}

void handle_pending_interrupts(void)
{
    for (irq_t irq = irq_get_pending(); irq != IRQ_NONE; irq = irq_get_pending()) {
        tcb_t *woken = take_interrupt(irq);
        if (woken != NULL) {
            sched_wake(woken, false);
        }
    }
}

/* One interrupt per entry: if another is pending, the CPU takes it again as
 * soon as it is back at user level, so the GIC is not asked twice here. */
void handle_user_interrupt(void)
{
    irq_t irq = irq_get_pending();
    if (irq != IRQ_NONE) {
        tcb_t *woken = take_interrupt(irq);
        if (woken != NULL) {
            sched_wake(woken, true);
        }
    }
    schedule_and_return();
}
