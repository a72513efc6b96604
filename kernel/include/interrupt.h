/* Interrupts as the kernel core handles them: the tick, and (later) IRQs
 * delivered to user-level handlers through notifications. */
#pragma once

#include <plat/irq.h>

/* Handle every interrupt that is pending now. */
void handle_pending_interrupts(void);
