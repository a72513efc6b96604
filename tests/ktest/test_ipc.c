/* Endpoint IPC between threads of the root task's address space (ABI 1.3,
 * 1.4, 1.5, 1.6a, 3): message lengths and registers, labels and badges,
 * Call and the reply capability, non-blocking operations, capability
 * transfer and unwrapping, IPC cancelled by suspend, resume, deletion and
 * CancelBadgedSends. */
#include "threads.h"
#include <keel/string.h>

#define POISON 0x9015011900000000ul
#define LABEL 0xfedcba9876543ul /* 52 bits */
#define MAX_LABEL 0xffffffffffffful

static void poison_mrs(void)
{
    for (int i = 0; i < seL4_MsgMaxLength; i++) {
        seL4_SetMR(i, POISON + (seL4_Word)i);
    }
}

static void poison_badges(void)
{
    for (int i = 0; i < seL4_MsgMaxExtraCaps; i++) {
        seL4_GetIPCBuffer()->caps_or_badges[i] = POISON + 0x100 + (seL4_Word)i;
    }
}

/* --- a receiver that records each message ------------------------------ */

static volatile seL4_Word rx_count, rx_badge, rx_info;
static seL4_Word rx_msg[seL4_MsgMaxLength];

static void record_loop(seL4_Word ep)
{
    for (;;) {
        poison_mrs();
        seL4_Word badge = POISON;
        seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
        rx_badge = badge;
        rx_info = info.words[0];
        for (int i = 0; i < seL4_MsgMaxLength; i++) {
            rx_msg[i] = seL4_GetMR(i);
        }
        rx_count++;
    }
}

static void send_tagged(seL4_Word arg)
{
    const seL4_Word *a = (const seL4_Word *)arg; /* cap, tag */
    seL4_SetMR(0, a[1]);
    seL4_Send(a[0], seL4_MessageInfo_new(0, 0, 0, 1));
}

static volatile seL4_Word raw_result[8];

static void raw_ipc(seL4_Word arg)
{
    const seL4_Word *in = (const seL4_Word *)arg;
    seL4_Word regs[8];
    for (int i = 0; i < 8; i++) {
        regs[i] = in[i];
    }
    kt_svc(regs);
    for (int i = 0; i < 8; i++) {
        raw_result[i] = regs[i];
    }
}

/* Check that msg[0..n) carries pattern `seed` and msg[n..120) is untouched. */
static void check_words(const seL4_Word *msg, seL4_Word n, seL4_Word seed, long at)
{
    for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
        seL4_Word want = i < n ? kt_pattern(seed, i) : POISON + i;
        if (msg[i] != want) {
            ktest_fail(__FILE__, __LINE__, "[%ld] MR%lu = 0x%lx, expected 0x%lx (length %lu)", at,
                       i, msg[i], want, n);
            return;
        }
    }
}

static const seL4_Word lengths[] = { 0, 1, 2, 3, 4, 5, 6, 64, 119, 120, 121, 127 };
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))

KT_THREAD_TEST(test_send_lengths)
{
    rx_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0x8000000000000001ul);
    kt_thread_spawn(record_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    for (size_t k = 0; k < NLENGTHS; k++) {
        seL4_Word n = lengths[k], want = n > seL4_MsgMaxLength ? seL4_MsgMaxLength : n;
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_SetMR((int)i, i < n ? kt_pattern(k, i) : POISON + i);
        }
        seL4_Word label = LABEL ^ k;
        seL4_Send((k & 1) ? badged : ep, seL4_MessageInfo_new(label, 0, 0, n));
        KT_ASSERT_EQ(rx_count, k + 1);
        seL4_MessageInfo_t info = { { rx_info } };
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), label);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), want);
        KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(info), 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(info), 0);
        KT_ASSERT_EQ(rx_badge, (k & 1) ? 0x8000000000000001ul : 0);
        check_words(rx_msg, want, k, (long)k);
        KT_RETURN_IF_FAILED();
    }

    /* The whole label; the sender's registers stay as they were (ABI 1.3). */
    seL4_Word regs[8] = { ep,     seL4_MessageInfo_new(MAX_LABEL, 0, 0, 2).words[0],
                          0x1234, 0x5678,
                          0x9abc, 0xdef0,
                          0x6666, seL4_SysSend };
    kt_svc(regs);
    KT_ASSERT_EQ(rx_count, NLENGTHS + 1);
    KT_ASSERT_EQ(rx_info, seL4_MessageInfo_new(MAX_LABEL, 0, 0, 2).words[0]);
    KT_ASSERT_EQ(rx_msg[0], 0x1234);
    KT_ASSERT_EQ(rx_msg[1], 0x5678);
    KT_ASSERT_EQ(rx_msg[2], POISON + 2);
    KT_ASSERT_EQ(regs[0], ep);
    KT_ASSERT_EQ(regs[1], seL4_MessageInfo_new(MAX_LABEL, 0, 0, 2).words[0]);
    KT_ASSERT_EQ(regs[2], 0x1234);
    KT_ASSERT_EQ(regs[3], 0x5678);
    KT_ASSERT_EQ(regs[4], 0x9abc);
    KT_ASSERT_EQ(regs[5], 0xdef0);
    KT_ASSERT_EQ(regs[6], 0x6666);
    KT_ASSERT_EQ(regs[7], (seL4_Word)seL4_SysSend);

    /* The tag's extraCaps and capsUnwrapped fields of the sender do not pass
     * through (no caps named: nothing to transfer). */
    seL4_Send(ep, seL4_MessageInfo_new(3, 7, 0, 1));
    KT_ASSERT_EQ(rx_info, seL4_MessageInfo_new(3, 0, 0, 1).words[0]);
}

/* Sending needs Write (else InvalidCapability 0, seen only by Call);
 * receiving needs Read (else a cap fault, ABI 1.4). */
KT_THREAD_TEST(test_endpoint_rights)
{
    rx_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr fault_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr read_only = kt_env_mint(ep, seL4_NoWrite, 0);
    seL4_CPtr write_only = kt_env_mint(ep, seL4_CapRights_new(1, 1, 0, 1), 0);
    seL4_CPtr handler = kt_env_mint(fault_ep, seL4_AllRights, 0x44);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(record_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_Send(read_only, seL4_MessageInfo_new(1, 0, 0, 0));
    seL4_NBSend(read_only, seL4_MessageInfo_new(1, 0, 0, 0));
    KT_ASSERT_EQ(rx_count, 0);
    seL4_Word regs[8] = { read_only, seL4_MessageInfo_new(1, 0, 0, 0).words[0],
                          0x22,      0x33,
                          0x44,      0x55,
                          0,         seL4_SysCall };
    kt_svc(regs);
    KT_ASSERT_EQ(rx_count, 0);
    KT_ASSERT_EQ(regs[0], 0);
    KT_ASSERT_EQ(regs[1], seL4_MessageInfo_new(seL4_InvalidCapability, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(regs[2], 0);
    seL4_Send(write_only, seL4_MessageInfo_new(2, 0, 0, 0));
    KT_ASSERT_EQ(rx_count, 1);

    static seL4_Word recv_args[8] = { 0, 0, 0, 0, 0, 0, 0, seL4_SysRecv };
    recv_args[0] = write_only;
    kt_thread_spawn(raw_ipc, (seL4_Word)recv_args, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    KT_ASSERT_EQ(badge, 0x44);
    KT_ASSERT_INFO(info, seL4_Fault_CapFault, 5);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_Addr), write_only);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_MissingCapability);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_BitsLeft), 0);
}

