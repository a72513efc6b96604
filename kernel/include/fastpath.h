/* The IPC fastpath: Call and ReplyRecv in their most common form, straight
 * from the trap to the partner thread. It checks every precondition of that
 * case and otherwise hands over to the full system-call path, so it can
 * never give a result the slow path would not (STYLE 7). */
#pragma once

#include <types.h>

/* Entered from the svc vector on the kernel stack, with the current
 * thread's registers saved and its x0 (the cap) and x1 (the message info)
 * as arguments. Never return: they end in the partner thread or, when the
 * fastpath does not apply, in the slow path (handle_syscall). */
void fastpath_call(word_t cptr, word_t info) __attribute__((noreturn));
void fastpath_reply_recv(word_t cptr, word_t info) __attribute__((noreturn));

/* A VM fault (already recorded in `thread->fault`) delivered straight to a
 * handler thread waiting on the fault endpoint; returns if that is not the
 * case (the caller then takes the general fault path). */
struct tcb;
void fastpath_vm_fault(struct tcb *thread);
