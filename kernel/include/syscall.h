/* System-call entry from the architecture's trap code. */
#pragma once

#include <types.h>

/* The current thread executed svc with `number` in x7. Never returns: ends
 * in schedule_and_return(). */
void handle_syscall(sword_t number) __attribute__((noreturn));

/* Debug system calls (ABI 10.3). Returns false if `number` is not one. */
bool handle_debug_syscall(sword_t number);
