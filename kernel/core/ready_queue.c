/* The ready queues: 256 FIFO queues, found through a two-level bitmap so
 * choosing the highest priority is two count-leading-zeros instructions.
 * Pure data-structure code (no machine state), tested on the host. */
#include <config.h>
#include <thread.h>

static struct {
    tcb_t *head[CONFIG_NUM_PRIORITIES];
    tcb_t *tail[CONFIG_NUM_PRIORITIES];
} ready;

ready_bitmap_t ks_ready_bitmap;

static void bitmap_set(unsigned prio)
{
    ks_ready_bitmap.word[prio / WORD_BITS] |= BIT(prio % WORD_BITS);
    ks_ready_bitmap.top |= BIT(prio / WORD_BITS);
}

static void bitmap_clear(unsigned prio)
{
    ks_ready_bitmap.word[prio / WORD_BITS] &= ~BIT(prio % WORD_BITS);
    if (ks_ready_bitmap.word[prio / WORD_BITS] == 0) {
        ks_ready_bitmap.top &= ~BIT(prio / WORD_BITS);
    }
}

/* Put the thread at the head of its queue (it keeps its turn). */
void sched_enqueue(tcb_t *thread)
{
    if (thread->in_ready_queue) {
        return;
    }
    unsigned prio = thread->priority;
    thread->sched_prev = NULL;
    thread->sched_next = ready.head[prio];
    if (ready.head[prio] != NULL) {
        ready.head[prio]->sched_prev = thread;
    } else {
        ready.tail[prio] = thread;
    }
    ready.head[prio] = thread;
    thread->in_ready_queue = true;
    bitmap_set(prio);
}

/* Put the thread at the tail of its queue (it waits for its next turn). */
void sched_append(tcb_t *thread)
{
    if (thread->in_ready_queue) {
        return;
    }
    unsigned prio = thread->priority;
    thread->sched_next = NULL;
    thread->sched_prev = ready.tail[prio];
    if (ready.tail[prio] != NULL) {
        ready.tail[prio]->sched_next = thread;
    } else {
        ready.head[prio] = thread;
    }
    ready.tail[prio] = thread;
    thread->in_ready_queue = true;
    bitmap_set(prio);
}

void sched_dequeue(tcb_t *thread)
{
    if (!thread->in_ready_queue) {
        return;
    }
    unsigned prio = thread->priority;
    if (thread->sched_prev != NULL) {
        thread->sched_prev->sched_next = thread->sched_next;
    } else {
        ready.head[prio] = thread->sched_next;
    }
    if (thread->sched_next != NULL) {
        thread->sched_next->sched_prev = thread->sched_prev;
    } else {
        ready.tail[prio] = thread->sched_prev;
    }
    if (ready.head[prio] == NULL) {
        bitmap_clear(prio);
    }
    thread->in_ready_queue = false;
}

tcb_t *sched_highest_ready(void)
{
    if (ks_ready_bitmap.top == 0) {
        return NULL;
    }
    return ready.head[sched_highest_ready_priority()];
}

