/* The Call / ReplyRecv / Recv fastpath: see api/fastpath.h. Preconditions
 * (anything else goes the slow way):
 *   - the message carries no caps and is at most seL4_MsgMaxLength words
 *     long (words beyond the four message registers travel between the IPC
 *     buffers; without both buffers the message is cut to four words, as
 *     the slow path cuts it);
 *   - the thread's CSpace root resolves the CPtr at one level, to an
 *     endpoint with the right rights (Call: Send and
 *     Grant or GrantReply, so a reply cap is made; ReplyRecv: Receive);
 *   - Call: a receiver is waiting, has at least the caller's priority,
 *     belongs to the current domain and has a valid VSpace;
 *   - ReplyRecv: the caller slot holds a reply cap to a thread blocked on
 *     reply without a fault (or with a VM fault), in the current domain,
 *     with a valid VSpace; no sender is waiting; the server's bound
 *     notification, if it has one, has no badges pending; no ready thread
 *     has a higher priority than that caller;
 *   - Recv: the cap conditions of ReplyRecv, no sender waiting, no badges
 *     pending on a bound notification, an empty caller slot (the slow path
 *     would delete a reply cap left there), some thread ready in the
 *     current domain and no domain switch due. It runs the head of the
 *     highest ready queue, as the end of the slow path's entry would
 *     choose; where that thread's VSpace is not known valid, through the
 *     slow path's own switch (arch_activate_thread).
 * "A valid VSpace" is what the port can switch to without the slow path's
 * checks (arch_fastpath_vspace: a value it cached at an earlier switch and
 * still knows current; after an address space went away anywhere, the slow
 * path's switch validates again and refreshes the cache). With the
 * hardware debug API, a thread that uses the debug registers is neither left
 * nor entered here: the test of the one left (arch_debug_in_use), and no
 * valid VSpace for the one entered.
 * What every kernel entry starts with is relied on, and checked by the
 * debug kernel (entry_assumptions) once the preconditions hold, before the
 * fastpath acts (an entry handed to the slow path does not rely on it):
 * nothing was decided yet, no ready thread of the current domain outranks
 * the current thread, and a runnable thread has its master reply cap.
 * Then the slow path would make the woken partner the entry's candidate,
 * and the candidate rule (thread.c) would run it: the effects are exactly
 * those of the slow path for that case. */
#include <api/fastpath.h>
#include <api/syscall.h>
#include <arch/arch.h>
#include <cdt.h>
#include <config.h>
#include <cspace.h>
#include <domain_schedule.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/endpoint.h>
#include <object/notification.h>
#include <panic.h>
#include <tcb_queue.h>
#include <thread.h>

/* The cap a CPtr names in the common one-level CSpace; a null cap means
 * "take the slow path", which does the general lookup and reports any
 * failure. */
static ALWAYS_INLINE cap_t fast_lookup(tcb_t *thread, word_t cptr)
{
    cte_t *slot = lookup_one_level(thread, cptr);
    return slot != NULL ? slot->cap : cap_null_new();
}

/* The caller blocks on the reply; the receiver gets the one-shot reply cap
 * in its (empty) caller slot, after the caller's master reply cap. */
static ALWAYS_INLINE void fast_setup_reply(tcb_t *caller, tcb_t *receiver, bool can_grant)
{
    caller->state = thread_blocked_on_reply; /* current: in no ready queue */
    cap_t reply = cap_with_reply_can_grant(cap_new(cap_reply, ptr_to_paddr(caller)), can_grant);
    cdt_insert_reply(reply, tcb_slot(caller, TCB_REPLY), tcb_slot(receiver, TCB_CALLER));
}

static ALWAYS_INLINE bool message_is_simple(word_t info)
{
    return keel_seL4_MessageInfo_get_extraCaps(info) == 0 &&
           keel_seL4_MessageInfo_get_length(info) <= seL4_MsgMaxLength;
}

/* Copy message registers 0..n-1 (n <= TCB_FAST_MRS) and the tag (no caps,
 * none unwrapped); the badge register gets the badge. */
static ALWAYS_INLINE void copy_register_mrs(const tcb_t *from, word_t info, word_t n, word_t badge,
                                            tcb_t *to)
{
    for (word_t i = 0; i < n; i++) {
        to->context.r[ARCH_REG_MR0 + i] = from->context.r[ARCH_REG_MR0 + i];
    }
    to->context.r[ARCH_REG_MSG_INFO] =
        keel_seL4_MessageInfo_new(keel_seL4_MessageInfo_get_label(info), 0, 0, n);
    to->context.r[ARCH_REG_BADGE] = badge;
}

/* Run `thread` (in the VSpace `vspace`, from arch_fastpath_vspace) at once:
 * it is the highest-priority runnable thread, and the previous one has
 * blocked. */