/* --- the root task receives from a sending thread ---------------------- */

typedef struct msg_spec {
    seL4_CPtr ep;
    seL4_Word label;
    seL4_Word length;
    seL4_Word ncaps;
    seL4_CPtr caps[3];
    bool call;
    seL4_Word seed;
} msg_spec_t;

static volatile seL4_Word call_reply_regs[8];
static volatile int call_returned;

/* Send (or Call) the message `spec` describes, MRs from its pattern. */
static void send_spec(seL4_Word arg)
{
    const msg_spec_t *m = (const msg_spec_t *)arg;
    for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
        seL4_SetMR((int)i, kt_pattern(m->seed, i));
    }
    for (seL4_Word i = 0; i < m->ncaps; i++) {
        seL4_SetCap((int)i, m->caps[i]);
    }
    seL4_Word regs[8] = { m->ep,
                          seL4_MessageInfo_new(m->label, 0, m->ncaps, m->length).words[0],
                          kt_pattern(m->seed, 0),
                          kt_pattern(m->seed, 1),
                          kt_pattern(m->seed, 2),
                          kt_pattern(m->seed, 3),
                          0,
                          m->call ? seL4_SysCall : seL4_SysSend };
    kt_svc(regs);
    for (int i = 0; i < 8; i++) {
        call_reply_regs[i] = regs[i];
    }
    call_returned = 1;
}

/* Several senders, one after the other. */
static void send_lengths_loop(seL4_Word arg)
{
    const seL4_CPtr *caps = (const seL4_CPtr *)arg;
    for (size_t k = 0; k < NLENGTHS; k++) {
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_SetMR((int)i, kt_pattern(k + 100, i));
        }
        seL4_Send(caps[k & 1], seL4_MessageInfo_new(LABEL ^ k, 0, 0, lengths[k]));
    }
}

KT_THREAD_TEST(test_recv_lengths)
{
    static seL4_CPtr caps[2];
    caps[0] = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    caps[1] = kt_env_mint(caps[0], seL4_AllRights, 0xb00);
    kt_thread_t *t = kt_thread_spawn(send_lengths_loop, (seL4_Word)caps, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    for (size_t k = 0; k < NLENGTHS; k++) {
        poison_mrs();
        seL4_Word badge = POISON;
        seL4_MessageInfo_t info = seL4_Recv(caps[0], &badge);
        seL4_Word want = lengths[k] > seL4_MsgMaxLength ? seL4_MsgMaxLength : lengths[k];
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), LABEL ^ k);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), want);
        KT_ASSERT_EQ(badge, (k & 1) ? 0xb00ul : 0);
        check_words(seL4_GetIPCBuffer()->msg, want, k + 100, (long)k);
        KT_RETURN_IF_FAILED();
    }
    KT_ASSERT(t->finished);
}

/* --- Call, ReplyRecv, Reply -------------------------------------------- */

static volatile seL4_Word server_badge, server_calls;

/* Replies with label + 1 and each word complemented in its low 16 bits. */
static void echo_server(seL4_Word ep)
{
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        seL4_Word n = seL4_MessageInfo_get_length(info);
        for (seL4_Word i = 0; i < n; i++) {
            seL4_SetMR((int)i, seL4_GetMR((int)i) ^ 0xffff);
        }
        server_badge = badge;
        server_calls++;
        info = seL4_ReplyRecv(
            ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n), &badge);
    }
}

/* The same with separate Reply and Recv system calls. */
static void echo_server_reply(seL4_Word ep)
{
    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
        seL4_Word n = seL4_MessageInfo_get_length(info);
        for (seL4_Word i = 0; i < n; i++) {
            seL4_SetMR((int)i, seL4_GetMR((int)i) ^ 0xffff);
        }
        server_badge = badge;
        server_calls++;
        seL4_Reply(seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n));
    }
}

