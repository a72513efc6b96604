/* Scheduling: ready queues over 256 priorities per domain, the current
 * thread, and the decision taken at the end of every kernel entry. The
 * rules are seL4's (non-MCS), exactly: docs/ipc.md, "Scheduling order". */
#pragma once

#include <config.h>
#include <object/tcb.h>

/* The running thread; NULL while the kernel idles (seL4's idle thread). */
extern tcb_t *ks_cur_thread;

/* What the end of this kernel entry does (seL4's scheduler action): resume
 * the current thread, choose afresh from the ready queues, or consider one
 * candidate thread made runnable during the entry (any other value: the
 * candidate, runnable and in no ready queue unless Resume put it there). */
#define SCHED_RESUME_CURRENT ((tcb_t *)0)
#define SCHED_CHOOSE_NEW ((tcb_t *)1)
extern tcb_t *ks_sched_action;

/* The domain whose threads may run now (always 0 with one domain, so that
 * the single-domain kernel indexes its ready queues by a constant). */
#if CONFIG_NUM_DOMAINS > 1
extern word_t ks_cur_domain;
#define SCHED_CUR_DOMAIN ks_cur_domain
#else
#define SCHED_CUR_DOMAIN 0
#endif

void thread_set_state(tcb_t *thread, thread_state_t state);
bool thread_is_runnable(const tcb_t *thread);

/* The ready queues (ready_queue.c): head or tail of the queue of the
 * thread's domain and priority; no-ops for a thread already (or not)
 * queued. */
void sched_enqueue(tcb_t *thread);
void sched_append(tcb_t *thread);
void sched_dequeue(tcb_t *thread);

/* The first thread of the highest non-empty ready queue of the current
 * domain, or NULL. */
tcb_t *sched_highest_ready(void);

/* Which ready queues of one domain are non-empty: bit p % 64 of
 * word[p / 64] for priority p, and bit i of `top` when word[i] != 0. */
#define READY_BITMAP_WORDS (CONFIG_NUM_PRIORITIES / WORD_BITS)
typedef struct ready_bitmap {
    word_t top;
    word_t word[READY_BITMAP_WORDS];
} ready_bitmap_t;
extern ready_bitmap_t ks_ready_bitmap[CONFIG_NUM_DOMAINS];

/* Is some ready thread of the current domain of higher priority than
 * `priority` (< 256)? Any bit above it in its bitmap word, or any
 * non-empty word above that one; inline and without searching: the IPC
 * fastpath asks. (Each shift is split in two so that no count reaches 64.) */
static inline bool sched_ready_above(word_t priority)
{
    const ready_bitmap_t *b = &ks_ready_bitmap[SCHED_CUR_DOMAIN];
    if (b->top == 0) {
        return false; /* the common case on the fastpath: nothing else ready */
    }
    word_t w = priority / WORD_BITS;
    word_t above_in_word = (b->word[w] >> (priority % WORD_BITS)) >> 1;
    word_t words_above = (b->top >> w) >> 1;
    return (above_in_word | words_above) != 0;
}

/* `thread` has just become runnable and is in no ready queue (seL4's
 * possibleSwitchTo): a thread of another domain is queued; otherwise it
 * becomes the entry's candidate if there is none yet, else the old
 * candidate and it both go to the head of their queues and the entry
 * chooses afresh. */
void sched_possible_switch_to(tcb_t *thread);

/* The end of this entry must choose afresh (seL4's rescheduleRequired); a
 * pending candidate goes to the head of its queue. */
void sched_request_reschedule(void);

/* Make `thread` current directly (the IPC fastpath, when the previous
 * thread has just blocked and `thread` is what the end of the entry would
 * choose; nothing was decided yet in this entry). */
static inline void sched_switch_to(tcb_t *thread)
{
    ks_cur_thread = thread;
}

/* The end of every kernel entry: decide which thread runs and leave the
 * kernel. Idles (taking one interrupt at a time) while nothing may run. */
void schedule_and_return(void) NORETURN;

/* One timer tick: account the current thread's time slice and, with
 * several domains, the domain's time. */
void sched_timer_tick(void);

/* Restart every thread of the wait queue that starts at `head` (a TCB's
 * physical address in its low 48 bits; 0 for an empty queue), in queue
 * order, each at the head of its ready queue (so they run in reverse
 * order); each re-executes its system call when it next runs (ABI 1.6a).
 * The caller requests the reschedule. */
void thread_queue_restart_all(word_t head);

/* Take a thread out of every queue and make it inactive (TCB_Suspend and
 * deletion): it cancels any IPC it was blocked in. */
void thread_suspend(tcb_t *thread);

/* Threads known to the kernel, for the debug dump. */
void debug_thread_list_add(tcb_t *thread);
void debug_thread_list_remove(tcb_t *thread);
extern tcb_t *ks_debug_thread_list;

/* TCB_Resume: an inactive or blocked thread restarts its system call. */
void thread_resume(tcb_t *thread);

/* Change a thread's priority, keeping its place in the scheduler right. */
void thread_set_priority(tcb_t *thread, word_t priority);

/* Move a thread to another domain (DomainSet_Set). */
void thread_set_domain(tcb_t *thread, word_t domain);
