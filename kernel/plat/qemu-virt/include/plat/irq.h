/* The board's interrupt controller beyond what arch.h declares (arch_irq_*,
 * implemented by gicv3.c): what only the port's IRQ control methods use.
 * Interrupts are identified by their GIC interrupt ID. */
#pragma once

#include <types.h>

/* Edge (true) or level (false) trigger, for shared peripheral interrupts. */
void irq_set_trigger(irq_t irq, bool edge);
/* Raise software-generated interrupt `sgi` at CPU interface `target`. */
void irq_raise_sgi(word_t sgi, word_t target);
