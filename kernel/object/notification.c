/* Notifications: signal, wait, poll, and binding to a TCB (manual
 * "Notifications"). States: idle, waiting (threads queued), active (badges
 * pending). */
#include <ipc.h>
#include <object/notification.h>
#include <tcb_queue.h>
#include <thread.h>

static word_t ntfn_state(const notification_t *n)
{
    return tcb_queue_state(n->head);
}

static void ntfn_store(notification_t *n, tcb_queue_t q, word_t state)
{
    tcb_queue_pack(q, state, &n->head, &n->tail);
}

static void ntfn_remove(notification_t *n, tcb_t *thread)
{
    tcb_queue_t q = tcb_queue_remove(tcb_queue_unpack(n->head, n->tail), thread);
    ntfn_store(n, q, q.head != NULL ? NTFN_WAITING : NTFN_IDLE);
}

/* Take the first waiting thread off the queue: the signal's case, cheaper
 * than the general removal (the head has no predecessor). */
static tcb_t *ntfn_take_head(notification_t *n)
{
    tcb_queue_t q = tcb_queue_unpack(n->head, n->tail);
    tcb_t *thread = q.head;
    tcb_t *next = thread->queue_next;
    thread->queue_next = NULL;
    if (next == NULL) {
        ntfn_store(n, (tcb_queue_t){ NULL, NULL }, NTFN_IDLE);
    } else {
        next->queue_prev = NULL;
        ntfn_store(n, (tcb_queue_t){ next, q.tail }, NTFN_WAITING);
    }
    return thread;
}

/* The thread becomes runnable with the badge as its Wait/Recv result; it is
 * in no ready queue (thread_set_state has nothing to do for a runnable
 * state, so the state is written directly). */
static void wake_with_badge(tcb_t *thread, word_t badge)
{
    thread->context.r[ARCH_REG_BADGE] = badge;
    thread->blocking_object = 0;
    thread->state = thread_running;
}

void notification_signal(notification_t *ntfn, word_t badge)
{
    switch (ntfn_state(ntfn)) {
    case NTFN_WAITING: {
        tcb_t *thread = ntfn_take_head(ntfn);
        wake_with_badge(thread, badge);
        sched_possible_switch_to(thread);
        return;
    }
    case NTFN_IDLE: {
        tcb_t *bound = ntfn->bound_tcb ? paddr_to_ptr(ntfn->bound_tcb) : NULL;
        if (bound != NULL && bound->state == thread_blocked_on_receive) {
            endpoint_cancel_ipc(bound);
            wake_with_badge(bound, badge);
            sched_possible_switch_to(bound);
            return;
        }
        ntfn->pending = badge;
        ntfn_store(ntfn, (tcb_queue_t){ NULL, NULL }, NTFN_ACTIVE);
        return;
    }
    default:
        ntfn->pending |= badge;
        return;
    }
}

void notification_receive(tcb_t *thread, notification_t *ntfn, bool blocking)
{
    if (ntfn_state(ntfn) == NTFN_ACTIVE) {
        thread->context.r[ARCH_REG_BADGE] = ntfn->pending;
        ntfn->pending = 0;
        ntfn_store(ntfn, (tcb_queue_t){ NULL, NULL }, NTFN_IDLE);
        return;
    }
    if (!blocking) {
        thread->context.r[ARCH_REG_BADGE] = 0;
        return;
    }
    thread_set_state(thread, thread_blocked_on_notification);
    thread->blocking_object = ptr_to_paddr(ntfn);
    ntfn_store(ntfn, tcb_queue_append(tcb_queue_unpack(ntfn->head, ntfn->tail), thread),
               NTFN_WAITING);
}

bool notification_deliver_bound(tcb_t *thread)
{
    if (thread->bound_notification == 0) {
        return false;
    }
    notification_t *ntfn = paddr_to_ptr(thread->bound_notification);
    if (ntfn_state(ntfn) != NTFN_ACTIVE) {
        return false;
    }
    notification_receive(thread, ntfn, false);
    return true;
}

void notification_cancel_wait(tcb_t *thread)
{
    ntfn_remove(paddr_to_ptr(thread->blocking_object), thread);
    thread->blocking_object = 0;
}

void notification_finalise(notification_t *ntfn)
{
    word_t head = ntfn_state(ntfn) == NTFN_WAITING ? ntfn->head : 0;
    ntfn->head = ntfn->tail = 0;
    thread_queue_restart_all(head);
    if (ntfn->bound_tcb != 0) {
        tcb_t *tcb = paddr_to_ptr(ntfn->bound_tcb);
        tcb->bound_notification = 0;
        ntfn->bound_tcb = 0;
    }
    sched_request_reschedule();
}
