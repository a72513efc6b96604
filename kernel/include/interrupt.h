/* Interrupts as the kernel core handles them: the tick, and IRQs delivered
 * to user-level handlers through notifications. */
#pragma once

#include <util.h>

/* Handle one pending interrupt, if any (the idle loop, and the end of a
 * preempted system call). */
void handle_one_interrupt(void);

/* An interrupt taken from user level (the interrupted thread's registers
 * are saved): handle it and leave the kernel. */
void handle_user_interrupt(void) NORETURN;
