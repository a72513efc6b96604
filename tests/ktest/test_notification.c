/* Notifications (ABI 1.3, 1.4, 1.6a, 7.2; manual chapter "Notifications"):
 * Signal ORs badges, Wait blocks or takes the word, Poll, FIFO waiters,
 * rights, bound notifications delivered during an endpoint Recv, and the
 * cap faults of waiting where one may not. */
#include "threads.h"
#include <keel/string.h>

/* A thread's raw receive: x0..x5 preset, all of them recorded. */
static volatile seL4_Word got[8];
static volatile int got_count;

static void raw_receive(seL4_Word arg)
{
    const seL4_Word *in = (const seL4_Word *)arg;
    for (;;) {
        seL4_Word regs[8];
        for (int i = 0; i < 8; i++) {
            regs[i] = in[i];
        }
        kt_svc(regs);
        for (int i = 0; i < 8; i++) {
            got[i] = regs[i];
        }
        got_count++;
    }
}

static void set_raw(seL4_Word *r, seL4_CPtr cap, long number)
{
    seL4_Word v[8] = { cap, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, (seL4_Word)number };
    memcpy(r, v, sizeof(v));
}

/* x1..x6 as set_raw left them, x7 the number. */
static bool regs_kept(const volatile seL4_Word *r, long number)
{
    return r[1] == 0x1111 && r[2] == 0x2222 && r[3] == 0x3333 && r[4] == 0x4444 && r[5] == 0x5555 &&
           r[6] == 0x6666 && r[7] == (seL4_Word)number;
}

KT_THREAD_TEST(test_signal_poll)
{
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b1 = kt_env_mint(ntfn, seL4_AllRights, 0x1);
    seL4_CPtr b4 = kt_env_mint(ntfn, seL4_AllRights, 0x4);
    seL4_CPtr b10 = kt_env_mint(ntfn, seL4_AllRights, 0x10);
    seL4_CPtr write_only = kt_env_mint(ntfn, seL4_CanWrite, 0x100);
    seL4_CPtr high = kt_env_mint(ntfn, seL4_AllRights, 0x8000000000000000ul);
    KT_RETURN_IF_FAILED();

    /* Poll when idle: x0 = 0, nothing else changes. */
    seL4_Word r[8];
    set_raw(r, ntfn, seL4_SysNBRecv);
    kt_svc(r);
    KT_ASSERT_EQ(r[0], 0);
    KT_ASSERT(regs_kept(r, seL4_SysNBRecv));

    /* Badges accumulate by OR; Poll takes the word and clears it. */
    seL4_Signal(b1);
    seL4_Signal(b4);
    seL4_Signal(b10);
    seL4_Signal(write_only);
    seL4_Signal(b1);
    seL4_Signal(high);
    set_raw(r, ntfn, seL4_SysNBRecv);
    kt_svc(r);
    KT_ASSERT_EQ(r[0], 0x8000000000000115ul);
    KT_ASSERT(regs_kept(r, seL4_SysNBRecv));
    seL4_Word word = 0x5a;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0);

    /* Wait with a signal pending returns at once, the same way. */
    seL4_Signal(b4);
    set_raw(r, ntfn, seL4_SysRecv);
    kt_svc(r);
    KT_ASSERT_EQ(r[0], 0x4);
    KT_ASSERT(regs_kept(r, seL4_SysRecv));

    /* Signal leaves the signaller's registers alone. */
    set_raw(r, b10, seL4_SysSend);
    kt_svc(r);
    KT_ASSERT_EQ(r[0], b10);
    KT_ASSERT(regs_kept(r, seL4_SysSend));
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x10);
}

/* Call on a notification signals and replies at once; without Write it is
 * InvalidCapability 0 (ABI 1.4). */
