/* System-call dispatch (ABI 1.2-1.4). API calls are numbered -1..-8; the
 * debug calls follow; every other number is an UnknownSyscall fault. */
#include <arch/context.h>
#include <cspace.h>
#include <fault.h>
#include <invocation.h>
#include <keel/gen/abi.h>
#include <syscall.h>
#include <thread.h>

/* Recv and NBRecv: endpoints and notifications arrive with IPC; until then
 * no cap can be received on, which is a cap fault in the receive phase (for
 * NBRecv too: only send phases of non-blocking calls never fault). */
static void handle_receive(tcb_t *thread)
{
    word_t cptr = thread->context.r[CTX_X0];
    lookup_cap_ret_t lookup = lookup_cap(thread, cptr);
    lookup_fault_t fault = lookup.fault;
    if (fault.type == 0) {
        fault = lookup_fault_missing_capability(0);
    }
    fault_set_cap(thread, cptr, true, fault);
    fault_handle(thread);
}

static void handle_yield(tcb_t *thread)
{
    sched_append(thread);
    sched_request_reschedule();
}

void handle_syscall(sword_t number)
{
    tcb_t *thread = ks_cur_thread;
    switch (number) {
    case seL4_SysCall:
        handle_invocation(thread, true, true);
        break;
    case seL4_SysSend:
        handle_invocation(thread, false, true);
        break;
    case seL4_SysNBSend:
        handle_invocation(thread, false, false);
        break;
    case seL4_SysRecv:
    case seL4_SysNBRecv:
    case seL4_SysReplyRecv:
        handle_receive(thread);
        break;
    case seL4_SysReply:
        break; /* no reply cap can exist yet: an empty caller slot is a no-op */
    case seL4_SysYield:
        handle_yield(thread);
        break;
    default:
        if (!handle_debug_syscall(number)) {
            fault_set_unknown_syscall(thread, (word_t)number);
            fault_handle(thread);
        }
        break;
    }
    schedule_and_return();
}
