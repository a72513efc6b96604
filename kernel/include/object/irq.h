/* Interrupts as capabilities (manual "Interrupts", ABI 5.4.4): IRQ control
 * hands out one handler cap per interrupt; a handler delivers its interrupt
 * as a signal on a notification until the driver acknowledges it. */
#pragma once

#include <invocation.h>
#include <object/tcb.h>
#include <plat/irq.h>

exception_t decode_irq_control_invocation(invocation_t *inv);
exception_t decode_irq_handler_invocation(invocation_t *inv);
exception_t invoke_sgi_signal(invocation_t *inv);

typedef struct irq_delivery {
    bool owned;   /* false: no user handler owns the interrupt */
    tcb_t *woken; /* the thread the signal woke, not yet scheduled; or NULL */
} irq_delivery_t;

/* An interrupt arrived: signal its notification and mask it until Ack. A
 * thread the signal wakes is returned for the caller to schedule
 * (sched_wake), as notification_signal_unscheduled does. */
irq_delivery_t irq_deliver(irq_t irq);

/* The last handler cap for `irq` is gone: it becomes free and masked. */
void irq_deactivate(irq_t irq);