static void check_calls(seL4_CPtr ep, seL4_CPtr badged)
{
    for (size_t k = 0; k < NLENGTHS; k++) {
        seL4_Word n = lengths[k], want = n > seL4_MsgMaxLength ? seL4_MsgMaxLength : n;
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_SetMR((int)i, kt_pattern(k, i));
        }
        seL4_MessageInfo_t reply =
            seL4_Call((k & 1) ? badged : ep, seL4_MessageInfo_new(k, 0, 0, n));
        KT_ASSERT_EQ(server_calls, k + 1);
        KT_ASSERT_EQ(server_badge, (k & 1) ? 0xca11ul : 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), k + 1);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), want);
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_Word expect = kt_pattern(k, i) ^ (i < want ? 0xffff : 0);
            if (seL4_GetMR((int)i) != expect) {
                KT_FAIL("[%zu] reply MR%lu = 0x%lx, expected 0x%lx", k, i, seL4_GetMR((int)i),
                        expect);
            }
        }
    }

    /* The reply's badge is 0, and registers for MRs beyond the reply's
     * length keep their values (ABI 1.3). */
    seL4_Word regs[8] = {
        badged, seL4_MessageInfo_new(7, 0, 0, 1).words[0], 0xa, 0xb, 0xc, 0xd, 0x6666, seL4_SysCall
    };
    kt_svc(regs);
    KT_ASSERT_EQ(regs[0], 0);
    KT_ASSERT_EQ(regs[1], seL4_MessageInfo_new(8, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(regs[2], 0xa ^ 0xffff);
    KT_ASSERT_EQ(regs[3], 0xb);
    KT_ASSERT_EQ(regs[4], 0xc);
    KT_ASSERT_EQ(regs[5], 0xd);
    KT_ASSERT_EQ(regs[6], 0x6666);
    KT_ASSERT_EQ(regs[7], (seL4_Word)seL4_SysCall);
}

KT_THREAD_TEST(test_call_replyrecv)
{
    server_calls = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0xca11);
    kt_thread_spawn(echo_server, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    check_calls(ep, badged);
}

KT_THREAD_TEST(test_call_reply)
{
    server_calls = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0xca11);
    kt_thread_spawn(echo_server_reply, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    check_calls(ep, badged);
}

/* A server at a lower priority: the caller blocks and the server runs. */
KT_THREAD_TEST(test_call_lower_priority_server)
{
    server_calls = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0xca11);
    kt_thread_spawn(echo_server, ep, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    check_calls(ep, badged);
}

/* --- non-blocking operations ------------------------------------------- */

KT_THREAD_TEST(test_nonblocking)
{
    rx_count = 0;
    call_returned = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ep2 = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr empty = kt_env_slot();
    KT_RETURN_IF_FAILED();

    /* NBRecv with nothing pending: x0 = 0, x1..x5 unchanged (ABI 1.3). */
    seL4_Word regs[8] = { ep, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, seL4_SysNBRecv };
    kt_svc(regs);
    KT_ASSERT_EQ(regs[0], 0);
    KT_ASSERT_EQ(regs[1], 0x1111);
    KT_ASSERT_EQ(regs[2], 0x2222);
    KT_ASSERT_EQ(regs[5], 0x5555);
    KT_ASSERT_EQ(regs[6], 0x6666);

    /* NBSend with no receiver is dropped, also on caps that do not resolve
     * (no fault: the root task has no handler). */
    seL4_NBSend(ep, seL4_MessageInfo_new(5, 0, 0, 0));
    seL4_NBSend(empty, seL4_MessageInfo_new(5, 0, 0, 0));
    seL4_NBSend(1ul << 40, seL4_MessageInfo_new(5, 0, 0, 0));
    seL4_Word regs2[8] = { ep, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, seL4_SysNBRecv };
    kt_svc(regs2);
    KT_ASSERT_EQ(regs2[0], 0);
    KT_ASSERT_EQ(regs2[1], 0x1111);

    /* NBSend to a waiting receiver delivers. */
    kt_thread_spawn(record_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_SetMR(0, 0x77);
    seL4_NBSend(ep, seL4_MessageInfo_new(9, 0, 0, 1));
    KT_ASSERT_EQ(rx_count, 1);
    KT_ASSERT_EQ(rx_info, seL4_MessageInfo_new(9, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(rx_msg[0], 0x77);

    /* NBRecv takes a blocked sender's message. */
    static msg_spec_t spec;
    spec = (msg_spec_t){
        .ep = kt_env_mint(ep2, seL4_AllRights, 0x5e), .label = 0x66, .length = 6, .seed = 42
    };
    kt_thread_t *s = kt_thread_spawn(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!s->finished);
    poison_mrs();
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_NBRecv(ep2, &badge);
    KT_ASSERT_EQ(badge, 0x5e);
    KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0x66, 0, 0, 6).words[0]);
    check_words(seL4_GetIPCBuffer()->msg, 6, 42, -1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(s->finished);
}

/* --- Call and ReplyRecv with every length (the fastpath's cases) -------- */

/* The server answers each Call with a message of the same length whose
 * words are the pattern of (k + 100): the reply travels by ReplyRecv. */
static void pattern_echo_server(seL4_Word ep)
{
    poison_mrs();
    seL4_Word badge = POISON;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (seL4_Word k = 0;; k++) {
        rx_badge = badge;
        rx_info = info.words[0];
        for (int i = 0; i < seL4_MsgMaxLength; i++) {
            rx_msg[i] = seL4_GetMR(i);
        }
        rx_count++;
        seL4_Word n = seL4_MessageInfo_get_length(info);
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_SetMR((int)i, i < n ? kt_pattern(k + 100, i) : POISON + i);
        }
        seL4_MessageInfo_t reply =
            seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n);
        badge = POISON;
        info = seL4_ReplyRecv(ep, reply, &badge);
    }
}

KT_THREAD_TEST(test_call_lengths)
{
    rx_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0x77);
    kt_thread_spawn(pattern_echo_server, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    for (size_t k = 0; k < NLENGTHS; k++) {
        seL4_Word n = lengths[k], want = n > seL4_MsgMaxLength ? seL4_MsgMaxLength : n;
        for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++) {
            seL4_SetMR((int)i, i < n ? kt_pattern(k, i) : POISON + i);
        }
        seL4_Word label = LABEL ^ k;
        seL4_MessageInfo_t info =
            seL4_Call((k & 1) ? badged : ep, seL4_MessageInfo_new(label, 0, 0, n));
        KT_ASSERT_EQ(rx_count, k + 1);
        KT_ASSERT_EQ(rx_info, seL4_MessageInfo_new(label, 0, 0, want).words[0]);
        KT_ASSERT_EQ(rx_badge, (k & 1) ? 0x77 : 0);
        check_words(rx_msg, want, k, (long)k);
        KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(label + 1, 0, 0, want).words[0]);
        check_words(seL4_GetIPCBuffer()->msg, want, k + 100, (long)k);
        KT_RETURN_IF_FAILED();
    }
}

/* A caller without an IPC buffer: its 10-word message arrives cut to the
 * four message registers, on the fastpath as on the slow path. */
static volatile seL4_Word nobuf_call_info;

static void call_without_buffer(seL4_Word ep)
{
    seL4_Word regs[8] = { ep,    seL4_MessageInfo_new(0x45, 0, 0, 10).words[0],
                          0x600, 0x601,
                          0x602, 0x603,
                          0,     seL4_SysCall };
    kt_svc(regs);
    nobuf_call_info = regs[1];
}

KT_THREAD_TEST(test_caller_without_buffer)
{
    rx_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(call_without_buffer, ep, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(t->tcb, 0, t->ipc_frame));
    kt_thread_start(t);
    poison_mrs();
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL); /* the low thread runs and calls */
    KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0x45, 0, 0, 4).words[0]);
    for (seL4_Word i = 0; i < 4; i++) {
        KT_ASSERT_EQ(seL4_GetMR((int)i), 0x600 + i);
    }
    for (seL4_Word i = 4; i < 10; i++) {
        KT_ASSERT_EQ(seL4_GetMR((int)i), POISON + i); /* not delivered */
    }
    /* Its reply of 10 words also arrives cut to four; raising its priority
     * lets it run to the end at once. */
    for (int i = 0; i < 10; i++) {
        seL4_SetMR(i, 0x700 + (seL4_Word)i);
    }
    seL4_Reply(seL4_MessageInfo_new(0x46, 0, 0, 10));
    KT_ASSERT_OK(seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, KT_PRIO_HIGH));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(nobuf_call_info, seL4_MessageInfo_new(0x46, 0, 0, 4).words[0]);
}

/* --- a thread without an IPC buffer (ABI 3.2) --------------------------- */

KT_THREAD_TEST(test_sender_without_buffer)
{
    call_returned = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    static msg_spec_t spec;
    spec = (msg_spec_t){
        .ep = ep, .label = 0x42, .length = 10, .ncaps = 1, .caps = { ntfn }, .seed = 7
    };
    kt_thread_t *t = kt_thread_create(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(t->tcb, 0, t->ipc_frame));
    kt_thread_start(t);
    seL4_SetCapReceivePath(KT_ROOT, slot, KT_DEPTH);
    poison_mrs();
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0x42, 0, 0, 4).words[0]);
    check_words(seL4_GetIPCBuffer()->msg, 4, 7, -1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    KT_ASSERT(t->finished);
}

static volatile seL4_Word nobuf_info;
static volatile seL4_Word nobuf_mrs[4];

static void recv_without_buffer(seL4_Word ep)
{
    seL4_Word regs[8] = { ep, 0, 1, 2, 3, 4, 0, seL4_SysRecv };
    kt_svc(regs);
    nobuf_info = regs[1];
    for (int i = 0; i < 4; i++) {
        nobuf_mrs[i] = regs[2 + i];
    }
}

KT_THREAD_TEST(test_receiver_without_buffer)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(recv_without_buffer, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(t->tcb, 0, t->ipc_frame));
    /* Its user-level buffer asks for a cap the kernel must not deliver. */
    t->ipc->receiveCNode = KT_ROOT;
    t->ipc->receiveIndex = kt_env_slot();
    t->ipc->receiveDepth = KT_DEPTH;
    kt_thread_start(t);
    for (int i = 0; i < 10; i++) {
        seL4_SetMR(i, 0x500 + (seL4_Word)i);
    }
    seL4_SetCap(0, ntfn);
    seL4_Send(ep, seL4_MessageInfo_new(0x43, 0, 1, 10));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(nobuf_info, seL4_MessageInfo_new(0x43, 0, 0, 4).words[0]);
    for (int i = 0; i < 4; i++) {
        KT_ASSERT_EQ(nobuf_mrs[i], 0x500 + (seL4_Word)i);
    }
    KT_ASSERT_TAG(t->ipc->receiveIndex, KT_TAG_NULL);
}

