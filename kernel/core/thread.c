/* The scheduler's decisions (the ready queues themselves are in
 * ready_queue.c), with seL4's non-MCS rules exactly, since the order in
 * which threads run is observable (docs/ipc.md, "Scheduling order"). The
 * running thread is not in a ready queue; it goes back in, at the head,
 * when the end of an entry chooses afresh while it is still runnable. */
#include <arch/arch.h>
#include <cdt.h>
#include <config.h>
#include <domain_schedule.h>
#include <interrupt.h>
#include <ipc.h>
#include <thread.h>

tcb_t *ks_cur_thread;
tcb_t *ks_debug_thread_list;
tcb_t *ks_sched_action;

bool thread_is_runnable(const tcb_t *thread)
{
    return thread->state == thread_running || thread->state == thread_restart;
}

/* A current thread that stops being runnable while nothing was decided in
 * this entry makes the entry choose afresh. */
void thread_set_state(tcb_t *thread, thread_state_t state)
{
    thread->state = state;
    if (!thread_is_runnable(thread)) {
        sched_dequeue(thread);
        if (thread == ks_cur_thread && ks_sched_action == SCHED_RESUME_CURRENT) {
            sched_request_reschedule();
        }
    }
}

static bool action_is_candidate(const tcb_t *action)
{
    return action != SCHED_RESUME_CURRENT && action != SCHED_CHOOSE_NEW;
}

void sched_request_reschedule(void)
{
    tcb_t *candidate = ks_sched_action;
    if (action_is_candidate(candidate) && thread_is_runnable(candidate)) {
        sched_enqueue(candidate);
    }
    ks_sched_action = SCHED_CHOOSE_NEW;
}

void sched_possible_switch_to(tcb_t *thread)
{
    if (CONFIG_NUM_DOMAINS > 1 && thread->domain != SCHED_CUR_DOMAIN) {
        sched_enqueue(thread);
    } else if (ks_sched_action != SCHED_RESUME_CURRENT) {
        sched_request_reschedule();
        sched_enqueue(thread);
    } else {
        ks_sched_action = thread;
    }
}

static void switch_to_thread(tcb_t *thread)
{
    sched_dequeue(thread);
    ks_cur_thread = thread;
}

/* Does `priority` reach the highest ready priority of the current domain? */
static bool is_highest_priority(word_t priority)
{
    return !sched_ready_above(priority);
}

/* The head of the highest ready queue of the current domain runs, or the
 * kernel idles. A domain whose time is up gives way to the next first. */
static void choose_new_thread(void)
{
    if (CONFIG_NUM_DOMAINS > 1 && ks_domain_time == 0) {
        domain_schedule_next();
    }
    tcb_t *next = sched_highest_ready();
    if (next != NULL) {
        switch_to_thread(next);
    } else {
        ks_cur_thread = NULL;
    }
}

/* A candidate wins unless it is below the current thread (or the kernel
 * was idle) without being of the highest ready priority; a candidate of
 * the current thread's priority waits behind it at the tail. */
static void consider_candidate(tcb_t *candidate, tcb_t *cur, bool cur_runnable)
{
    bool fastfail = cur == NULL || candidate->priority < cur->priority;
    if (fastfail && !is_highest_priority(candidate->priority)) {
        sched_enqueue(candidate);
        choose_new_thread();
    } else if (cur_runnable && candidate->priority == cur->priority) {
        sched_append(candidate);
        choose_new_thread();
    } else {
        switch_to_thread(candidate);
    }
}

/* A candidate below the current thread, which stays the highest ready
 * and keeps the CPU: the general path below would queue the current
 * thread at the head of its priority, queue the candidate, and take the
 * current thread back off the head. The common case of a server waking a
 * client below it (a reply by Send, a signal) ends the same way without
 * the round trip through the queues. */
static bool candidate_below_current(const tcb_t *action, const tcb_t *cur, bool cur_runnable)
{
    return cur_runnable && !cur->in_ready_queue && action != SCHED_CHOOSE_NEW &&
           thread_is_runnable(action) && action->priority < cur->priority &&
           !(CONFIG_NUM_DOMAINS > 1 && ks_domain_time == 0) && !sched_ready_above(cur->priority);
}

/* Carry out the pending decision (ks_sched_action is not
 * SCHED_RESUME_CURRENT). */
static NOINLINE void schedule(void)
{
    tcb_t *action = ks_sched_action;
    ks_sched_action = SCHED_RESUME_CURRENT;
    tcb_t *cur = ks_cur_thread;
    bool cur_runnable = cur != NULL && thread_is_runnable(cur);
    if (candidate_below_current(action, cur, cur_runnable)) {
        sched_enqueue(action);
        return;
    }
    if (cur_runnable) {
        sched_enqueue(cur);
    }
    if (action == SCHED_CHOOSE_NEW || !thread_is_runnable(action)) {
        choose_new_thread();
    } else {
        consider_candidate(action, cur, cur_runnable);
    }
}

void schedule_and_return(void)
{
    if (ks_sched_action != SCHED_RESUME_CURRENT) {
        schedule();
    }
    while (ks_cur_thread == NULL) {
        arch_wait_for_interrupt();
        handle_one_interrupt();
        if (ks_sched_action != SCHED_RESUME_CURRENT) {
            schedule();
        }
    }
    tcb_t *thread = ks_cur_thread;
    if (thread->state == thread_restart) {
        thread->context.r[ARCH_REG_NEXT_IP] = thread->context.r[ARCH_REG_FAULT_IP];
        thread->state = thread_running;
    }
    arch_activate_thread(thread);
    arch_restore_user_context(&thread->context);
}

void sched_timer_tick(void)
{
    tcb_t *thread = ks_cur_thread;
    if (thread != NULL && thread_is_runnable(thread)) {
        if (thread->time_slice > 1) {
            thread->time_slice--;
        } else {
            thread->time_slice = CONFIG_TIME_SLICE;
            sched_append(thread);
            sched_request_reschedule();
        }
    }
    if (CONFIG_NUM_DOMAINS > 1 && ks_domain_time != 0) {
        ks_domain_time--;
        if (ks_domain_time == 0) {
            sched_request_reschedule();
        }
    }
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
        thread->context.r[ARCH_REG_FAULT_IP] = thread->context.r[ARCH_REG_NEXT_IP];
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

/* The thread restarts its system call; it goes to the head of its queue
 * and is also the entry's candidate. */
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
    sched_enqueue(thread);
    sched_possible_switch_to(thread);
}

/* A runnable thread other than the current one leaves its queue and
 * becomes a candidate at its new priority; the current thread makes the
 * entry choose afresh. */
void thread_set_priority(tcb_t *thread, word_t priority)
{
    sched_dequeue(thread);
    thread->priority = (uint8_t)priority;
    if (!thread_is_runnable(thread)) {
        return;
    }
    if (thread == ks_cur_thread) {
        sched_request_reschedule();
    } else {
        sched_possible_switch_to(thread);
    }
}

/* A runnable thread goes to the head of its new domain's queue -- the
 * current one too, ahead of a candidate the reschedule then queues. */
void thread_set_domain(tcb_t *thread, word_t domain)
{
    sched_dequeue(thread);
    thread->domain = (uint8_t)domain;
    if (thread_is_runnable(thread)) {
        sched_enqueue(thread);
    }
    if (thread == ks_cur_thread) {
        sched_request_reschedule();
    }
}
