/* Endpoints: a FIFO queue of blocked senders or receivers, and the
 * rendezvous between a sender and a receiver (ABI 1.4, manual "IPC"). */
#include <ipc.h>
#include <object/endpoint.h>
#include <tcb_queue.h>
#include <thread.h>

static endpoint_state_t ep_state(const endpoint_t *ep)
{
    return (endpoint_state_t)tcb_queue_state(ep->head);
}

static tcb_t *ep_head(const endpoint_t *ep)
{
    return tcb_queue_unpack(ep->head, ep->tail).head;
}

/* Store the queue; an empty queue makes the endpoint idle. */
static void ep_store(endpoint_t *ep, tcb_queue_t q, endpoint_state_t state)
{
    tcb_queue_pack(q, q.head != NULL ? state : ENDPOINT_IDLE, &ep->head, &ep->tail);
}

static void ep_append(endpoint_t *ep, tcb_t *thread, endpoint_state_t state)
{
    ep_store(ep, tcb_queue_append(tcb_queue_unpack(ep->head, ep->tail), thread), state);
}

static void ep_remove(endpoint_t *ep, tcb_t *thread)
{
    ep_store(ep, tcb_queue_remove(tcb_queue_unpack(ep->head, ep->tail), thread), ep_state(ep));
}

/* A receiver that got a Call's message: set up the reply, or stop the
 * caller if neither grant right allows a reply cap. */
static void complete_call(tcb_t *sender, word_t flags, tcb_t *receiver, bool receiver_can_grant)
{
    if (flags & (BLOCKED_CAN_GRANT | BLOCKED_CAN_GRANT_REPLY)) {
        ipc_setup_caller_cap(sender, receiver, receiver_can_grant);
    } else {
        thread_set_state(sender, thread_inactive);
    }
}

void endpoint_send(tcb_t *thread, endpoint_t *ep, word_t badge, word_t flags, bool blocking)
{
    if (ep_state(ep) != ENDPOINT_RECV) {
        if (blocking) {
            thread_set_state(thread, thread_blocked_on_send);
            thread->blocking_object = ptr_to_paddr(ep);
            thread->blocking_badge = badge;
            thread->blocking_flags = flags;
            ep_append(ep, thread, ENDPOINT_SEND);
        }
        return;
    }
    tcb_t *receiver = ep_head(ep);
    ep_remove(ep, receiver);
    bool receiver_can_grant = receiver->blocking_flags & BLOCKED_CAN_GRANT;
    ipc_transfer(thread, ep, badge, flags & BLOCKED_CAN_GRANT, receiver);
    receiver->blocking_object = 0;
    thread_set_state(receiver, thread_running);
    sched_possible_switch_to(receiver);
    if (flags & BLOCKED_IS_CALL) {
        complete_call(thread, flags, receiver, receiver_can_grant);
    }
}

void endpoint_receive(tcb_t *thread, endpoint_t *ep, bool can_grant, bool blocking)
{
    if (ep_state(ep) != ENDPOINT_SEND) {
        if (blocking) {
            thread_set_state(thread, thread_blocked_on_receive);
            thread->blocking_object = ptr_to_paddr(ep);
            thread->blocking_flags = can_grant ? BLOCKED_CAN_GRANT : 0;
            ep_append(ep, thread, ENDPOINT_RECV);
        } else {
            thread->context.r[ARCH_REG_BADGE] = 0; /* NBRecv: nothing waiting */
        }
        return;
    }
    tcb_t *sender = ep_head(ep);
    ep_remove(ep, sender);
    word_t flags = sender->blocking_flags;
    ipc_transfer(sender, ep, sender->blocking_badge, flags & BLOCKED_CAN_GRANT, thread);
    sender->blocking_object = 0;
    if (flags & BLOCKED_IS_CALL) {
        complete_call(sender, flags, thread, can_grant);
    } else {
        thread_set_state(sender, thread_running);
        sched_possible_switch_to(sender);
    }
}

void endpoint_cancel_ipc(tcb_t *thread)
{
    endpoint_t *ep = paddr_to_ptr(thread->blocking_object);
    ep_remove(ep, thread);
    thread->blocking_object = 0;
}

void endpoint_cancel_all(endpoint_t *ep)
{
    word_t head = ep->head;
    ep->head = ep->tail = 0;
    thread_queue_restart_all(head);
    sched_request_reschedule();
}

void endpoint_cancel_badged_sends(endpoint_t *ep, word_t badge)
{
    if (ep_state(ep) != ENDPOINT_SEND) {
        return;
    }
    tcb_t *thread = ep_head(ep);
    while (thread != NULL) {
        tcb_t *next = thread->queue_next;
        if (thread->blocking_badge == badge) {
            ep_remove(ep, thread);
            thread->blocking_object = 0;
            thread_set_state(thread, thread_restart);
            sched_enqueue(thread);
        }
        thread = next;
    }
    sched_request_reschedule();
}
