/* Thread queues of endpoints and notifications: see tcb_queue.h. */
#include <tcb_queue.h>

tcb_queue_t tcb_queue_append(tcb_queue_t q, tcb_t *thread)
{
    thread->queue_prev = q.tail;
    thread->queue_next = NULL;
    if (q.tail != NULL) {
        q.tail->queue_next = thread;
    } else {
        q.head = thread;
    }
    q.tail = thread;
    return q;
}

tcb_queue_t tcb_queue_remove(tcb_queue_t q, tcb_t *thread)
{
    if (thread->queue_prev != NULL) {
        thread->queue_prev->queue_next = thread->queue_next;
    } else {
        q.head = thread->queue_next;
    }
    if (thread->queue_next != NULL) {
        thread->queue_next->queue_prev = thread->queue_prev;
    } else {
        q.tail = thread->queue_prev;
    }
    thread->queue_next = thread->queue_prev = NULL;
    return q;
}
