/* The scheduler's decisions (the ready queues themselves are in
 * ready_queue.c). The running thread is not in a ready queue; it goes back
 * in when it stops running while still runnable. */
#include <arch/arch.h>
#include <cdt.h>
#include <config.h>
#include <interrupt.h>
#include <ipc.h>
#include <thread.h>

tcb_t *ks_cur_thread;
tcb_t *ks_debug_thread_list;

bool ks_reschedule_requested;

bool thread_is_runnable(const tcb_t *thread)
{
    return thread->state == thread_running || thread->state == thread_restart;
}

void thread_set_state(tcb_t *thread, thread_state_t state)
{
    thread->state = state;
    if (!thread_is_runnable(thread)) {
        sched_dequeue(thread);
        if (thread == ks_cur_thread) {
            ks_reschedule_requested = true;
        }
    }
}

void sched_request_reschedule(void)
{
    ks_reschedule_requested = true;
}

/* Choose the next thread. The current one competes from the head of its
 * queue, so an equal-priority thread does not overtake it. */
static void choose_thread(void)
{
    if (ks_cur_thread != NULL && thread_is_runnable(ks_cur_thread)) {
        sched_enqueue(ks_cur_thread);
    }
    tcb_t *next = sched_highest_ready();
    while (next == NULL) {
        ks_cur_thread = NULL;
        arch_wait_for_interrupt();
        handle_pending_interrupts();
        next = sched_highest_ready();
    }
    sched_dequeue(next);
    ks_cur_thread = next;
}

void schedule_and_return(void)
{
    if (ks_reschedule_requested || ks_cur_thread == NULL || !thread_is_runnable(ks_cur_thread)) {
        ks_reschedule_requested = false;
        choose_thread();
    }
    tcb_t *thread = ks_cur_thread;
    if (thread->state == thread_restart) {
        thread->context.r[CTX_NEXT_IP] = thread->context.r[CTX_FAULT_IP];
        thread->state = thread_running;
    }
    arch_activate_thread(thread);
    restore_user_context(&thread->context);
}

/* Would the end of this kernel entry certainly choose `thread` (just made
 * runnable, in no ready queue)? Then make it current now, saving its trip
 * through the ready queue. It wins if no ready thread is above it (it would
 * be at the head of its queue, so it wins ties) and the current thread has
 * blocked or, when `may_preempt`, has a lower priority; a preempted current
 * thread goes to the head of its queue, as choose_thread would put it. */
static bool switch_if_chosen(tcb_t *thread, bool may_preempt)
{
    tcb_t *cur = ks_cur_thread;
    if (cur == NULL || sched_ready_above(thread->priority)) {
        return false;
    }
    if (thread_is_runnable(cur)) {
        if (!may_preempt || ks_reschedule_requested || thread->priority <= cur->priority) {
            return false;
        }
        sched_enqueue(cur);
    }
    sched_switch_to(thread);
    return true;
}

void sched_wake(tcb_t *thread, bool may_preempt)
{
    if (switch_if_chosen(thread, may_preempt)) {
        return;
    }
    sched_enqueue(thread);
    tcb_t *cur = ks_cur_thread;
    if (cur == NULL || !thread_is_runnable(cur) || thread->priority > cur->priority) {
        sched_request_reschedule();
    }
}

void sched_timer_tick(void)
{
    tcb_t *thread = ks_cur_thread;
    if (thread == NULL || !thread_is_runnable(thread)) {
        return;
    }
    if (thread->time_slice > 1) {
        thread->time_slice--;
        return;
    }
    thread->time_slice = CONFIG_TIME_SLICE;
    sched_append(thread);
    ks_reschedule_requested = true;
}

void thread_queue_restart_all(word_t head)
{
    tcb_t *thread = head ? paddr_to_ptr(head & MASK(CAP_ADDR_BITS)) : NULL;
    while (thread != NULL) {
        tcb_t *next = thread->queue_next;
        thread->queue_next = thread->queue_prev = NULL;
        thread->blocking_object = 0;
        thread_set_state(thread, thread_restart);
        sched_enqueue(thread);
        thread = next;
    }
}

void thread_suspend(tcb_t *thread)
{
    ipc_cancel(thread);
    if (thread->state == thread_running) {
        thread->context.r[CTX_FAULT_IP] = thread->context.r[CTX_NEXT_IP];
    }
    thread_set_state(thread, thread_inactive);
    sched_dequeue(thread);
}

void debug_thread_list_add(tcb_t *thread)
{
    thread->debug_prev = NULL;
    thread->debug_next = ks_debug_thread_list;
    if (ks_debug_thread_list != NULL) {
        ks_debug_thread_list->debug_prev = thread;
    }
    ks_debug_thread_list = thread;
}

void debug_thread_list_remove(tcb_t *thread)
{
    if (thread->debug_prev != NULL) {
        thread->debug_prev->debug_next = thread->debug_next;
    } else {
        ks_debug_thread_list = thread->debug_next;
    }
    if (thread->debug_next != NULL) {
        thread->debug_next->debug_prev = thread->debug_prev;
    }
}

void thread_resume(tcb_t *thread)
{
    if (thread_is_runnable(thread)) {
        return;
    }
    ipc_cancel(thread);
    cte_t *reply = tcb_slot(thread, TCB_REPLY);
    if (cap_is_null(reply->cap)) {
        cdt_insert_reply_master(cap_with_reply_master(cap_new(cap_reply, ptr_to_paddr(thread)), 1),
                                reply);
    }
    thread_set_state(thread, thread_restart);
    sched_append(thread);
    ks_reschedule_requested = true;
}

void thread_set_priority(tcb_t *thread, word_t priority)
{
    bool queued = thread->in_ready_queue;
    sched_dequeue(thread);
    thread->priority = (uint8_t)priority;
    if (queued) {
        sched_append(thread);
    }
    ks_reschedule_requested = true;
}