KT_THREAD_TEST(test_call_and_rights)
{
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b2 = kt_env_mint(ntfn, seL4_AllRights, 0x2);
    seL4_CPtr read_only = kt_env_mint(ntfn, seL4_CanRead, 0x8);
    KT_RETURN_IF_FAILED();

    seL4_Word r[8] = {
        b2, seL4_MessageInfo_new(5, 0, 0, 3).words[0], 0xa, 0xb, 0xc, 0xd, 0x66, seL4_SysCall
    };
    kt_svc(r);
    KT_ASSERT_EQ(r[0], 0);
    KT_ASSERT_EQ(r[1], seL4_MessageInfo_new(0, 0, 0, 0).words[0]);
    KT_ASSERT_EQ(r[2], 0xa);
    KT_ASSERT_EQ(r[5], 0xd);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x2);

    KT_ASSERT_ERROR(seL4_Call(read_only, seL4_MessageInfo_new(0, 0, 0, 0)).words[0] >> 12,
                    seL4_InvalidCapability, 0);
    seL4_Signal(read_only);
    seL4_NBSend(read_only, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0);
}

KT_THREAD_TEST(test_wait_blocks)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b4 = kt_env_mint(ntfn, seL4_AllRights, 0x4);
    KT_RETURN_IF_FAILED();
    static seL4_Word in[8];
    set_raw(in, ntfn, seL4_SysRecv);
    kt_thread_spawn(raw_receive, (seL4_Word)in, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(got_count, 0);

    /* The waiter gets the badge in x0; x1..x5 keep their values (ABI 1.3). */
    seL4_Signal(b4);
    KT_ASSERT_EQ(got_count, 1);
    KT_ASSERT_EQ(got[0], 0x4);
    KT_ASSERT(regs_kept(got, seL4_SysRecv));
    seL4_Word word = 0x5a;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0);

    /* An unbadged signal still wakes it, with 0. */
    seL4_Signal(ntfn);
    KT_ASSERT_EQ(got_count, 2);
    KT_ASSERT_EQ(got[0], 0);
}

static volatile seL4_Word woke_word[3];
static volatile int woke_order[3], woke_n;

static void wait_once(seL4_Word arg)
{
    const seL4_Word *a = (const seL4_Word *)arg; /* notification, id */
    seL4_Word word = 0;
    seL4_Wait(a[0], &word);
    woke_word[a[1]] = word;
    woke_order[woke_n++] = (int)a[1];
}

