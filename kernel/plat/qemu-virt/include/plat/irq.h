/* The board's interrupt controller and kernel timer, as the kernel core sees
 * them. Interrupts are identified by their GIC interrupt ID. */
#pragma once

#include <types.h>

typedef word_t irq_t;
#define IRQ_NONE ((irq_t)~0ull)

void irq_controller_init(void);
/* The highest-priority pending interrupt, acknowledged; IRQ_NONE if none. */
irq_t irq_get_pending(void);
/* Signal the end of handling (the interrupt may fire again once unmasked). */
void irq_end(irq_t irq);
void irq_mask(irq_t irq);
void irq_unmask(irq_t irq);
/* Edge (true) or level (false) trigger, for shared peripheral interrupts. */
void irq_set_trigger(irq_t irq, bool edge);
/* Raise software-generated interrupt `sgi` at CPU interface `target`. */
void irq_raise_sgi(word_t sgi, word_t target);

/* Is an interrupt waiting? (Preemption points poll this.) */
bool irq_is_pending(void);

void timer_init(void);
/* Re-arm the timer for the next tick. */
void timer_ack_tick(void);