/* --- capability transfer (ABI 3.5) -------------------------------------- */

static kt_thread_t *transfer_sender;

/* A thread sends on `send_on` with the caps given; the root task receives
 * on `recv_on`. MRs of the root task are poisoned before. */
static seL4_MessageInfo_t transfer(seL4_CPtr send_on, seL4_CPtr recv_on, seL4_Word ncaps,
                                   seL4_CPtr c0, seL4_CPtr c1, seL4_CPtr c2)
{
    static msg_spec_t spec;
    spec = (msg_spec_t){ .ep = send_on,
                         .label = 0x1ab,
                         .length = 2,
                         .ncaps = ncaps,
                         .caps = { c0, c1, c2 },
                         .seed = 3 };
    transfer_sender = kt_thread_spawn(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    poison_mrs();
    poison_badges();
    seL4_MessageInfo_t info = { { ~0ul } };
    if (transfer_sender != NULL) {
        info = seL4_Recv(recv_on, NULL);
        if (!transfer_sender->finished) {
            ktest_fail(__FILE__, __LINE__, "the sender did not finish");
        }
        kt_thread_destroy(transfer_sender);
    }
    return info;
}

#define KT_ASSERT_CAPS(info, extra, unwrapped)                                                     \
    do {                                                                                           \
        seL4_MessageInfo_t kt_ci_ = (info);                                                        \
        KT_RETURN_IF_FAILED();                                                                     \
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(kt_ci_), 0x1ab);                                   \
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(kt_ci_), 2);                                      \
        KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(kt_ci_), (extra));                             \
        KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(kt_ci_), (unwrapped));                     \
        KT_ASSERT_EQ(seL4_GetMR(0), kt_pattern(3, 0));                                             \
        KT_ASSERT_EQ(seL4_GetMR(1), kt_pattern(3, 1));                                             \
    } while (0)

KT_THREAD_TEST(test_cap_transfer)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ep2 = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ntfn2 = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr cnode = kt_env_object(seL4_CapTableObject, 4);
    seL4_CPtr slot = kt_env_slot();
    seL4_CPtr empty = kt_env_slot();
    KT_RETURN_IF_FAILED();
    seL4_CPtr no_grant = kt_env_mint(ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    seL4_CPtr read_only = kt_env_mint(ep, seL4_CanRead, 0);
    seL4_CPtr b1 = kt_env_mint(ep, seL4_AllRights, 0x71);
    seL4_CPtr b2 = kt_env_mint(ep, seL4_AllRights, 0x72);
    seL4_CPtr ntfn_badged = kt_env_mint(ntfn, seL4_AllRights, 0x5);
    KT_RETURN_IF_FAILED();
    seL4_IPCBuffer *buf = seL4_GetIPCBuffer();

    seL4_SetCapReceivePath(KT_ROOT, slot, KT_DEPTH);
    /* One cap with Grant: it arrives in the receive slot. */
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn, 0, 0), 1, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);
    /* The receiver's rights do not matter. */
    KT_ASSERT_CAPS(transfer(ep, read_only, 1, ntfn, 0, 0), 1, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);
    /* Without Grant no cap moves. */
    KT_ASSERT_CAPS(transfer(no_grant, ep, 1, ntfn, 0, 0), 0, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    /* A cap to the endpoint itself is unwrapped: its badge is delivered. */
    KT_ASSERT_CAPS(transfer(ep, ep, 2, b1, ntfn, 0), 2, 1);
    KT_ASSERT_EQ(buf->caps_or_badges[0], 0x71);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);
    KT_ASSERT_CAPS(transfer(ep, ep, 2, ntfn, b2, 0), 2, 2);
    KT_ASSERT_EQ(buf->caps_or_badges[1], 0x72);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);
    KT_ASSERT_CAPS(transfer(ep, ep, 3, b1, b2, ep), 3, 7);
    KT_ASSERT_EQ(buf->caps_or_badges[0], 0x71);
    KT_ASSERT_EQ(buf->caps_or_badges[1], 0x72);
    KT_ASSERT_EQ(buf->caps_or_badges[2], 0);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    /* Only one cap is received per message. */
    KT_ASSERT_CAPS(transfer(ep, ep, 2, ntfn, ntfn2, 0), 1, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);
    KT_ASSERT_CAPS(transfer(ep, ep, 3, ntfn, ntfn2, b1), 1, 0);
    kt_delete(slot);
    /* A cap to another endpoint is transferred, not unwrapped. */
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ep2, 0, 0), 1, 0);
    KT_ASSERT_TAG(slot, KT_TAG_ENDPOINT);
    kt_delete(slot);
    /* An occupied receive slot stops the transfer (unwrapping goes on). */
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, slot, KT_DEPTH, KT_ROOT, ep2, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn, 0, 0), 0, 0);
    KT_ASSERT_TAG(slot, KT_TAG_ENDPOINT);
    KT_ASSERT_CAPS(transfer(ep, ep, 2, b1, ntfn, 0), 1, 1);
    KT_ASSERT_EQ(buf->caps_or_badges[0], 0x71);
    KT_ASSERT_TAG(slot, KT_TAG_ENDPOINT);
    kt_delete(slot);
    /* A cap that cannot be derived (an untyped with children) stops it. */
    KT_ASSERT_CAPS(transfer(ep, ep, 2, kt_env_untyped(), ntfn, 0), 0, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);

    /* Receive paths that do not lead to an empty slot. */
    seL4_SetCapReceivePath(empty, slot, KT_DEPTH);
    KT_ASSERT_CAPS(transfer(ep, ep, 2, b2, ntfn, 0), 1, 1);
    KT_ASSERT_EQ(buf->caps_or_badges[0], 0x72);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_SetCapReceivePath(KT_ROOT, slot, KT_DEPTH - 1);
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn, 0, 0), 0, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_SetCapReceivePath(KT_ROOT, 1ul << 40, KT_DEPTH);
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn, 0, 0), 0, 0);

    /* Into a slot of another CNode: receiveIndex and receiveDepth are
     * resolved relative to the CNode receiveCNode names. */
    seL4_SetCapReceivePath(cnode, 5, 4);
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn, 0, 0), 1, 0);
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, slot, KT_DEPTH, cnode, 5, 4));
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);

    /* The received cap is a child of the sender's, badge included. */
    seL4_SetCapReceivePath(KT_ROOT, slot, KT_DEPTH);
    KT_ASSERT_CAPS(transfer(ep, ep, 1, ntfn_badged, 0, 0), 1, 0);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    seL4_Signal(slot);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x5);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, ntfn_badged, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    kt_kernel_self_check();
}

/* --- Call and the reply capability ------------------------------------- */

