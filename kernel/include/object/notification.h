/* Notifications (2^seL4_NotificationBits bytes): a word of pending badges, a
 * queue of waiting threads, and the TCB bound to it, if any. */
#pragma once

#include <object/tcb.h>
#include <tcb_queue.h>

typedef struct notification {
    word_t head;      /* [47:0] first waiting TCB (physical address), [49:48] state */
    word_t tail;      /* last waiting TCB */
    word_t pending;   /* badges signalled, OR-ed together */
    word_t bound_tcb; /* physical address, 0 if unbound */
} notification_t;
_Static_assert(sizeof(notification_t) == 32, "a notification is 2^seL4_NotificationBits bytes");

/* The state in `head`'s bits 49:48. */
enum { NTFN_IDLE = 0, NTFN_WAITING = 1, NTFN_ACTIVE = 2 };

/* OR `badge` into the word, or hand it to a waiting (or bound, receiving)
 * thread, which becomes a scheduling candidate. */
void notification_signal(notification_t *ntfn, word_t badge);

/* Wait (blocking) or Poll: take the pending word into the badge register,
 * or block. */
void notification_receive(tcb_t *thread, notification_t *ntfn, bool blocking);

/* Whether the thread's bound notification has badges pending (its next
 * endpoint receive would take them instead of blocking). Inline: the IPC
 * fastpath asks on every ReplyRecv and Recv. */
static inline bool notification_bound_pending(const tcb_t *thread)
{
    return thread->bound_notification != 0 &&
           tcb_queue_state(
               ((const notification_t *)paddr_to_ptr(thread->bound_notification))->head) ==
               NTFN_ACTIVE;
}

/* Whether threads wait on it (a notification that has them cannot be
 * bound; one with badges pending can). */
static inline bool notification_has_waiters(const notification_t *ntfn)
{
    return tcb_queue_state(ntfn->head) == NTFN_WAITING;
}

/* A bound notification with pending badges, delivered instead of an
 * endpoint message (ABI 1.4 Recv). Returns true if it was delivered. */
bool notification_deliver_bound(tcb_t *thread);

/* Take a waiting thread off the notification's queue. */
void notification_cancel_wait(tcb_t *thread);

/* The last cap is going: waiting threads restart, a bound TCB is unbound. */
void notification_finalise(notification_t *ntfn);