/* Waiters are woken in the order they came (ABI 10.2: FIFO). */
KT_THREAD_TEST(test_waiters_fifo)
{
    woke_n = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b[3] = { kt_env_mint(ntfn, seL4_AllRights, 0x1),
                       kt_env_mint(ntfn, seL4_AllRights, 0x4),
                       kt_env_mint(ntfn, seL4_AllRights, 0x10) };
    KT_RETURN_IF_FAILED();
    static seL4_Word args[3][2];
    int start_order[3] = { 2, 0, 1 };
    for (int i = 0; i < 3; i++) {
        int id = start_order[i];
        args[id][0] = ntfn;
        args[id][1] = (seL4_Word)id;
        kt_thread_spawn(wait_once, (seL4_Word)args[id], KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
    }
    for (int i = 0; i < 3; i++) {
        seL4_Signal(b[i]);
        KT_ASSERT_EQ(woke_n, i + 1);
        KT_ASSERT_EQ(woke_order[i], start_order[i]);
        KT_ASSERT_EQ(woke_word[start_order[i]], 0x1ul << (2 * i));
    }
}

/* Bound notifications (ABI 1.3 table, 1.4 Recv): a signal reaches the bound
 * thread while it receives on an endpoint, x0 = the word, x1..x5 kept. */
KT_THREAD_TEST(test_bound_delivery)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b10 = kt_env_mint(ntfn, seL4_AllRights, 0x10);
    seL4_CPtr ep_badged = kt_env_mint(ep, seL4_AllRights, 0xe9);
    KT_RETURN_IF_FAILED();
    static seL4_Word in[8];
    set_raw(in, ep, seL4_SysRecv);
    kt_thread_t *t = kt_thread_create(raw_receive, (seL4_Word)in, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(t->tcb, ntfn));
    kt_thread_start(t);
    KT_ASSERT_EQ(got_count, 0);

    seL4_Signal(b10);
    KT_ASSERT_EQ(got_count, 1);
    KT_ASSERT_EQ(got[0], 0x10);
    KT_ASSERT(regs_kept(got, seL4_SysRecv));

    /* Messages on the endpoint still arrive. */
    seL4_SetMR(0, 0x77);
    seL4_Send(ep_badged, seL4_MessageInfo_new(7, 0, 0, 1));
    KT_ASSERT_EQ(got_count, 2);
    KT_ASSERT_EQ(got[0], 0xe9);
    KT_ASSERT_EQ(got[1], seL4_MessageInfo_new(7, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(got[2], 0x77);

    /* The bound thread may also wait on the notification itself. */
    KT_ASSERT_OK(seL4_TCB_UnbindNotification(t->tcb));
    static seL4_Word in2[8];
    set_raw(in2, ntfn, seL4_SysRecv);
    kt_thread_t *u = kt_thread_create(raw_receive, (seL4_Word)in2, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(u->tcb, ntfn));
    kt_thread_start(u);
    KT_ASSERT_EQ(got_count, 2);
    seL4_Signal(b10);
    KT_ASSERT_EQ(got_count, 3);
    KT_ASSERT_EQ(got[0], 0x10);
    KT_ASSERT(regs_kept(got, seL4_SysRecv));
}

/* A server with a bound notification answering calls with ReplyRecv (the
 * fastpath takes it while the notification is idle): a later signal still
 * wakes it from the endpoint; a signal pending when it calls ReplyRecv is
 * taken at once, after the reply has reached the caller. */
static volatile seL4_Word served[8];
static volatile int nserved;
static seL4_CPtr served_ep, served_self_signal;

static void bound_server(seL4_Word arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(served_ep, &badge);
    for (;;) {
        served[nserved++ % 8] = badge;
        if (seL4_MessageInfo_get_label(info) == 2) {
            seL4_Signal(served_self_signal); /* pending before the ReplyRecv */
        }
        info = seL4_ReplyRecv(served_ep, seL4_MessageInfo_new(0x42, 0, 0, 0), &badge);
    }
}

KT_THREAD_TEST(test_bound_server_replyrecv)
{
    nserved = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    served_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b10 = kt_env_mint(ntfn, seL4_AllRights, 0x10);
    served_self_signal = kt_env_mint(ntfn, seL4_AllRights, 0x20);
    seL4_CPtr client = kt_env_mint(served_ep, seL4_AllRights, 0x5e);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(bound_server, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(t->tcb, ntfn));
    kt_thread_start(t);

    seL4_MessageInfo_t reply = seL4_Call(client, seL4_MessageInfo_new(1, 0, 0, 0));
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), 0x42);
    KT_ASSERT_EQ(nserved, 1);
    seL4_Signal(b10); /* the server waits on the endpoint again */
    KT_ASSERT_EQ(nserved, 2);
    reply = seL4_Call(client, seL4_MessageInfo_new(2, 0, 0, 0));
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), 0x42);
    KT_ASSERT_EQ(nserved, 4);
    KT_ASSERT_EQ(served[0], 0x5e);
    KT_ASSERT_EQ(served[1], 0x10);
    KT_ASSERT_EQ(served[2], 0x5e);
    KT_ASSERT_EQ(served[3], 0x20);
    reply = seL4_Call(client, seL4_MessageInfo_new(1, 0, 0, 0)); /* and it still serves */
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), 0x42);
    KT_ASSERT_EQ(nserved, 5);
}

/* A signal pending before the bound thread's endpoint Recv is delivered at
 * once; after unbinding, signals wait in the notification. */
KT_THREAD_TEST(test_bound_pending_and_unbind)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b3 = kt_env_mint(ntfn, seL4_AllRights, 0x3);
    KT_RETURN_IF_FAILED();
    static seL4_Word in[8];
    set_raw(in, ep, seL4_SysRecv);
    kt_thread_t *t = kt_thread_create(raw_receive, (seL4_Word)in, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(t->tcb, ntfn));
    seL4_Signal(b3);
    kt_thread_start(t);
    KT_ASSERT_EQ(got_count, 1);
    KT_ASSERT_EQ(got[0], 0x3);
    KT_ASSERT(regs_kept(got, seL4_SysRecv));

    KT_ASSERT_OK(seL4_TCB_UnbindNotification(t->tcb));
    seL4_Signal(b3);
    KT_ASSERT_EQ(got_count, 1);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x3);
}