static kt_thread_t *spawn_caller(msg_spec_t *spec, seL4_CPtr ep, seL4_Word seed)
{
    call_returned = 0;
    *spec = (msg_spec_t){ .ep = ep, .label = 0xc0, .length = 1, .call = true, .seed = seed };
    return kt_thread_spawn(send_spec, (seL4_Word)spec, KT_PRIO_HIGH, 0);
}

/* Receive the Call of spawn_caller's thread on `ep`. */
static bool recv_call(seL4_CPtr ep, seL4_Word seed)
{
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    if (info.words[0] != seL4_MessageInfo_new(0xc0, 0, 0, 1).words[0] ||
        seL4_GetMR(0) != kt_pattern(seed, 0)) {
        ktest_fail(__FILE__, __LINE__, "unexpected message: tag 0x%lx MR0 0x%lx", info.words[0],
                   seL4_GetMR(0));
        return false;
    }
    return true;
}

/* spawn_caller on `ep`, receive its Call and save the reply cap to it in
 * `slot` (SaveCaller): the caller, or NULL when that failed (the test has
 * failed then). */
static kt_thread_t *saved_call(msg_spec_t *spec, seL4_CPtr ep, seL4_Word seed, seL4_CPtr slot)
{
    kt_thread_t *t = spawn_caller(spec, ep, seed);
    if (ktest_failed() || !recv_call(ep, seed)) {
        return NULL;
    }
    seL4_Error e = seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH);
    if (e != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "SaveCaller: error %d", e);
        return NULL;
    }
    return t;
}

KT_THREAD_TEST(test_call_rights)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    seL4_CPtr plain = kt_env_mint(ep, seL4_ReadWrite, 0);
    seL4_CPtr grant_reply = kt_env_mint(ep, seL4_CapRights_new(1, 0, 0, 1), 0);
    seL4_CPtr grant = kt_env_mint(ep, seL4_CapRights_new(0, 1, 0, 1), 0);
    KT_RETURN_IF_FAILED();

    /* Without Grant or GrantReply: no reply cap, the caller is left
     * inactive once its message is taken. */
    kt_thread_t *t = spawn_caller(&spec, plain, 1);
    KT_RETURN_IF_FAILED();
    if (!recv_call(ep, 1)) {
        return;
    }
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
    /* Resumed, it repeats the Call. */
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    if (!recv_call(ep, 1)) {
        return;
    }
    KT_ASSERT_EQ(call_returned, 0);
    kt_thread_destroy(t);

    /* GrantReply or Grant alone suffice. */
    seL4_CPtr caps[2] = { grant_reply, grant };
    for (int i = 0; i < 2; i++) {
        t = spawn_caller(&spec, caps[i], 2);
        KT_RETURN_IF_FAILED();
        if (!recv_call(ep, 2)) {
            return;
        }
        KT_ASSERT_OK_AT(i, seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
        KT_ASSERT_TAG(slot, KT_TAG_REPLY);
        seL4_SetMR(0, 0xabc);
        seL4_Send(slot, seL4_MessageInfo_new(0x5, 0, 0, 1));
        KT_ASSERT_EQ(call_returned, 1);
        KT_ASSERT_EQ(call_reply_regs[1], seL4_MessageInfo_new(0x5, 0, 0, 1).words[0]);
        KT_ASSERT_EQ(call_reply_regs[2], 0xabc);
        KT_ASSERT_TAG(slot, KT_TAG_NULL);
        kt_thread_destroy(t);
    }
}

KT_THREAD_TEST(test_saved_reply_cap)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    seL4_CPtr slot2 = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = saved_call(&spec, ep, 3, slot);
    if (t == NULL) {
        return;
    }
    KT_ASSERT_TAG(slot, KT_TAG_REPLY);
    /* The caller slot is empty now: saving again saves nothing, Reply is a
     * no-op; an occupied destination is refused. */
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot2, KT_DEPTH));
    KT_ASSERT_TAG(slot2, KT_TAG_NULL);
    KT_ASSERT_ERROR(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH), seL4_DeleteFirst);
    seL4_Word regs[8] = {
        0x99, seL4_MessageInfo_new(9, 0, 0, 1).words[0], 0x21, 0x22, 0x23, 0x24, 0x66, seL4_SysReply
    };
    kt_svc(regs);
    KT_ASSERT_EQ(call_returned, 0);
    KT_ASSERT_EQ(regs[0], 0x99);
    KT_ASSERT_EQ(regs[1], seL4_MessageInfo_new(9, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(regs[2], 0x21);
    KT_ASSERT_EQ(regs[5], 0x24);

    /* The saved cap replies once (badge 0), then is gone. */
    for (int i = 0; i < 6; i++) {
        seL4_SetMR(i, 0xf0 + (seL4_Word)i);
    }
    seL4_Send(slot, seL4_MessageInfo_new(0x33, 0, 0, 6));
    KT_ASSERT_EQ(call_returned, 1);
    KT_ASSERT_EQ(call_reply_regs[0], 0);
    KT_ASSERT_EQ(call_reply_regs[1], seL4_MessageInfo_new(0x33, 0, 0, 6).words[0]);
    KT_ASSERT_EQ(call_reply_regs[2], 0xf0);
    KT_ASSERT_EQ(call_reply_regs[5], 0xf3);
    KT_ASSERT_EQ(t->ipc->msg[4], 0xf4);
    KT_ASSERT_EQ(t->ipc->msg[5], 0xf5);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

/* A saved reply cap stays its caller's master reply cap's child when it is
 * moved or swapped (cdt.h: the master heads a list of its own): it still
 * replies from its new slot, and the kernel's invariants hold throughout. */
KT_THREAD_TEST(test_saved_reply_cap_moves)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr a = kt_env_slot(), b = kt_env_slot(), c = kt_env_slot();
    KT_RETURN_IF_FAILED();
    if (saved_call(&spec, ep, 4, a) == NULL) {
        return;
    }
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, b, KT_DEPTH, KT_ROOT, a, KT_DEPTH));
    KT_ASSERT_TAG(a, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c, KT_DEPTH, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH,
                                 seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Rotate(KT_ROOT, a, KT_DEPTH, 0, KT_ROOT, b, KT_DEPTH, 0, KT_ROOT, c,
                                   KT_DEPTH)); /* b -> a, c -> b */
    KT_ASSERT_TAG(a, KT_TAG_REPLY);
    KT_ASSERT_TAG(b, KT_TAG_TCB);
    kt_kernel_self_check();
    KT_ASSERT_EQ(call_returned, 0);
    seL4_Send(a, seL4_MessageInfo_new(0x44, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 1);
    KT_ASSERT_TAG(a, KT_TAG_NULL);
    kt_kernel_self_check();
    /* Deleted instead of used: the caller keeps waiting, the master is
     * childless again. */
    kt_thread_t *t = saved_call(&spec, ep, 5, a);
    if (t == NULL) {
        return;
    }
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, a, KT_DEPTH));
    kt_kernel_self_check();
    KT_ASSERT_EQ(call_returned, 0);
    KT_ASSERT(!t->finished);
    kt_delete(b);
}

/* A reply cap dies with its caller's waiting: suspend or delete the caller
 * and the reply does nothing (ABI 1.6a; manual: "the kernel would
 * immediately destroy the reply capability"). */
