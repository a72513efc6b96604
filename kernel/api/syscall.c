/* System-call dispatch (ABI 1.2-1.4). API calls are numbered -1..-8; the
 * debug calls follow; every other number is an UnknownSyscall fault. */
#include <api/syscall.h>
#include <arch/arch.h>
#include <cspace.h>
#include <delete.h>
#include <fault.h>
#include <interrupt.h>
#include <invocation.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/notification.h>
#include <thread.h>

/* Recv, NBRecv and the receive phase of ReplyRecv (ABI 1.4): an endpoint
 * cap with Receive right, or a notification cap with Receive right that is
 * not bound to another thread; anything else is a cap fault in the receive
 * phase. */
static void handle_receive(tcb_t *thread, bool blocking)
{
    word_t cptr = thread->context.r[ARCH_REG_CAP];
    lookup_cap_ret_t lookup = lookup_cap(thread, cptr);
    cap_t cap = lookup.cap;
    if (lookup.fault.type == 0 && (cap_rights(cap) & RIGHT_READ)) {
        if (cap_type(cap) == cap_endpoint) {
            cte_delete_one(tcb_slot(thread, TCB_CALLER));
            if (!notification_deliver_bound(thread)) {
                endpoint_receive(thread, cap_object(cap), cap_rights(cap) & RIGHT_GRANT, blocking);
            }
            return;
        }
        if (cap_type(cap) == cap_notification) {
            notification_t *ntfn = cap_object(cap);
            if (ntfn->bound_tcb == 0 || ntfn->bound_tcb == ptr_to_paddr(thread)) {
                notification_receive(thread, ntfn, blocking);
                return;
            }
        }
    }
    lookup_fault_t fault = lookup.fault;
    if (fault.type == 0) {
        fault = lookup_fault_missing_capability(0);
    }
    fault_set_cap(thread, cptr, true, fault);
    fault_handle(thread);
}

/* Reply through the caller slot; an empty slot is a no-op. */
static void handle_reply(tcb_t *thread)
{
    cte_t *caller = tcb_slot(thread, TCB_CALLER);
    if (cap_type(caller->cap) == cap_reply && !cap_reply_master(caller->cap)) {
        ipc_do_reply(thread, caller);
    }
}

static void handle_yield(tcb_t *thread)
{
    sched_append(thread);
    sched_request_reschedule();
}

void handle_syscall(sword_t number)
{
    tcb_t *thread = ks_cur_thread;
    bool preempted = false;
    switch (number) {
    case seL4_SysCall:
        preempted = handle_invocation(thread, true, true);
        break;
    case seL4_SysSend:
        preempted = handle_invocation(thread, false, true);
        break;
    case seL4_SysNBSend:
        preempted = handle_invocation(thread, false, false);
        break;
    case seL4_SysRecv:
        handle_receive(thread, true);
        break;
    case seL4_SysNBRecv:
        handle_receive(thread, false);
        break;
    case seL4_SysReplyRecv:
        handle_reply(thread);
        handle_receive(thread, true);
        break;
    case seL4_SysReply:
        handle_reply(thread);
        break;
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
    if (preempted) {
        handle_one_interrupt(); /* the interrupt that stopped the operation */
    }
    schedule_and_return();
}
