/* The api layer: system calls as the trap code enters them (ABI 1.2-1.4).
 * The top of the kernel: nothing in kernel/core or kernel/object includes
 * the headers of kernel/include/api (tools/checklayers.py). */
#pragma once

#include <object/tcb.h>

/* The current thread made system call `number` (the trap code has saved
 * its registers). Never returns: ends in schedule_and_return(). */
void handle_syscall(sword_t number) __attribute__((noreturn));

/* Send, NBSend and Call on the cap in the thread's cap register (ABI 1.4).
 * True when the operation was preempted by a pending interrupt (the thread
 * will re-execute the system call). */
bool handle_invocation(tcb_t *thread, bool is_call, bool is_blocking);

/* Debug system calls (ABI 10.3). Returns false if `number` is not one. */
bool handle_debug_syscall(sword_t number);