KT_THREAD_TEST(test_reply_after_caller_gone)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();

    /* Suspended, reply through the caller slot. */
    kt_thread_t *t = spawn_caller(&spec, ep, 4);
    KT_RETURN_IF_FAILED();
    if (!recv_call(ep, 4)) {
        return;
    }
    KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    /* Resumed while waiting for its reply: it repeats the Call (its pc is
     * its svc, ABI 1.5), this time answered. */
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    if (!recv_call(ep, 4)) {
        return;
    }
    seL4_Reply(seL4_MessageInfo_new(2, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 1);
    KT_ASSERT_EQ(call_reply_regs[1], seL4_MessageInfo_new(2, 0, 0, 0).words[0]);
    kt_thread_destroy(t);

    /* Suspended, saved reply cap. */
    t = saved_call(&spec, ep, 5, slot);
    if (t == NULL) {
        return;
    }
    KT_ASSERT_TAG(slot, KT_TAG_REPLY);
    KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_Send(slot, seL4_MessageInfo_new(3, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
    kt_thread_destroy(t);

    /* Deleted, saved reply cap. */
    t = saved_call(&spec, ep, 6, slot);
    if (t == NULL) {
        return;
    }
    kt_thread_destroy(t);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_Send(slot, seL4_MessageInfo_new(3, 0, 0, 0));

    /* Deleted, reply through the caller slot. */
    t = spawn_caller(&spec, ep, 7);
    KT_RETURN_IF_FAILED();
    if (!recv_call(ep, 7)) {
        return;
    }
    kt_thread_destroy(t);
    seL4_Reply(seL4_MessageInfo_new(4, 0, 0, 0));
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    kt_kernel_self_check();
}

/* A receive on an endpoint drops the reply cap the receiver still holds
 * (ABI 1.4): the earlier caller stays blocked with nobody to answer it. */
KT_THREAD_TEST(test_recv_drops_unanswered_caller)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr other = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    spawn_caller(&spec, ep, 8);
    KT_RETURN_IF_FAILED();
    if (!recv_call(ep, 8)) {
        return;
    }
    seL4_NBRecv(other, NULL);
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
}

/* A blocking Recv with nothing waiting on the endpoint runs the head of
 * the highest ready queue (the Recv fastpath, docs/ipc.md): here a thread
 * below the root task, whose Send then wakes it with the message and the
 * badge of the cap it sent on. */
KT_THREAD_TEST(test_recv_runs_next_ready)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0x5a);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[2];
    args[0] = badged;
    args[1] = 0x1234;
    kt_thread_t *t = kt_thread_spawn(send_tagged, (seL4_Word)args, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    seL4_Word badge = POISON;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0, 0, 0, 1).words[0]);
    KT_ASSERT_EQ(badge, 0x5a);
    KT_ASSERT_EQ(seL4_GetMR(0), 0x1234);
    kt_thread_destroy(t);
    kt_kernel_self_check();
}

/* The same with a reply cap still in the receiver's caller slot: a
 * blocking Recv drops it first (ABI 1.4), as NBRecv does above. */
KT_THREAD_TEST(test_blocking_recv_drops_unanswered_caller)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr other = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *caller = spawn_caller(&spec, ep, 9);
    KT_RETURN_IF_FAILED();
    if (!recv_call(ep, 9)) {
        return;
    }
    static seL4_Word args[2];
    args[0] = other;
    args[1] = 0x77;
    kt_thread_t *sender = kt_thread_spawn(send_tagged, (seL4_Word)args, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    seL4_Recv(other, NULL);
    KT_ASSERT_EQ(seL4_GetMR(0), 0x77);
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
    kt_thread_destroy(sender);
    kt_thread_destroy(caller);
    kt_kernel_self_check();
}

/* The reply cap carries Grant iff the receiver's endpoint cap had Grant;
 * only then can the reply transfer a cap (ABI 3.5). */
static volatile seL4_Word grant_reply_info;

static void call_with_receive_slot(seL4_Word arg)
{
    const seL4_Word *a = (const seL4_Word *)arg; /* ep, receive slot */
    seL4_SetCapReceivePath(KT_ROOT, a[1], KT_DEPTH);
    seL4_MessageInfo_t info = seL4_Call(a[0], seL4_MessageInfo_new(0x9, 0, 0, 0));
    grant_reply_info = info.words[0];
}

KT_THREAD_TEST(test_reply_grant)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    seL4_CPtr recv_no_grant = kt_env_mint(ep, seL4_CanRead, 0);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[2];
    args[0] = ep;
    args[1] = slot;
    seL4_CPtr recv_caps[2] = { ep, recv_no_grant };
    for (int i = 0; i < 2; i++) {
        grant_reply_info = ~0ul;
        kt_thread_t *t = kt_thread_spawn(call_with_receive_slot, (seL4_Word)args, KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
        seL4_Recv(recv_caps[i], NULL);
        seL4_SetCap(0, ntfn);
        seL4_Reply(seL4_MessageInfo_new(0x10, 0, 1, 0));
        KT_ASSERT(t->finished);
        KT_ASSERT_EQ(grant_reply_info, seL4_MessageInfo_new(0x10, 0, i == 0 ? 1 : 0, 0).words[0]);
        KT_ASSERT_TAG(slot, i == 0 ? KT_TAG_NOTIFICATION : KT_TAG_NULL);
        kt_delete(slot);
        kt_thread_destroy(t);
    }
}

/* Deleting a reply cap leaves its caller waiting until it is resumed
 * (ABI 1.6a); resumed, it repeats its Call. */
KT_THREAD_TEST(test_deleted_reply_cap)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = saved_call(&spec, ep, 11, slot);
    if (t == NULL) {
        return;
    }
    kt_delete(slot);
    KT_ASSERT_EQ(call_returned, 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 0);
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    if (!recv_call(ep, 11)) {
        return;
    }
    seL4_Reply(seL4_MessageInfo_new(0x12, 0, 0, 0));
    KT_ASSERT_EQ(call_returned, 1);
    KT_ASSERT_EQ(call_reply_regs[1], seL4_MessageInfo_new(0x12, 0, 0, 0).words[0]);
}

/* A buffer frame cap without Write: enough to send from, not to receive
 * into (ABI 3.2). */
static volatile seL4_Word ro_info;
static volatile seL4_Word ro_mr[6];

static void recv_record_mrs(seL4_Word ep)
{
    seL4_SetCapReceivePath(KT_ROOT, seL4_GetIPCBuffer()->receiveIndex, KT_DEPTH);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    ro_info = info.words[0];
    for (int i = 0; i < 6; i++) {
        ro_mr[i] = seL4_GetMR(i);
    }
}

