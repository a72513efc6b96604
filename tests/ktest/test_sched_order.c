/* The order in which threads made runnable then run: seL4's non-MCS rules
 * (docs/ipc.md, "Scheduling order"), each case recording the run order in
 * a log and comparing it with what the rules give.
 *
 *   (a) a wake-up by IPC or a signal nominates the woken thread as the
 *       entry's candidate; a second wake-up in the same entry puts both at
 *       the head of their queues and makes the entry choose afresh;
 *   (b) at the end of the entry a still-runnable current thread goes to
 *       the head of its queue; a candidate below it (or with the kernel
 *       idle) that is not of the highest ready priority goes to the head of
 *       its queue; a candidate of the current thread's priority goes to the
 *       tail; any other candidate runs;
 *   (c) Yield and the end of a time slice move the current thread to the
 *       tail;
 *   (d) deleting an endpoint or notification restarts its queued threads
 *       in queue order, each at the head of its queue: they run in reverse;
 *   (e) Resume puts the thread at the head and nominates it; a priority
 *       change of a runnable thread other than the current one nominates
 *       it.
 *
 * Cases where threads share the root task's priority can be reordered
 * legitimately by a time slice ending on the tick (real time under QEMU):
 * they are KT_SLICE_SENSITIVE_TEST, tried up to three times.
 *
 * The root task runs at KT_PRIO_ROOT (100). Threads that must be blocked
 * before a case starts are started at KT_PRIO_HIGH, run until they block,
 * and are then moved to the priority the case needs (a priority change of
 * a blocked thread changes no queue). */
#include "threads.h"
#include <keel/string.h>

#define LOG_MAX 64
#define ROOT_MARK 99 /* the root task's entries in the log */

static volatile int run_log[LOG_MAX];
static volatile int run_n;

/* The slot is taken atomically: a thread preempted between taking it and
 * filling it still fills its own slot, so the log keeps the order in which
 * slots were taken. */
static void log_run(int id)
{
    int at = __atomic_fetch_add(&run_n, 1, __ATOMIC_RELAXED);
    if (at < LOG_MAX) {
        run_log[at] = id;
    }
}

static void log_reset(void)
{
    run_n = 0;
}