static ALWAYS_INLINE NORETURN void switch_to(tcb_t *thread, word_t vspace)
{
    sched_switch_to(thread); /* nothing was decided yet in this entry */
    arch_fastpath_switch(thread, &thread->context, vspace);
}

/* A message longer than the registers: words 4..n-1 go from the sender's
 * IPC buffer to the receiver's; without both buffers the message is cut to
 * four words, as the slow path cuts it. Out of line and last, so that the
 * common case keeps no registers alive across a call. */
static NORETURN NOINLINE void deliver_long_and_switch(const tcb_t *from, tcb_t *to, word_t info,
                                                      word_t badge, word_t vspace)
{
    word_t n = keel_seL4_MessageInfo_get_length(info);
    const word_t *sbuf = tcb_ipc_buffer((tcb_t *)from, false);
    word_t *rbuf = tcb_ipc_buffer(to, true);
    if (sbuf == NULL || rbuf == NULL) {
        n = TCB_FAST_MRS;
    } else {
        for (word_t i = TCB_FAST_MRS; i < n; i++) {
            rbuf[KEEL_seL4_IPCBuffer_msg + i] = sbuf[KEEL_seL4_IPCBuffer_msg + i];
        }
    }
    copy_register_mrs(from, info, TCB_FAST_MRS, badge, to);
    to->context.r[ARCH_REG_MSG_INFO] =
        keel_seL4_MessageInfo_set_length(to->context.r[ARCH_REG_MSG_INFO], n);
    switch_to(to, vspace);
}

/* Give `to` the message `from` sent (tag `info`) and run it. */
static ALWAYS_INLINE NORETURN void deliver_and_switch(const tcb_t *from, tcb_t *to, word_t info,
                                                      word_t badge, word_t vspace)
{
    word_t n = keel_seL4_MessageInfo_get_length(info);
    if (unlikely(n > TCB_FAST_MRS)) {
        deliver_long_and_switch(from, to, info, badge, vspace);
    }
    copy_register_mrs(from, info, n, badge, to);
    switch_to(to, vspace);
}

/* Add the server to the endpoint's receivers (the endpoint is idle or
 * already has receivers). */
static ALWAYS_INLINE void enqueue_receiver(endpoint_t *ep, tcb_t *server)
{
    word_t me = ptr_to_paddr(server);
    server->queue_next = NULL;
    if (tcb_queue_state(ep->head) == ENDPOINT_IDLE) {
        server->queue_prev = NULL;
        ep->head = me | ((word_t)ENDPOINT_RECV << TCB_QUEUE_STATE_SHIFT);
    } else {
        tcb_t *tail = paddr_to_ptr(ep->tail);
        server->queue_prev = tail;
        tail->queue_next = server;
    }
    ep->tail = me;
}

/* Block the server on the endpoint `ep` it receives on through `cap` (it is
 * current: in no ready queue; no sender waits, so it joins the receivers). */
static ALWAYS_INLINE void block_receiving(tcb_t *server, endpoint_t *ep, cap_t cap)
{
    server->state = thread_blocked_on_receive;
    server->blocking_object = ptr_to_paddr(ep);
    server->blocking_flags = (cap_rights(cap) & RIGHT_GRANT) ? BLOCKED_CAN_GRANT : 0;
    enqueue_receiver(ep, server);
}

/* Can the current thread wait on this endpoint cap here: it has Receive,
 * no sender waits, its bound notification (if any) has no badges pending,
 * and it uses no debug registers? */
static ALWAYS_INLINE bool can_wait_on(const tcb_t *thread, cap_t cap)
{
    return cap_type(cap) == cap_endpoint && (cap_rights(cap) & RIGHT_READ) &&
           tcb_queue_state(((endpoint_t *)cap_object(cap))->head) != ENDPOINT_SEND &&
           !notification_bound_pending(thread) && !arch_debug_in_use(&thread->arch);
}

/* Take the head receiver off the endpoint's queue of receivers. */
static ALWAYS_INLINE void dequeue_head(endpoint_t *ep, tcb_t *head)
{
    tcb_t *next = head->queue_next;
    if (next == NULL) {
        ep->head = ep->tail = 0; /* idle */
    } else {
        next->queue_prev = NULL;
        ep->head = ptr_to_paddr(next) | ((word_t)ENDPOINT_RECV << TCB_QUEUE_STATE_SHIFT);
        head->queue_next = NULL;
    }
}

/* The receiver at the head of `ep`'s queue if it can take a message from
 * `sender` on the fastpath (it is waiting, has at least the sender's
 * priority, so it is the highest-priority runnable thread, and a valid
 * VSpace, which goes to *vspace); NULL otherwise. Its caller slot is empty:
 * receiving emptied it (an invariant, invariants.c). */