KT_THREAD_TEST(test_read_only_buffer)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();

    /* Sending: all 6 words. */
    static msg_spec_t spec;
    spec = (msg_spec_t){ .ep = ep, .label = 0x61, .length = 6, .seed = 61 };
    kt_thread_t *s = kt_thread_create(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr ro = kt_env_mint(s->ipc_frame, seL4_CanRead, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(s->tcb, (seL4_Word)s->ipc, ro));
    kt_thread_start(s);
    poison_mrs();
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0x61, 0, 0, 6).words[0]);
    check_words(seL4_GetIPCBuffer()->msg, 6, 61, -1);
    KT_RETURN_IF_FAILED();

    /* Receiving: four words and no cap. */
    kt_thread_t *r = kt_thread_create(recv_record_mrs, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    r->ipc->receiveIndex = slot;
    seL4_CPtr ro2 = kt_env_mint(r->ipc_frame, seL4_CanRead, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(r->tcb, (seL4_Word)r->ipc, ro2));
    for (int i = 0; i < 6; i++) {
        r->ipc->msg[i] = 0xeeee;
    }
    kt_thread_start(r);
    for (int i = 0; i < 6; i++) {
        seL4_SetMR(i, 0x600 + (seL4_Word)i);
    }
    seL4_SetCap(0, ntfn);
    seL4_Send(ep, seL4_MessageInfo_new(0x62, 0, 1, 6));
    KT_ASSERT(r->finished);
    KT_ASSERT_EQ(ro_info, seL4_MessageInfo_new(0x62, 0, 0, 4).words[0]);
    for (int i = 0; i < 4; i++) {
        KT_ASSERT_EQ(ro_mr[i], 0x600 + (seL4_Word)i);
    }
    KT_ASSERT_EQ(ro_mr[4], 0xeeee);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

/* An extra cap that no longer resolves when a blocked sender's message is
 * finally taken: no caps at all are transferred, not even an unwrapped one
 * before it (ABI 3.5). The sender's CSpace is replaced while it waits. */
KT_THREAD_TEST(test_extra_cap_gone_at_transfer)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr cnode = kt_env_object(seL4_CapTableObject, 4);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0x3b);
    KT_RETURN_IF_FAILED();
    /* cptr 3: the root VSpace in the root CNode, a badged cap to ep in the
     * new one; the notification's cptr (>= 16) resolves only in the root. */
    KT_ASSERT_OK(seL4_CNode_Copy(cnode, 3, 4, KT_ROOT, badged, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Copy(cnode, 4, 4, KT_ROOT, ep, KT_DEPTH, seL4_AllRights));
    KT_ASSERT(ntfn >= 16);

    static msg_spec_t spec;
    spec = (msg_spec_t){
        .ep = ep, .label = 0x1ab, .length = 2, .ncaps = 2, .caps = { 3, ntfn }, .seed = 3
    };
    kt_thread_t *t = kt_thread_spawn(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!t->finished);
    KT_ASSERT_OK(seL4_TCB_SetSpace(t->tcb, 0, cnode, seL4_CNode_CapData_new(0, 60).words[0],
                                   seL4_CapInitThreadVSpace, 0));
    seL4_SetCapReceivePath(KT_ROOT, slot, KT_DEPTH);
    poison_badges();
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), 0x1ab);
    KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(info), 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(info), 0);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);

    /* The same message with both cptrs valid in the new CSpace, for
     * comparison: one unwrapped cap, one transferred. */
    kt_thread_destroy(t);
    KT_ASSERT_OK(seL4_CNode_Copy(cnode, 5, 4, KT_ROOT, ntfn, KT_DEPTH, seL4_AllRights));
    spec.caps[1] = 5;
    t = kt_thread_create(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetSpace(t->tcb, 0, cnode, seL4_CNode_CapData_new(0, 60).words[0],
                                   seL4_CapInitThreadVSpace, 0));
    spec.ep = 4;
    kt_thread_start(t);
    info = seL4_Recv(ep, NULL);
    KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(info), 2);
    KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(info), 1);
    KT_ASSERT_EQ(seL4_GetIPCBuffer()->caps_or_badges[0], 0x3b);
    KT_ASSERT_TAG(slot, KT_TAG_NOTIFICATION);
    kt_delete(slot);

    /* A cap deleted while the sender waits still resolves (to an empty
     * slot, ABI 1.7): the transfer stops there, after the unwrapped one. */
    kt_thread_destroy(t);
    t = kt_thread_create(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetSpace(t->tcb, 0, cnode, seL4_CNode_CapData_new(0, 60).words[0],
                                   seL4_CapInitThreadVSpace, 0));
    kt_thread_start(t);
    KT_ASSERT_OK(seL4_CNode_Delete(cnode, 5, 4));
    info = seL4_Recv(ep, NULL);
    KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(info), 1);
    KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(info), 1);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

/* Deleting a thread queued on an endpoint takes it off the queue. */
KT_THREAD_TEST(test_delete_queued_thread)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[3][2];
    kt_thread_t *t[3];
    for (int i = 0; i < 3; i++) {
        args[i][0] = ep;
        args[i][1] = 'A' + (seL4_Word)i;
        t[i] = kt_thread_spawn(send_tagged, (seL4_Word)args[i], KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
    }
    kt_thread_destroy(t[1]);
    kt_thread_destroy(t[0]);
    kt_kernel_self_check();
    seL4_Word badge;
    seL4_NBRecv(ep, &badge);
    KT_ASSERT_EQ(seL4_GetMR(0), 'C');
    KT_ASSERT(t[2]->finished);
    seL4_Word regs[8] = { ep, 0x1111, 0, 0, 0, 0, 0, seL4_SysNBRecv };
    kt_svc(regs);
    KT_ASSERT_EQ(regs[1], 0x1111);

    /* And a queued receiver. */
    rx_count = 0;
    kt_thread_t *r1 = kt_thread_spawn(record_loop, ep, KT_PRIO_HIGH, 0);
    kt_thread_t *r2 = kt_thread_spawn(record_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    (void)r2;
    kt_thread_destroy(r1);
    seL4_Send(ep, seL4_MessageInfo_new(0x44, 0, 0, 0));
    KT_ASSERT_EQ(rx_count, 1);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(keel_info(rx_info)), 0x44);
    kt_kernel_self_check();
}

/* --- IPC cancelled by Suspend and Resume -------------------------------- */