/* The log must be exactly `want` (n entries). */
#define KT_ASSERT_LOG(...)                                                                         \
    do {                                                                                           \
        static const int kt_want_[] = { __VA_ARGS__ };                                             \
        int kt_n_ = (int)(sizeof(kt_want_) / sizeof(kt_want_[0]));                                 \
        if (run_n != kt_n_) {                                                                      \
            KT_FAIL("%d log entries, %d expected (first: %d %d %d %d)", (int)run_n, kt_n_,         \
                    run_log[0], run_log[1], run_log[2], run_log[3]);                               \
        }                                                                                          \
        for (int kt_i_ = 0; kt_i_ < kt_n_; kt_i_++) {                                              \
            if (run_log[kt_i_] != kt_want_[kt_i_]) {                                               \
                KT_FAIL("log entry %d is %d, %d expected (log: %d %d %d %d %d %d)", kt_i_,         \
                        run_log[kt_i_], kt_want_[kt_i_], run_log[0], run_log[1], run_log[2],       \
                        run_log[3], run_log[4], run_log[5]);                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Per-thread arguments: the object a thread waits on, indexed by its id. */
#define MAX_IDS 32
static seL4_CPtr wait_object[MAX_IDS];

static void log_and_stop(seL4_Word id)
{
    log_run((int)id);
}

/* Wait on (or Recv from) wait_object[id], then log. */
static void wait_then_log(seL4_Word id)
{
    seL4_Wait(wait_object[id], NULL);
    log_run((int)id);
}

/* A thread with `fn(id)`, started at KT_PRIO_HIGH so that it runs until it
 * blocks, then moved to `prio`. */
static kt_thread_t *blocked_thread(kt_thread_fn fn, int id, seL4_Word prio, seL4_CPtr fault_ep)
{
    kt_thread_t *t = kt_thread_spawn(fn, (seL4_Word)id, KT_PRIO_HIGH, fault_ep);
    if (t != NULL && seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio) != 0) {
        ktest_fail(__FILE__, __LINE__, "SetPriority of a blocked thread failed");
    }
    return t;
}

/* Let every thread at or above `prio` run until it blocks or stops: the
 * root task goes just below `prio` and comes back. */
static void let_run_down_to(seL4_Word prio)
{
    seL4_CPtr root = seL4_CapInitThreadTCB;
    seL4_TCB_SetPriority(root, root, prio - 1);
    seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT);
}

/* --- signals ------------------------------------------------------------ */

/* A signal to a higher-priority waiter runs it before the signaller's next
 * instruction. */
KT_THREAD_TEST(test_signal_higher_runs_at_once)
{
    log_reset();
    wait_object[1] = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    blocked_thread(wait_then_log, 1, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    log_run(ROOT_MARK);
    seL4_Signal(wait_object[1]);
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(ROOT_MARK, 1, ROOT_MARK);
}

/* Woken threads of the signaller's priority queue up behind the threads
 * already ready there: tail, in the order of the signals. */
KT_SLICE_SENSITIVE_TEST(test_signal_equal_goes_to_tail)
{
    log_reset();
    for (int id = 1; id <= 2; id++) {
        wait_object[id] = kt_env_object(seL4_NotificationObject, 0);
        KT_RETURN_IF_FAILED();
        blocked_thread(wait_then_log, id, KT_PRIO_ROOT, 0);
        KT_RETURN_IF_FAILED();
    }
    kt_thread_spawn(log_and_stop, 3, KT_PRIO_ROOT, 0); /* ready, queued first */
    KT_RETURN_IF_FAILED();
    seL4_Signal(wait_object[1]);
    seL4_Signal(wait_object[2]);
    log_run(ROOT_MARK);
    seL4_Yield();
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(ROOT_MARK, 3, 1, 2, ROOT_MARK);
}

/* Woken threads below the signaller go to the head of their queue, one
 * entry after the other: the last woken runs first. */
KT_THREAD_TEST(test_signal_lower_goes_to_head)
{
    log_reset();
    for (int id = 1; id <= 3; id++) {
        wait_object[id] = kt_env_object(seL4_NotificationObject, 0);
        KT_RETURN_IF_FAILED();
        blocked_thread(wait_then_log, id, KT_PRIO_LOW, 0);
        KT_RETURN_IF_FAILED();
    }
    for (int id = 1; id <= 3; id++) {
        seL4_Signal(wait_object[id]);
    }
    log_run(ROOT_MARK);
    let_run_down_to(KT_PRIO_LOW);
    KT_ASSERT_LOG(ROOT_MARK, 3, 2, 1);
}

/* --- several wake-ups in one entry --------------------------------------- */

static seL4_CPtr order_ep, order_go;

static void caller_then_log(seL4_Word id)
{
    seL4_Call(order_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    log_run((int)id);
}

static void sender_then_log(seL4_Word id)
{
    seL4_Send(order_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    log_run((int)id);
}

/* Receives the Call, waits for the go, then replies to the caller and
 * receives the waiting sender's message in one ReplyRecv. */
static void server_reply_recv(seL4_Word id)
{
    seL4_Recv(order_ep, NULL);
    seL4_Wait(order_go, NULL);
    seL4_ReplyRecv(order_ep, seL4_MessageInfo_new(0, 0, 0, 0), NULL);
    log_run((int)id);
}

/* ReplyRecv wakes the caller (the candidate) and then a waiting sender: the
 * second wake-up puts both at the head of their queue, the sender ahead,
 * and the server (still runnable, lower) waits. */
KT_THREAD_TEST(test_two_wakeups_in_one_entry)
{
    log_reset();
    order_ep = kt_env_object(seL4_EndpointObject, 0);
    order_go = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(server_reply_recv, 1, 120, 0);
    kt_thread_spawn(caller_then_log, 2, KT_PRIO_HIGH, 0);
    kt_thread_spawn(sender_then_log, 3, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(run_n, 0); /* caller and sender wait on the server */
    seL4_Signal(order_go);
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(3, 2, 1, ROOT_MARK);
}

/* A Call to a server below the caller: the server goes to the head of its
 * queue behind a ready thread of higher priority, which runs first. */
static void server_once(seL4_Word id)
{
    seL4_Recv(order_ep, NULL);
    log_run((int)id);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
}

KT_THREAD_TEST(test_call_to_lower_server)
{
    log_reset();
    order_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    blocked_thread(server_once, 1, KT_PRIO_LOW, 0);
    kt_thread_spawn(log_and_stop, 2, KT_PRIO_LOW + 20, 0); /* ready, above the server */
    KT_RETURN_IF_FAILED();
    seL4_Call(order_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(2, 1, ROOT_MARK);

    /* With nothing ready above it, the server runs at once. */
    log_reset();
    blocked_thread(server_once, 3, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    seL4_Call(order_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(3, ROOT_MARK);
}

/* --- deletion restarts queued threads in reverse --------------------------- */

/* Block on wait_object[id] (Recv), forever: after the object is deleted
 * the restarted call finds an empty slot and faults to the thread's
 * handler, whose queue then shows the order in which the threads ran. */
static void recv_forever(seL4_Word id)
{
    for (;;) {
        seL4_Recv(wait_object[id], NULL);
    }
}

static void check_deletion_order(seL4_Word object_type)
{
    log_reset();
    seL4_CPtr faults = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr object = kt_env_object(object_type, 0);
    KT_RETURN_IF_FAILED();
    for (int id = 1; id <= 4; id++) {
        wait_object[id] = object;
        seL4_CPtr handler = kt_env_mint(faults, seL4_AllRights, (seL4_Word)id);
        KT_RETURN_IF_FAILED();
        kt_thread_spawn(recv_forever, (seL4_Word)id, KT_PRIO_HIGH, handler);
        KT_RETURN_IF_FAILED();
    }
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, object, KT_DEPTH));
    /* Every restarted thread has run (they are above the root task) and
     * waits in the fault handler's queue, in the order they ran. */
    for (int i = 0; i < 4; i++) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_NBRecv(faults, &badge);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
        log_run((int)badge);
    }
    KT_ASSERT_LOG(4, 3, 2, 1);
}

KT_THREAD_TEST(test_endpoint_deletion_reverse)
{
    check_deletion_order(seL4_EndpointObject);
}

KT_THREAD_TEST(test_notification_deletion_reverse)
{
    check_deletion_order(seL4_NotificationObject);
}

/* --- Resume and priority changes ----------------------------------------- */

/* Resumed threads go to the head of their queue: at the root task's
 * priority the last resumed runs first once the root task yields; below
 * it, the same once it blocks; above it, at once. */
KT_SLICE_SENSITIVE_TEST(test_resume_puts_at_head)
{
    log_reset();
    kt_thread_t *a = kt_thread_create(log_and_stop, 1, KT_PRIO_ROOT, 0);
    kt_thread_t *b = kt_thread_create(log_and_stop, 2, KT_PRIO_ROOT, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_start(a);
    kt_thread_start(b);
    log_run(ROOT_MARK);
    seL4_Yield();
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(ROOT_MARK, 2, 1, ROOT_MARK);

    log_reset();
    kt_thread_t *c = kt_thread_create(log_and_stop, 3, KT_PRIO_LOW, 0);
    kt_thread_t *d = kt_thread_create(log_and_stop, 4, KT_PRIO_LOW, 0);
    kt_thread_t *e = kt_thread_create(log_and_stop, 5, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_start(c);
    kt_thread_start(d);
    log_run(ROOT_MARK);
    kt_thread_start(e);
    log_run(ROOT_MARK);
    let_run_down_to(KT_PRIO_LOW);
    KT_ASSERT_LOG(ROOT_MARK, 5, ROOT_MARK, 4, 3);
}

/* Raising a ready thread to the root task's priority queues it at the
 * tail; lowering a ready thread below it queues it at the head of its new
 * queue. */
KT_SLICE_SENSITIVE_TEST(test_priority_change_nominates)
{
    log_reset();
    kt_thread_t *a = kt_thread_create(log_and_stop, 1, KT_PRIO_ROOT, 0);
    kt_thread_t *b = kt_thread_create(log_and_stop, 2, KT_PRIO_ROOT, 0);
    kt_thread_t *low = kt_thread_create(log_and_stop, 3, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_start(b);
    kt_thread_start(a); /* queue: a, b */
    kt_thread_start(low);
    KT_ASSERT_OK(seL4_TCB_SetPriority(low->tcb, seL4_CapInitThreadTCB, KT_PRIO_ROOT));
    log_run(ROOT_MARK);
    seL4_Yield();
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(ROOT_MARK, 1, 2, 3, ROOT_MARK);

    log_reset();
    kt_thread_t *c = kt_thread_create(log_and_stop, 4, KT_PRIO_LOW, 0);
    kt_thread_t *d = kt_thread_create(log_and_stop, 5, KT_PRIO_ROOT, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_start(c);
    kt_thread_start(d);
    KT_ASSERT_OK(seL4_TCB_SetPriority(d->tcb, seL4_CapInitThreadTCB, KT_PRIO_LOW));
    log_run(ROOT_MARK);
    let_run_down_to(KT_PRIO_LOW);
    KT_ASSERT_LOG(ROOT_MARK, 5, 4);
}

/* --- Yield and the end of a time slice ------------------------------------ */

static volatile int last_runner;
#define TURNS 7

/* Take the next log slot while fewer than `limit` are taken. */
static bool claim_slot(int limit, int *at)
{
    int n = run_n;
    do {
        if (n >= limit) {
            return false;
        }
    } while (
        !__atomic_compare_exchange_n(&run_n, &n, n + 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    *at = n;
    return true;
}

/* Spin, logging each time this thread gets the processor back, until
 * TURNS turns are logged. */
static void spin_and_log_turns(seL4_Word id)
{
    for (;;) {
        if (last_runner != (int)id) {
            int at;
            if (!claim_slot(TURNS, &at)) {
                return;
            }
            last_runner = (int)id;
            run_log[at] = (int)id;
        }
        if (run_n >= TURNS) {
            return;
        }
    }
}

/* Three threads of equal priority that never block share the processor in
 * turns: a thread whose time slice ends goes to the tail. They were resumed
 * at the head one after the other, so the last resumed starts. The root
 * makes them above their priority: a tick while it does (QEMU's timer
 * follows the host's clock) cannot let one start early. */
KT_THREAD_TEST(test_time_slice_end_goes_to_tail)
{
    log_reset();
    last_runner = 0;
    seL4_CPtr root = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_HIGH + 1));
    for (int id = 1; id <= 3; id++) {
        kt_thread_spawn(spin_and_log_turns, (seL4_Word)id, KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
    }
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT));
    KT_ASSERT_LOG(3, 2, 1, 3, 2, 1, 3);
}

/* Yield puts the caller behind every ready thread of its priority. */
static void yield_twice_logging(seL4_Word id)
{
    log_run((int)id);
    seL4_Yield();
    log_run((int)id);
}

KT_SLICE_SENSITIVE_TEST(test_yield_goes_to_tail)
{
    log_reset();
    kt_thread_t *a = kt_thread_create(yield_twice_logging, 1, KT_PRIO_ROOT, 0);
    kt_thread_t *b = kt_thread_create(yield_twice_logging, 2, KT_PRIO_ROOT, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_start(b);
    kt_thread_start(a); /* queue: a, b */
    seL4_Yield();
    log_run(ROOT_MARK);
    seL4_Yield();
    log_run(ROOT_MARK);
    KT_ASSERT_LOG(1, 2, ROOT_MARK, 1, 2, ROOT_MARK);
}

/* --- a condition variable broadcast (sel4bench's "sync" benchmark) -------- */

#define CV_WAITERS 25
#define CV_WAITER_PRIO 200

/* A binary semaphore and a condition variable built on notifications, in
 * the manner of seL4's libsel4sync: the count says who holds the lock and
 * how many wait; the condition variable wakes one waiter per signal, and a
 * broadcast is passed on by each woken waiter. */
typedef struct cv_state {
    volatile int lock_count;
    volatile int waiters;
    volatile bool broadcasting;
    volatile bool ready;
    seL4_CPtr lock_ntfn, cv_ntfn;
} cv_state_t;

static cv_state_t cv;

static void lock_take(void)
{
    int old = __atomic_fetch_sub(&cv.lock_count, 1, __ATOMIC_ACQUIRE);
    if (old <= 0) {
        seL4_Wait(cv.lock_ntfn, NULL);
    }
}

static void lock_give(void)
{
    int now = __atomic_add_fetch(&cv.lock_count, 1, __ATOMIC_RELEASE);
    if (now <= 0) {
        seL4_Signal(cv.lock_ntfn);
    }
}

static void cv_wait(void)
{
    cv.waiters++;
    cv.broadcasting = false;
    lock_give();
    seL4_Wait(cv.cv_ntfn, NULL);
    lock_take();
    cv.waiters--;
    if (cv.broadcasting) {
        if (cv.waiters > 0) {
            seL4_Signal(cv.cv_ntfn);
        } else {
            cv.broadcasting = false;
        }
    }
}

static void cv_waiter(seL4_Word id)
{
    lock_take();
    while (!cv.ready) {
        cv_wait();
    }
    log_run((int)id);
    lock_give();
    seL4_Yield();
}

static void cv_broadcaster(seL4_Word id)
{
    (void)id;
    lock_take();
    cv.ready = true;
    if (cv.waiters > 0) {
        cv.broadcasting = true;
        seL4_Signal(cv.cv_ntfn);
    }
    lock_give();
}

/* 25 waiters at 200, resumed by a root task at their priority, and a
 * broadcaster at 199: seL4 finishes the waiters in the order 24..0 (Resume
 * queues each at the head, so the last resumed waits first). */
KT_SLICE_SENSITIVE_TEST(test_condition_variable_broadcast)
{
    log_reset();
    memset((void *)&cv, 0, sizeof(cv));
    cv.lock_count = 1;
    cv.lock_ntfn = kt_env_object(seL4_NotificationObject, 0);
    cv.cv_ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr root = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, CV_WAITER_PRIO));
    for (int id = 0; id < CV_WAITERS; id++) {
        kt_thread_spawn(cv_waiter, (seL4_Word)id, CV_WAITER_PRIO, 0);
        KT_RETURN_IF_FAILED();
    }
    kt_thread_spawn(cv_broadcaster, 0, CV_WAITER_PRIO - 1, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(run_n, 0);
    KT_ASSERT_OK(seL4_TCB_SetPriority(root, root, KT_PRIO_ROOT));
    KT_ASSERT_EQ(run_n, CV_WAITERS);
    for (int i = 0; i < CV_WAITERS; i++) {
        KT_ASSERT_EQ(run_log[i], CV_WAITERS - 1 - i);
    }
}

const ktest_case_t ktest_sched_order_cases[] = {
    { "sched_order.signal_higher_runs_at_once", test_signal_higher_runs_at_once },
    { "sched_order.signal_equal_goes_to_tail", test_signal_equal_goes_to_tail },
    { "sched_order.signal_lower_goes_to_head", test_signal_lower_goes_to_head },
    { "sched_order.two_wakeups_in_one_entry", test_two_wakeups_in_one_entry },
    { "sched_order.call_to_lower_server", test_call_to_lower_server },
    { "sched_order.endpoint_deletion_reverse", test_endpoint_deletion_reverse },
    { "sched_order.notification_deletion_reverse", test_notification_deletion_reverse },
    { "sched_order.resume_puts_at_head", test_resume_puts_at_head },
    { "sched_order.priority_change_nominates", test_priority_change_nominates },
    { "sched_order.time_slice_end_goes_to_tail", test_time_slice_end_goes_to_tail },
    { "sched_order.yield_goes_to_tail", test_yield_goes_to_tail },
    { "sched_order.condition_variable_broadcast", test_condition_variable_broadcast },
    { NULL, NULL },
};