static ALWAYS_INLINE tcb_t *waiting_receiver(endpoint_t *ep, const tcb_t *sender, word_t *vspace)
{
    if (tcb_queue_state(ep->head) != ENDPOINT_RECV) {
        return NULL;
    }
    tcb_t *receiver = paddr_to_ptr(ep->head & MASK(TCB_QUEUE_STATE_SHIFT)); /* not empty */
    *vspace = arch_fastpath_vspace(&receiver->arch);
    if (receiver->priority < sender->priority || *vspace == 0) {
        return NULL;
    }
    return receiver;
}

/* Can a cap to an endpoint with these rights carry a Call (and so make a
 * reply cap)? */
static ALWAYS_INLINE bool can_call(cap_t cap)
{
    word_t rights = cap_rights(cap);
    return cap_type(cap) == cap_endpoint && (rights & RIGHT_WRITE) &&
           (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY));
}

/* Can the fastpath deliver a reply to a thread with this fault type: none
 * (it waits for a Call's reply) or a VM fault? One shift of a constant
 * (fault types are small numbers). */
static ALWAYS_INLINE bool fast_reply_fault(word_t fault)
{
    return ((BIT(seL4_Fault_NullFault) | BIT(seL4_Fault_VMFault)) >> (fault % WORD_BITS)) & 1;
}

/* May the partner run in this domain's slot? (Always with one domain.) */
static ALWAYS_INLINE bool in_current_domain(const tcb_t *thread)
{
    return CONFIG_NUM_DOMAINS == 1 || thread->domain == SCHED_CUR_DOMAIN;
}

/* What the fastpath takes for granted at every kernel entry; the debug
 * kernel checks it where the fastpath is about to act on it. */
static ALWAYS_INLINE void entry_assumptions(const tcb_t *cur)
{
    dassert(ks_sched_action == SCHED_RESUME_CURRENT);
    dassert(!sched_ready_above(cur->priority));
    dassert(!cur->in_ready_queue);
    dassert(cap_type(tcb_slot((tcb_t *)cur, TCB_REPLY)->cap) == cap_reply);
}

#if CONFIG_FASTPATH_STATS
fastpath_stats_t ks_fastpath_stats;
#endif

static NORETURN NOINLINE void slowpath(sword_t number)
{
    if (number == seL4_SysCall) {
        FASTPATH_COUNT(call_slow);
    } else {
        FASTPATH_COUNT(reply_recv_slow);
    }
    handle_syscall(number);
}

void fastpath_call(word_t cptr, word_t info)
{
    tcb_t *caller = ks_cur_thread;
    if (!message_is_simple(info) || arch_debug_in_use(&caller->arch)) {
        slowpath(seL4_SysCall);
    }
    cap_t cap = fast_lookup(caller, cptr);
    if (!can_call(cap)) {
        slowpath(seL4_SysCall);
    }
    endpoint_t *ep = cap_object(cap);
    word_t vspace;
    tcb_t *receiver = waiting_receiver(ep, caller, &vspace);
    if (receiver == NULL || !in_current_domain(receiver)) {
        slowpath(seL4_SysCall);
    }
    entry_assumptions(caller);
    dequeue_head(ep, receiver);
    bool receiver_can_grant = receiver->blocking_flags & BLOCKED_CAN_GRANT;
    receiver->blocking_object = 0;
    receiver->state = thread_running;
    fast_setup_reply(caller, receiver, receiver_can_grant);
    FASTPATH_COUNT(call_fast);
    deliver_and_switch(caller, receiver, info, cap_badge(cap), vspace);
}

