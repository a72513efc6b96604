/* The IPC fastpath: Call, ReplyRecv and Recv in their most common form,
 * straight from the trap to the next thread. It checks every precondition of that
 * case and otherwise hands over to the full system-call path, so it can
 * never give a result the slow path would not (STYLE 7). */
#pragma once

#include <config.h>
#include <types.h>

/* Entered from the trap code's system-call entry on the kernel stack, with
 * the current thread's registers saved and its cap and message-info
 * registers as arguments. Never return: they end in the partner thread or, when the
 * fastpath does not apply, in the slow path (handle_syscall). */
void fastpath_call(word_t cptr, word_t info) __attribute__((noreturn));
void fastpath_reply_recv(word_t cptr, word_t info) __attribute__((noreturn));

/* A blocking Recv on an endpoint that has no sender waiting, straight to
 * the thread the end of the slow path's entry would choose (the head of
 * the highest ready queue). */
void fastpath_recv(word_t cptr) __attribute__((noreturn));

/* A VM fault (already recorded in `thread->fault`) delivered straight to a
 * handler thread waiting on the fault endpoint; returns if that is not the
 * case (the caller then takes the general fault path). */
struct tcb;
void fastpath_vm_fault(struct tcb *thread);

#if CONFIG_FASTPATH_STATS
/* Benchmark kernels with CONFIG_FASTPATH_STATS only (a Keel extension, read
 * by the KeelFastpathStats system call): how many Call, ReplyRecv and VM
 * fault entries the fastpath completed, and how many it handed to the slow
 * path. */
typedef struct fastpath_stats {
    word_t call_fast, call_slow;
    word_t reply_recv_fast, reply_recv_slow;
    word_t vm_fault_fast, vm_fault_slow;
} fastpath_stats_t;
extern fastpath_stats_t ks_fastpath_stats;
#define FASTPATH_COUNT(counter) (ks_fastpath_stats.counter++)
#else
#define FASTPATH_COUNT(counter) ((void)0)
#endif