KT_THREAD_TEST(test_suspend_resume_blocked_sender)
{
    static msg_spec_t spec;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr badged = kt_env_mint(ep, seL4_AllRights, 0x5e);
    KT_RETURN_IF_FAILED();

    for (int call = 0; call < 2; call++) {
        call_returned = 0;
        spec = (msg_spec_t){ .ep = badged, .label = 0x10, .length = 1, .call = call, .seed = 9 };
        kt_thread_t *t = kt_thread_spawn(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
        KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
        seL4_Word regs[8] = { ep, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, seL4_SysNBRecv };
        kt_svc(regs);
        KT_ASSERT_EQ(regs[0], 0);
        KT_ASSERT_EQ(regs[1], 0x1111);
        KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
        KT_ASSERT_EQ(badge, 0x5e);
        KT_ASSERT_EQ(info.words[0], seL4_MessageInfo_new(0x10, 0, 0, 1).words[0]);
        KT_ASSERT_EQ(seL4_GetMR(0), kt_pattern(9, 0));
        if (call) {
            KT_ASSERT_EQ(call_returned, 0);
            seL4_Reply(seL4_MessageInfo_new(0x11, 0, 0, 0));
        }
        KT_ASSERT_EQ(call_returned, 1);
        KT_ASSERT(t->finished);
        kt_thread_destroy(t);
    }
}

/* --- deleting an endpoint with waiting threads (ABI 1.6a) --------------- */

KT_THREAD_TEST(test_delete_endpoint_restarts_waiters)
{
    seL4_CPtr fault_ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr e1 = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr e2 = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr handler = kt_env_mint(fault_ep, seL4_AllRights, 0xfa);
    KT_RETURN_IF_FAILED();

    /* A sender and a caller blocked on e1. */
    static seL4_Word send_in[8], recv_in[8];
    seL4_Word s[8] = { e1, seL4_MessageInfo_new(1, 0, 0, 0).words[0], 0, 0, 0, 0, 0, seL4_SysSend };
    seL4_Word r[8] = { e2, 0, 0, 0, 0, 0, 0, seL4_SysRecv };
    memcpy(send_in, s, sizeof(s));
    memcpy(recv_in, r, sizeof(r));
    kt_thread_t *sender = kt_thread_spawn(raw_ipc, (seL4_Word)send_in, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    static msg_spec_t spec;
    spec = (msg_spec_t){ .ep = e1, .label = 2, .length = 0, .call = true };
    call_returned = 0;
    kt_thread_t *caller = kt_thread_spawn(send_spec, (seL4_Word)&spec, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!sender->finished);
    KT_ASSERT(!caller->finished);

    /* Deleting e1's only cap restarts both: their Send and Call now name an
     * empty slot, an error (InvalidCapability) that Send discards and Call
     * returns (ABI 1.4). No fault. */
    kt_delete(e1);
    KT_ASSERT(sender->finished);
    KT_ASSERT_EQ(raw_result[0], e1);
    KT_ASSERT(caller->finished);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(keel_info(call_reply_regs[1])), seL4_InvalidCapability);
    KT_ASSERT_EQ(call_reply_regs[2], 0);
    seL4_Word badge = 0x1234;
    seL4_NBRecv(fault_ep, &badge);
    KT_ASSERT_EQ(badge, 0);

    /* A receiver blocked on e2 repeats its Recv on the empty slot: a cap
     * fault in the receive phase, missing capability (ABI 7.3). */
    kt_thread_t *receiver = kt_thread_spawn(raw_ipc, (seL4_Word)recv_in, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!receiver->finished);
    kt_delete(e2);
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    KT_ASSERT_EQ(badge, 0xfa);
    KT_ASSERT_INFO(info, seL4_Fault_CapFault, 5);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_IP), (seL4_Word)kt_svc_insn);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_Addr), e2);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_MissingCapability);
    KT_ASSERT_EQ(seL4_GetMR(seL4_CapFault_BitsLeft), 0);
    KT_ASSERT(!receiver->finished);
    kt_kernel_self_check();
}

/* --- CancelBadgedSends --------------------------------------------------- */

KT_THREAD_TEST(test_cancel_badged_sends)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr moved = kt_env_slot();
    seL4_CPtr moved2 = kt_env_slot();
    KT_RETURN_IF_FAILED();
    seL4_CPtr one = kt_env_mint(ep, seL4_AllRights, 1);
    seL4_CPtr two = kt_env_mint(ep, seL4_AllRights, 2);
    seL4_CPtr one_rw = kt_env_mint(ep, seL4_ReadWrite, 1);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[3][2];
    args[0][0] = one;
    args[0][1] = 'A';
    args[1][0] = two;
    args[1][1] = 'B';
    args[2][0] = one;
    args[2][1] = 'C';
    kt_thread_t *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = kt_thread_spawn(send_tagged, (seL4_Word)args[i], KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
    }

    /* Errors: all four rights needed, endpoints only. */
    KT_ASSERT_ERROR(seL4_CNode_CancelBadgedSends(KT_ROOT, one_rw, KT_DEPTH), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_CNode_CancelBadgedSends(KT_ROOT, ntfn, KT_DEPTH), seL4_IllegalOperation);
    /* Badge 0: nothing to do. */
    KT_ASSERT_OK(seL4_CNode_CancelBadgedSends(KT_ROOT, ep, KT_DEPTH));

    /* New caps in the slots the senders named, badge 3 for 1 and 4 for 2:
     * restarted senders send again with the new badge, a sender left
     * queued keeps the badge it sent with. */
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, moved, KT_DEPTH, KT_ROOT, one, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, one, KT_DEPTH, KT_ROOT, ep, KT_DEPTH, seL4_AllRights, 3));
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, moved2, KT_DEPTH, KT_ROOT, two, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, two, KT_DEPTH, KT_ROOT, ep, KT_DEPTH, seL4_AllRights, 4));
    KT_ASSERT_OK(seL4_CNode_CancelBadgedSends(KT_ROOT, moved, KT_DEPTH));

    int seen = 0;
    for (int i = 0; i < 3; i++) {
        seL4_Word badge = 0;
        seL4_NBRecv(ep, &badge);
        seL4_Word who = seL4_GetMR(0);
        if (who == 'B') {
            KT_ASSERT_EQ(badge, 2);
            seen |= 1;
        } else if (who == 'A' || who == 'C') {
            KT_ASSERT_EQ(badge, 3);
            seen |= who == 'A' ? 2 : 4;
        } else {
            KT_FAIL("message %d from nobody (MR0 0x%lx, badge 0x%lx)", i, who, badge);
        }
    }
    KT_ASSERT_EQ(seen, 7);
    for (int i = 0; i < 3; i++) {
        KT_ASSERT(t[i]->finished);
    }
}

const ktest_case_t ktest_ipc_cases[] = {
    { "ipc.send_lengths", test_send_lengths },
    { "ipc.endpoint_rights", test_endpoint_rights },
    { "ipc.recv_lengths", test_recv_lengths },
    { "ipc.call_replyrecv", test_call_replyrecv },
    { "ipc.call_reply", test_call_reply },
    { "ipc.call_lower_priority_server", test_call_lower_priority_server },
    { "ipc.nonblocking", test_nonblocking },
    { "ipc.call_lengths", test_call_lengths },
    { "ipc.caller_without_buffer", test_caller_without_buffer },
    { "ipc.sender_without_buffer", test_sender_without_buffer },
    { "ipc.receiver_without_buffer", test_receiver_without_buffer },
    { "ipc.cap_transfer", test_cap_transfer },
    { "ipc.call_rights", test_call_rights },
    { "ipc.saved_reply_cap", test_saved_reply_cap },
    { "ipc.saved_reply_cap_moves", test_saved_reply_cap_moves },
    { "ipc.reply_after_caller_gone", test_reply_after_caller_gone },
    { "ipc.recv_drops_unanswered_caller", test_recv_drops_unanswered_caller },
    { "ipc.recv_runs_next_ready", test_recv_runs_next_ready },
    { "ipc.blocking_recv_drops_unanswered_caller", test_blocking_recv_drops_unanswered_caller },
    { "ipc.reply_grant", test_reply_grant },
    { "ipc.delete_queued_thread", test_delete_queued_thread },
    { "ipc.deleted_reply_cap", test_deleted_reply_cap },
    { "ipc.read_only_buffer", test_read_only_buffer },
    { "ipc.extra_cap_gone_at_transfer", test_extra_cap_gone_at_transfer },
    { "ipc.suspend_resume_blocked_sender", test_suspend_resume_blocked_sender },
    { "ipc.delete_endpoint_restarts_waiters", test_delete_endpoint_restarts_waiters },
    { "ipc.cancel_badged_sends", test_cancel_badged_sends },
    { NULL, NULL },
};
