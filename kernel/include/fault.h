/* Faults raised by user threads (ABI 7): recorded in the TCB and sent to the
 * thread's fault handler, or reported and the thread stopped if it has none. */
#pragma once

#include <object/tcb.h>

void fault_set_cap(tcb_t *thread, word_t cptr, bool in_receive_phase, lookup_fault_t lookup);
void fault_set_unknown_syscall(tcb_t *thread, word_t number);
void fault_set_user_exception(tcb_t *thread, word_t esr);
void fault_set_vm(tcb_t *thread, vaddr_t address, bool instruction, word_t fsr);

/* Deliver thread->fault to the thread's handler (ABI 7.2). */
void fault_handle(tcb_t *thread);
