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

/* An interrupt arrived: signal its notification and mask it until Ack.
 * False when no user handler owns the interrupt. */
bool irq_deliver(irq_t irq);

/* The last handler cap for `irq` is gone: it becomes free and masked. */
void irq_deactivate(irq_t irq);
