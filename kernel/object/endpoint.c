/* Endpoints: a FIFO queue of blocked senders or receivers, and the
 * rendezvous between a sender and a receiver (ABI 1.4, manual "IPC"). */
#include <ipc.h>
#include <object/endpoint.h>
#include <thread.h>

#define QUEUE_ADDR_MASK MASK(48)
#define STATE_SHIFT 48

static endpoint_state_t ep_state(const endpoint_t *ep)
{
    return (endpoint_state_t)((ep->head >> STATE_SHIFT) & 3);
}

static tcb_t *ep_head(const endpoint_t *ep)
{
    word_t p = ep->head & QUEUE_ADDR_MASK;
    return p ? paddr_to_ptr(p) : NULL;
}

static void ep_set(endpoint_t *ep, tcb_t *head, tcb_t *tail, endpoint_state_t state)
{
    if (head == NULL) {
        state = ENDPOINT_IDLE;
    }
    ep->head = (head ? ptr_to_paddr(head) : 0) | ((word_t)state << STATE_SHIFT);
    ep->tail = tail ? ptr_to_paddr(tail) : 0;
}

static tcb_t *ep_tail(const endpoint_t *ep)
{
    return ep->tail ? paddr_to_ptr(ep->tail) : NULL;
}

static void ep_append(endpoint_t *ep, tcb_t *thread, endpoint_state_t state)
{
    tcb_t *tail = ep_tail(ep);
    thread->queue_prev = tail;
    thread->queue_next = NULL;
    if (tail != NULL) {
        tail->queue_next = thread;
    }
    ep_set(ep, tail != NULL ? ep_head(ep) : thread, thread, state);
}

static void ep_remove(endpoint_t *ep, tcb_t *thread)
{
    endpoint_state_t state = ep_state(ep);
    tcb_t *head = ep_head(ep);
    tcb_t *tail = ep_tail(ep);
    if (thread->queue_prev != NULL) {
        thread->queue_prev->queue_next = thread->queue_next;
    } else {
        head = thread->queue_next;
    }
    if (thread->queue_next != NULL) {
        thread->queue_next->queue_prev = thread->queue_prev;
    } else {
        tail = thread->queue_prev;
    }
    thread->queue_next = thread->queue_prev = NULL;
    ep_set(ep, head, tail, state);
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
    if (flags & BLOCKED_IS_CALL) {
        complete_call(thread, flags, receiver, receiver_can_grant);
    }
    ipc_wake(receiver);
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
            thread->context.r[CTX_X0] = 0; /* NBRecv: nothing waiting */
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
        ipc_wake(sender);
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
    ep_set(ep, NULL, NULL, ENDPOINT_IDLE);
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
