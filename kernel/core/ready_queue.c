/* The ready queues: 256 FIFO queues per domain, found through a two-level
 * bitmap per domain so choosing the highest priority is two
 * count-leading-zeros instructions. Pure data-structure code (no machine
 * state), tested on the host. */
#include <config.h>
#include <thread.h>

typedef struct ready_queue {
    tcb_t *head;
    tcb_t *tail;
} ready_queue_t;

static ready_queue_t ready[CONFIG_NUM_DOMAINS][CONFIG_NUM_PRIORITIES];

ready_bitmap_t ks_ready_bitmap[CONFIG_NUM_DOMAINS];

static ready_queue_t *queue_of(const tcb_t *thread)
{
    return &ready[CONFIG_NUM_DOMAINS > 1 ? thread->domain : 0][thread->priority];
}

static ready_bitmap_t *bitmap_of(const tcb_t *thread)
{
    return &ks_ready_bitmap[CONFIG_NUM_DOMAINS > 1 ? thread->domain : 0];
}

static void bitmap_set(ready_bitmap_t *b, unsigned prio)
{
    b->word[prio / WORD_BITS] |= BIT(prio % WORD_BITS);
    b->top |= BIT(prio / WORD_BITS);
}

static void bitmap_clear(ready_bitmap_t *b, unsigned prio)
{
    b->word[prio / WORD_BITS] &= ~BIT(prio % WORD_BITS);
    if (b->word[prio / WORD_BITS] == 0) {
        b->top &= ~BIT(prio / WORD_BITS);
    }
}

/* Put the thread at the head of its queue (it keeps its turn). */
void sched_enqueue(tcb_t *thread)
{
    if (thread->in_ready_queue) {
        return;
    }
    ready_queue_t *q = queue_of(thread);
    thread->sched_prev = NULL;
    thread->sched_next = q->head;
    if (q->head != NULL) {
        q->head->sched_prev = thread;
    } else {
        q->tail = thread;
    }
    q->head = thread;
    thread->in_ready_queue = true;
    bitmap_set(bitmap_of(thread), thread->priority);
}

/* Put the thread at the tail of its queue (it waits for its next turn). */
void sched_append(tcb_t *thread)
{
    if (thread->in_ready_queue) {
        return;
    }
    ready_queue_t *q = queue_of(thread);
    thread->sched_next = NULL;
    thread->sched_prev = q->tail;
    if (q->tail != NULL) {
        q->tail->sched_next = thread;
    } else {
        q->head = thread;
    }
    q->tail = thread;
    thread->in_ready_queue = true;
    bitmap_set(bitmap_of(thread), thread->priority);
}

void sched_dequeue(tcb_t *thread)
{
    if (!thread->in_ready_queue) {
        return;
    }
    ready_queue_t *q = queue_of(thread);
    if (thread->sched_prev != NULL) {
        thread->sched_prev->sched_next = thread->sched_next;
    } else {
        q->head = thread->sched_next;
    }
    if (thread->sched_next != NULL) {
        thread->sched_next->sched_prev = thread->sched_prev;
    } else {
        q->tail = thread->sched_prev;
    }
    if (q->head == NULL) {
        bitmap_clear(bitmap_of(thread), thread->priority);
    }
    thread->in_ready_queue = false;
}

tcb_t *sched_highest_ready(void)
{
    const ready_bitmap_t *b = &ks_ready_bitmap[SCHED_CUR_DOMAIN];
    if (b->top == 0) {
        return NULL;
    }
    unsigned w = highest_bit(b->top);
    return ready[SCHED_CUR_DOMAIN][w * WORD_BITS + highest_bit(b->word[w])].head;
}
