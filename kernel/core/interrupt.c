/* Interrupt dispatch. The kernel runs with interrupts masked; it takes one
 * interrupt per kernel entry -- an entry from user level, the end of a
 * preempted system call, or one round of the idle loop -- as seL4 does, so
 * that the scheduling decisions between interrupts are the same. */
#include <arch/arch.h>
#include <interrupt.h>
#include <ipc.h>
#include <object/irq.h>
#include <printk.h>
#include <thread.h>

/* Handle one acknowledged interrupt and end it. A thread it wakes becomes
 * a scheduling candidate. */
static void take_interrupt(irq_t irq)
{
    if (irq == ARCH_TIMER_IRQ) {
        arch_timer_ack();
        sched_timer_tick();
    } else if (!irq_deliver(irq)) {
        arch_irq_mask(irq); /* nobody owns it: keep it from storming */
        kprintf("Undelivered IRQ: %lu\n", irq);
    }
    arch_irq_end(irq);
}

void handle_one_interrupt(void)
{
    irq_t irq = arch_irq_get_pending();
    if (irq != IRQ_NONE) {
        take_interrupt(irq);
    }
}

void handle_user_interrupt(void)
{
    handle_one_interrupt();
    schedule_and_return();
}
