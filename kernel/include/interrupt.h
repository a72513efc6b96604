/* Interrupts as the kernel core handles them: the tick, and IRQs delivered
 * to user-level handlers through notifications. */
#pragma once

#include <plat/irq.h>
#include <util.h>

/* Handle every interrupt that is pending now. */
void handle_pending_interrupts(void);

/* An interrupt taken from user level (the interrupted thread's registers
 * are saved): handle it and leave the kernel, switching straight to a
 * driver thread it woke when that thread is the one to run. */
void handle_user_interrupt(void) NORETURN;
