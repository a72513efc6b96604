/* Interrupts as capabilities (manual "Interrupts", ABI 5.4.4): IRQ control
 * hands out one handler cap per interrupt; a handler delivers its interrupt
 * as a signal on a notification until the driver acknowledges it. */
#pragma once

#include <invocation.h>
#include <object/tcb.h>

exception_t decode_irq_control_invocation(invocation_t *inv);
exception_t decode_irq_handler_invocation(invocation_t *inv);

/* Issuing a handler cap for interrupt `irq` into the slot (index, depth)
 * under extra cap `root_cap` of an IRQ control invocation: the checks (the
 * number, the interrupt free, the slot empty), then the perform (the cap,
 * a child of IRQ control; the interrupt unmasked). The port's IRQ control
 * methods use them too (arch_decode_irq_control_invocation). */
typedef struct irq_issue_args {
    irq_t irq;
    cte_t *control; /* the IRQ control cap's slot */
    cte_t *dest;
} irq_issue_args_t;
exception_t decode_irq_issue(invocation_t *inv, word_t irq, word_t index, word_t depth,
                             word_t root_cap, irq_issue_args_t *args);
void perform_irq_issue(const irq_issue_args_t *args);

/* An interrupt arrived: signal its notification and mask it until Ack.
 * False when no user handler owns the interrupt. */
bool irq_deliver(irq_t irq);

/* The last handler cap for `irq` is gone: it becomes free and masked. */
void irq_deactivate(irq_t irq);
