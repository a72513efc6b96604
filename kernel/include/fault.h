/* Faults raised by user threads (ABI 7): recorded in the TCB and sent to the
 * thread's fault handler, or reported and the thread stopped if it has none. */
#pragma once

#include <object/tcb.h>

void fault_set_cap(tcb_t *thread, word_t cptr, bool in_receive_phase, lookup_fault_t lookup);
void fault_set_unknown_syscall(tcb_t *thread, word_t number);
/* `number`: the UserException message's Number word (the port's code for
 * the exception). */
void fault_set_user_exception(tcb_t *thread, word_t number);
void fault_set_vm(tcb_t *thread, vaddr_t address, bool instruction, word_t fsr);
/* A debug exception (hardware debug API): seL4_BreakpointType `reason`, the
 * trigger address and the API ID of the breakpoint or watchpoint. */
void fault_set_debug(tcb_t *thread, word_t reason, vaddr_t address, word_t bp_num);

/* The fields fault_set_debug packs into fault.data[1]. */
static inline word_t fault_debug_reason(const fault_t *fault)
{
    return fault->data[1] & 0xff;
}

static inline word_t fault_debug_bp_num(const fault_t *fault)
{
    return fault->data[1] >> 8;
}

/* Deliver thread->fault to the thread's handler (ABI 7.2). */
void fault_handle(tcb_t *thread);
