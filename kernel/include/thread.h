/* Scheduling: ready queues over 256 priorities, the current thread, and the
 * decision taken at the end of every kernel entry. */
#pragma once

#include <config.h>
#include <object/tcb.h>

extern tcb_t *ks_cur_thread;

void thread_set_state(tcb_t *thread, thread_state_t state);
bool thread_is_runnable(const tcb_t *thread);

void sched_enqueue(tcb_t *thread);
void sched_append(tcb_t *thread);
void sched_dequeue(tcb_t *thread);

/* The first thread of the highest non-empty ready queue, or NULL. */
tcb_t *sched_highest_ready(void);

/* Ask for a fresh scheduling decision at the end of this kernel entry. */
void sched_request_reschedule(void);

/* The end of every kernel entry: pick the thread to run and leave the
 * kernel. Idles (handling interrupts) while nothing is runnable. */
void schedule_and_return(void) NORETURN;

/* Which ready queues are non-empty: bit p % 64 of word[p / 64] for
 * priority p, and bit i of `top` when word[i] != 0. */
#define READY_BITMAP_WORDS (CONFIG_NUM_PRIORITIES / WORD_BITS)
typedef struct ready_bitmap {
    word_t top;
    word_t word[READY_BITMAP_WORDS];
} ready_bitmap_t;
extern ready_bitmap_t ks_ready_bitmap;

/* The highest priority with a ready thread; ks_ready_bitmap.top must not
 * be zero. */
static inline unsigned sched_highest_ready_priority(void)
{
    unsigned w = highest_bit(ks_ready_bitmap.top);
    return w * WORD_BITS + highest_bit(ks_ready_bitmap.word[w]);
}

/* Is some ready thread of higher priority than `priority` (< 256)? Any bit
 * above it in its bitmap word, or any non-empty word above that one; inline
 * and without searching: the IPC fastpath asks. (Each shift is split in two
 * so that no count reaches 64.) */
static inline bool sched_ready_above(word_t priority)
{
    if (ks_ready_bitmap.top == 0) {
        return false; /* the common case on the fastpath: nothing else ready */
    }
    word_t w = priority / WORD_BITS;
    word_t above_in_word = (ks_ready_bitmap.word[w] >> (priority % WORD_BITS)) >> 1;
    word_t words_above = (ks_ready_bitmap.top >> w) >> 1;
    return (above_in_word | words_above) != 0;
}

/* `thread` has just become runnable (it is in no ready queue): it runs at
 * the end of this kernel entry if its priority allows, and is made current
 * at once when that is certain. `may_preempt`: the current thread is done
 * with this entry's work (its own system call or fault, or the one
 * interrupt of an entry from user level), so it may be put back in its
 * queue now; otherwise (interrupts polled mid-operation or while idle)
 * only a blocked current thread gives way at once. */
void sched_wake(tcb_t *thread, bool may_preempt);

/* Set when the end of this kernel entry must choose the thread afresh. */
extern bool ks_reschedule_requested;

/* Make `thread` current directly, bypassing the ready queues (the IPC
 * fastpath, when the previous thread has just blocked and `thread` is the
 * highest-priority runnable thread). */
static inline void sched_switch_to(tcb_t *thread)
{
    ks_cur_thread = thread;
    ks_reschedule_requested = false;
}

/* One timer tick: account the current thread's time slice. */
void sched_timer_tick(void);

/* Restart every thread of the wait queue that starts at `head` (a TCB's
 * physical address in its low 48 bits; 0 for an empty queue): each
 * re-executes its system call when it next runs (ABI 1.6a). */
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
