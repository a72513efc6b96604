/* Notifications (2^seL4_NotificationBits bytes): a word of pending badges, a
 * queue of waiting threads, and the TCB bound to it, if any. */
#pragma once

#include <object/tcb.h>

typedef struct notification {
    word_t head; /* [47:0] first waiting TCB (physical address), [49:48] state */
    word_t tail;
    word_t pending; /* badges signalled, OR-ed together */
    word_t bound_tcb; /* physical address, 0 if unbound */
} notification_t;
_Static_assert(sizeof(notification_t) == 32, "a notification is 2^seL4_NotificationBits bytes");

/* The last cap is going: waiting threads restart, a bound TCB is unbound. */
void notification_finalise(notification_t *ntfn);