void fastpath_reply_recv(word_t cptr, word_t info)
{
    tcb_t *server = ks_cur_thread;
    if (!message_is_simple(info) || arch_debug_in_use(&server->arch)) {
        slowpath(seL4_SysReplyRecv);
    }
    cap_t cap = fast_lookup(server, cptr);
    if (cap_type(cap) != cap_endpoint || !(cap_rights(cap) & RIGHT_READ)) {
        slowpath(seL4_SysReplyRecv);
    }
    endpoint_t *ep = cap_object(cap);
    /* A bound notification only matters if it has badges pending: the
     * slow path would deliver them instead of blocking on the endpoint. */
    if (tcb_queue_state(ep->head) == ENDPOINT_SEND || notification_bound_pending(server)) {
        slowpath(seL4_SysReplyRecv);
    }
    cte_t *caller_slot = tcb_slot(server, TCB_CALLER);
    cap_t reply = caller_slot->cap;
    if (cap_type(reply) != cap_reply || cap_reply_master(reply)) {
        slowpath(seL4_SysReplyRecv);
    }
    tcb_t *caller = cap_object(reply);
    word_t vspace = arch_fastpath_vspace(&caller->arch);
    word_t fault = caller->fault.type;
    if (caller->state != thread_blocked_on_reply || !fast_reply_fault(fault) || vspace == 0 ||
        !in_current_domain(caller) || sched_ready_above(caller->priority)) {
        slowpath(seL4_SysReplyRecv);
    }
    entry_assumptions(server);
    FASTPATH_COUNT(reply_recv_fast);
    block_receiving(server, ep, cap); /* then complete the reply */
    cdt_remove_reply(caller_slot);
    caller->state = thread_running;
    if (fault != 0) {
        /* The reply to a VM fault carries nothing to the faulter: whatever
         * it says, the thread re-executes the instruction (ABI 7.7). */
        caller->fault.type = 0;
        caller->context.r[ARCH_REG_NEXT_IP] = caller->context.r[ARCH_REG_FAULT_IP];
        switch_to(caller, vspace);
    }
    deliver_and_switch(server, caller, info, 0, vspace);
}

void fastpath_recv(word_t cptr)
{
    tcb_t *server = ks_cur_thread;
    /* The end of the slow path's entry would choose the head of the
     * highest ready queue; with none ready it idles, and a domain switch
     * due changes the queues: those go the slow way, tested first (a
     * server that waits for work often leaves nothing ready). */
    if (ks_ready_bitmap[SCHED_CUR_DOMAIN].top == 0 ||
        (CONFIG_NUM_DOMAINS > 1 && ks_domain_time == 0)) {
        handle_syscall(seL4_SysRecv); /* (no counter for Recv) */
    }
    cap_t cap = fast_lookup(server, cptr);
    /* A reply cap left in the caller slot would be deleted first. */
    if (!can_wait_on(server, cap) || !cap_is_null(tcb_slot(server, TCB_CALLER)->cap)) {
        handle_syscall(seL4_SysRecv); /* (no counter for Recv) */
    }
    entry_assumptions(server);
    block_receiving(server, cap_object(cap), cap);
    tcb_t *next = sched_highest_ready(); /* not NULL: a queue is non-empty */
    sched_dequeue(next);
    if (next->state == thread_restart) {
        next->context.r[ARCH_REG_NEXT_IP] = next->context.r[ARCH_REG_FAULT_IP];
        next->state = thread_running;
    }
    word_t vspace = arch_fastpath_vspace(&next->arch);
    if (vspace != 0) {
        switch_to(next, vspace);
    }
    /* A VSpace to validate again (or debug registers to load): the slow
     * path's own switch. */
    sched_switch_to(next);
    arch_activate_thread(next);
    arch_restore_user_context(&next->context);
}

void fastpath_vm_fault(tcb_t *thread)
{
    cap_t handler = fast_lookup(thread, thread->fault_handler);
    if (!CONFIG_FASTPATH || !can_call(handler) || arch_debug_in_use(&thread->arch)) {
        FASTPATH_COUNT(vm_fault_slow);
        return;
    }
    endpoint_t *ep = cap_object(handler);
    word_t vspace;
    tcb_t *receiver = waiting_receiver(ep, thread, &vspace);
    if (receiver == NULL || !in_current_domain(receiver)) {
        FASTPATH_COUNT(vm_fault_slow);
        return;
    }
    entry_assumptions(thread);
    dequeue_head(ep, receiver);
    bool receiver_can_grant = receiver->blocking_flags & BLOCKED_CAN_GRANT;
    receiver->blocking_object = 0;
    receiver->state = thread_running;
    fast_setup_reply(thread, receiver, receiver_can_grant);
    /* The VM fault message (ABI 7.4): four words, all in registers. */
    _Static_assert(seL4_VMFault_Length <= seL4_FastMessageRegisters, "VM fault in registers");
    word_t *mrs = &receiver->context.r[ARCH_REG_MR0]; /* MR0.. */
    receiver->context.r[ARCH_REG_BADGE] = cap_badge(handler);
    receiver->context.r[ARCH_REG_MSG_INFO] =
        keel_seL4_MessageInfo_new(seL4_Fault_VMFault, 0, 0, seL4_VMFault_Length);
    mrs[seL4_VMFault_IP] = thread->context.r[ARCH_REG_FAULT_IP];
    mrs[seL4_VMFault_Addr] = thread->fault.data[0];
    mrs[seL4_VMFault_PrefetchFault] = thread->fault.data[1] & 1;
    mrs[seL4_VMFault_FSR] = thread->fault.data[1] >> 1;
    FASTPATH_COUNT(vm_fault_fast);
    switch_to(receiver, vspace);
}