/* Badges pending do not stop a bind (only waiting threads or another bound
 * TCB do): the bound thread takes them at its first endpoint Recv. */
KT_THREAD_TEST(test_bind_active)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b5 = kt_env_mint(ntfn, seL4_AllRights, 0x5);
    KT_RETURN_IF_FAILED();
    static seL4_Word in[8];
    set_raw(in, ep, seL4_SysRecv);
    kt_thread_t *t = kt_thread_create(raw_receive, (seL4_Word)in, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_Signal(b5);
    KT_ASSERT_OK(seL4_TCB_BindNotification(t->tcb, ntfn));
    kt_thread_start(t);
    KT_ASSERT_EQ(got_count, 1);
    KT_ASSERT_EQ(got[0], 0x5);
}

/* Two raw receives in a row, each recorded. */
static volatile seL4_Word rec[2][8];
static volatile int nrec;

static void two_receives(seL4_Word arg)
{
    const seL4_Word *caps = (const seL4_Word *)arg; /* cap0, number0, cap1, number1 */
    for (int k = 0; k < 2; k++) {
        seL4_Word regs[8];
        set_raw(regs, caps[2 * k], (long)caps[2 * k + 1]);
        kt_svc(regs);
        for (int i = 0; i < 8; i++) {
            rec[k][i] = regs[i];
        }
        nrec++;
    }
}

static void send_once(seL4_Word cap)
{
    seL4_SetMR(0, 0x99);
    seL4_Send(cap, seL4_MessageInfo_new(0x31, 0, 0, 1));
}

/* A pending bound notification is taken before a queued sender's message;
 * a bound thread waiting on another notification is not woken by the bound
 * one, which stays pending for its next endpoint Recv (ABI 1.4). */
KT_THREAD_TEST(test_bound_before_message)
{
    nrec = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr other = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b8 = kt_env_mint(ntfn, seL4_AllRights, 0x8);
    seL4_CPtr ob = kt_env_mint(other, seL4_AllRights, 0x2);
    seL4_CPtr ep_badged = kt_env_mint(ep, seL4_AllRights, 0x5e);
    KT_RETURN_IF_FAILED();

    static seL4_Word a1[4];
    a1[0] = ep;
    a1[1] = (seL4_Word)seL4_SysRecv;
    a1[2] = ep;
    a1[3] = (seL4_Word)seL4_SysRecv;
    kt_thread_t *t = kt_thread_create(two_receives, (seL4_Word)a1, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(t->tcb, ntfn));
    seL4_Signal(b8);
    kt_thread_t *s = kt_thread_spawn(send_once, ep_badged, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!s->finished);
    kt_thread_start(t);
    KT_ASSERT_EQ(nrec, 2);
    KT_ASSERT_EQ(rec[0][0], 0x8);
    KT_ASSERT(regs_kept(rec[0], seL4_SysRecv));
    KT_ASSERT_EQ(rec[1][0], 0x5e);
    KT_ASSERT_EQ(rec[1][1], seL4_MessageInfo_new(0x31, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(rec[1][2], 0x99);
    KT_ASSERT(s->finished);
    kt_thread_destroy(t);
    kt_thread_destroy(s);

    nrec = 0;
    static seL4_Word a2[4];
    a2[0] = other;
    a2[1] = (seL4_Word)seL4_SysRecv;
    a2[2] = ep;
    a2[3] = (seL4_Word)seL4_SysRecv;
    kt_thread_t *u = kt_thread_create(two_receives, (seL4_Word)a2, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(u->tcb, ntfn));
    kt_thread_start(u);
    seL4_Signal(b8);
    KT_ASSERT_EQ(nrec, 0);
    seL4_Signal(ob);
    KT_ASSERT_EQ(nrec, 2);
    KT_ASSERT_EQ(rec[0][0], 0x2);
    KT_ASSERT_EQ(rec[1][0], 0x8);
    KT_ASSERT(regs_kept(rec[1], seL4_SysRecv));
}

/* Waiting where one may not: a cap fault in the receive phase, missing
 * capability with 0 bits left (ABI 1.4, 7.3). */
static void expect_recv_cap_fault(seL4_CPtr fault_ep, seL4_CPtr cptr, seL4_Word badge_want)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    KT_ASSERT_EQ(badge, badge_want);
    KT_ASSERT_INFO(info, seL4_Fault_CapFault, 5);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_IP), (seL4_Word)kt_svc_insn);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_Addr), cptr);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_MissingCapability);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_BitsLeft), 0);
}

