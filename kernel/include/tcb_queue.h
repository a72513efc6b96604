/* FIFO queues of threads, as endpoints and notifications keep them: two
 * words in the object (head with a 2-bit state in bits 49:48, and tail,
 * both physical addresses of TCBs), links in the TCBs' queue_next/prev. */
#pragma once

#include <object/tcb.h>

typedef struct tcb_queue {
    tcb_t *head;
    tcb_t *tail;
} tcb_queue_t;

#define TCB_QUEUE_STATE_SHIFT 48

static inline tcb_queue_t tcb_queue_unpack(word_t head, word_t tail)
{
    word_t h = head & MASK(TCB_QUEUE_STATE_SHIFT);
    return (tcb_queue_t){ h ? paddr_to_ptr(h) : NULL, tail ? paddr_to_ptr(tail) : NULL };
}

static inline word_t tcb_queue_state(word_t head)
{
    return (head >> TCB_QUEUE_STATE_SHIFT) & 3;
}

/* Store the queue and the object's state (idle, 0, when it is empty and
 * `state_when_empty` says so). */
static inline void tcb_queue_pack(tcb_queue_t q, word_t state, word_t *head, word_t *tail)
{
    *head = (q.head ? ptr_to_paddr(q.head) : 0) | (state << TCB_QUEUE_STATE_SHIFT);
    *tail = q.tail ? ptr_to_paddr(q.tail) : 0;
}

/* Inline: these are on the IPC paths. */
static inline tcb_queue_t tcb_queue_append(tcb_queue_t q, tcb_t *thread)
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

static inline tcb_queue_t tcb_queue_remove(tcb_queue_t q, tcb_t *thread)
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