KT_THREAD_TEST(test_wait_where_not_allowed)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr other = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr fault_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr handler = kt_env_mint(fault_ep, seL4_AllRights, 0x77);
    seL4_CPtr write_only = kt_env_mint(ntfn, seL4_CanWrite, 0);
    KT_RETURN_IF_FAILED();

    /* No Read right. */
    static seL4_Word in[3][8];
    set_raw(in[0], write_only, seL4_SysRecv);
    kt_thread_t *a = kt_thread_spawn(raw_receive, (seL4_Word)in[0], KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    expect_recv_cap_fault(fault_ep, write_only, 0x77);
    KT_RETURN_IF_FAILED();
    kt_thread_destroy(a);

    /* Bound to another thread: Wait and Poll both fault. */
    KT_ASSERT_OK(seL4_TCB_BindNotification(other, ntfn));
    set_raw(in[1], ntfn, seL4_SysRecv);
    kt_thread_t *b = kt_thread_spawn(raw_receive, (seL4_Word)in[1], KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    expect_recv_cap_fault(fault_ep, ntfn, 0x77);
    KT_RETURN_IF_FAILED();
    kt_thread_destroy(b);
    set_raw(in[2], ntfn, seL4_SysNBRecv);
    kt_thread_spawn(raw_receive, (seL4_Word)in[2], KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    expect_recv_cap_fault(fault_ep, ntfn, 0x77);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(got_count, 0);
}

/* Suspend cancels a wait (the signal stays pending); Resume waits again;
 * deleting the notification restarts its waiter, whose Wait then faults
 * (ABI 1.6a). */
KT_THREAD_TEST(test_waiter_suspend_and_delete)
{
    got_count = 0;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr lone = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr fault_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr b1 = kt_env_mint(ntfn, seL4_AllRights, 0x1);
    seL4_CPtr b4 = kt_env_mint(ntfn, seL4_AllRights, 0x4);
    seL4_CPtr handler = kt_env_mint(fault_ep, seL4_AllRights, 0x99);
    KT_RETURN_IF_FAILED();
    static seL4_Word in[2][8];
    set_raw(in[0], ntfn, seL4_SysRecv);
    kt_thread_t *w = kt_thread_spawn(raw_receive, (seL4_Word)in[0], KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_Suspend(w->tcb));
    seL4_Signal(b1);
    KT_ASSERT_EQ(got_count, 0);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x1);
    KT_ASSERT_OK(seL4_TCB_Resume(w->tcb));
    KT_ASSERT_EQ(got_count, 0);
    seL4_Signal(b4);
    KT_ASSERT_EQ(got_count, 1);
    KT_ASSERT_EQ(got[0], 0x4);
    kt_thread_destroy(w);

    set_raw(in[1], lone, seL4_SysRecv);
    kt_thread_spawn(raw_receive, (seL4_Word)in[1], KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    kt_delete(lone);
    expect_recv_cap_fault(fault_ep, lone, 0x99);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(got_count, 1);
    kt_kernel_self_check();
}

const ktest_case_t ktest_notification_cases[] = {
    { "ntfn.signal_poll", test_signal_poll },
    { "ntfn.call_and_rights", test_call_and_rights },
    { "ntfn.wait_blocks", test_wait_blocks },
    { "ntfn.waiters_fifo", test_waiters_fifo },
    { "ntfn.bound_delivery", test_bound_delivery },
    { "ntfn.bound_server_replyrecv", test_bound_server_replyrecv },
    { "ntfn.bound_pending_and_unbind", test_bound_pending_and_unbind },
    { "ntfn.bind_active", test_bind_active },
    { "ntfn.bound_before_message", test_bound_before_message },
    { "ntfn.wait_where_not_allowed", test_wait_where_not_allowed },
    { "ntfn.waiter_suspend_and_delete", test_waiter_suspend_and_delete },
    { NULL, NULL },
};
