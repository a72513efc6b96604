/* Faults delivered to a handler endpoint (ABI 7): cap faults (send and
 * receive phase, extra caps), unknown system calls, user exceptions and VM
 * faults with their messages; replies that rewrite registers, restart or
 * stop the thread; double faults; the handler looked up in the faulting
 * thread's CSpace. Every faulting thread here shares the root task's
 * VSpace. */
#include "threads.h"
#include <keel/gen/config.h>
#include <keel/string.h>

#define UNMAPPED_DATA 0x1008ul /* below the root image at 0x400000 */
#define UNMAPPED_CODE 0x2000ul

/* kt_svc9(regs[9]): as kt_svc, and NZCV loaded from regs[8] before the svc
 * (at kt_svc9_insn) and stored there after it.
 * kt_udf(out): `udf #0` at kt_udf_insn, then NZCV into *out.
 * kt_brk(): `brk #0x42` at kt_brk_insn.
 * kt_load(addr), kt_store(addr, value): one access at kt_load_insn /
 * kt_store_insn. kt_jump(target): `blr target` at kt_jump_insn, returning
 * to kt_jump_return. */
__asm__(".text\n"
        ".global kt_svc9\n"
        ".global kt_svc9_insn\n"
        ".type kt_svc9, %function\n"
        "kt_svc9:\n"
        "    stp x0, x30, [sp, #-16]!\n"
        "    mov x8, x0\n"
        "    ldr x9, [x8, #64]\n"
        "    msr nzcv, x9\n"
        "    ldp x0, x1, [x8, #0]\n"
        "    ldp x2, x3, [x8, #16]\n"
        "    ldp x4, x5, [x8, #32]\n"
        "    ldp x6, x7, [x8, #48]\n"
        "kt_svc9_insn:\n"
        "    svc #0\n"
        "    mrs x9, nzcv\n"
        "    ldr x8, [sp]\n"
        "    stp x0, x1, [x8, #0]\n"
        "    stp x2, x3, [x8, #16]\n"
        "    stp x4, x5, [x8, #32]\n"
        "    stp x6, x7, [x8, #48]\n"
        "    str x9, [x8, #64]\n"
        "    ldr x30, [sp, #8]\n"
        "    add sp, sp, #16\n"
        "    ret\n"
        ".size kt_svc9, . - kt_svc9\n"
        ".global kt_udf\n"
        ".global kt_udf_insn\n"
        ".type kt_udf, %function\n"
        "kt_udf:\n"
        "    mov x9, x0\n"
        "kt_udf_insn:\n"
        "    udf #0\n"
        "    mrs x10, nzcv\n"
        "    str x10, [x9]\n"
        "    ret\n"
        ".size kt_udf, . - kt_udf\n"
        ".global kt_brk\n"
        ".global kt_brk_insn\n"
        ".type kt_brk, %function\n"
        "kt_brk:\n"
        "kt_brk_insn:\n"
        "    brk #0x42\n"
        "    ret\n"
        ".size kt_brk, . - kt_brk\n"
        ".global kt_load\n"
        ".global kt_load_insn\n"
        ".type kt_load, %function\n"
        "kt_load:\n"
        "kt_load_insn:\n"
        "    ldr x0, [x0]\n"
        "    ret\n"
        ".size kt_load, . - kt_load\n"
        ".global kt_store\n"
        ".global kt_store_insn\n"
        ".type kt_store, %function\n"
        "kt_store:\n"
        "kt_store_insn:\n"
        "    str x1, [x0]\n"
        "    ret\n"
        ".size kt_store, . - kt_store\n"
        ".global kt_jump\n"
        ".global kt_jump_insn\n"
        ".global kt_jump_return\n"
        ".type kt_jump, %function\n"
        "kt_jump:\n"
        "    stp x29, x30, [sp, #-16]!\n"
        "kt_jump_insn:\n"
        "    blr x0\n"
        "kt_jump_return:\n"
        "    ldp x29, x30, [sp], #16\n"
        "    ret\n"
        ".size kt_jump, . - kt_jump\n");

void kt_svc9(seL4_Word regs[9]);
void kt_udf(seL4_Word *nzcv_out);
void kt_brk(void);
seL4_Word kt_load(seL4_Word addr);
void kt_store(seL4_Word addr, seL4_Word value);
void kt_jump(seL4_Word target);
extern char kt_svc9_insn[], kt_udf_insn[], kt_brk_insn[], kt_load_insn[], kt_store_insn[],
    kt_jump_insn[], kt_jump_return[];

/* A fault handler endpoint for the test: the endpoint (for the root task's
 * Recv) and a badged cap with all rights (the thread's handler cptr). */
typedef struct handler {
    seL4_CPtr ep;
    seL4_CPtr cap;
} handler_t;

static bool make_handler(handler_t *h, seL4_Word badge)
{
    h->ep = kt_env_object(seL4_EndpointObject, 0);
    if (h->ep == 0) {
        return false;
    }
    h->cap = kt_env_mint(h->ep, seL4_AllRights, badge);
    return h->cap != 0;
}

/* The MRs of the last fault message received (copied at once: the error
 * checks of later invocations overwrite the IPC buffer). */
static seL4_Word fmr[16];

/* Receive a fault: check badge, label and length; MRs go to fmr[]. */
static seL4_MessageInfo_t recv_fault(const handler_t *h, seL4_Word badge_want, seL4_Word label,
                                     seL4_Word length)
{
    for (int i = 0; i < 16; i++) {
        seL4_SetMR(i, 0xfeed0000 + (seL4_Word)i);
    }
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(h->ep, &badge);
    for (int i = 0; i < 16; i++) {
        fmr[i] = seL4_GetMR(i);
    }
    if (badge != badge_want || seL4_MessageInfo_get_label(info) != label ||
        seL4_MessageInfo_get_length(info) != length || seL4_MessageInfo_get_extraCaps(info) != 0 ||
        seL4_MessageInfo_get_capsUnwrapped(info) != 0) {
        ktest_fail(
            __FILE__, __LINE__,
            "fault message: badge 0x%lx tag 0x%lx, expected badge 0x%lx label %lu length %lu",
            badge, info.words[0], badge_want, label, length);
    }
    return info;
}

/* The cap fault messages these tests expect (ABI 7.3): a guard mismatch of
 * `addr` in the root CNode (bitsLeft 64, guard found 0, 51 guard bits: ABI
 * 6.2) and a missing capability with no bits left. */
#define GUARD_MISMATCH_LENGTH (seL4_CapFault_GuardMismatch_BitsFound + 1)
#define GUARD_MISMATCH_MESSAGE(addr, in_recv_phase)                                                \
    {                                                                                              \
        [seL4_CapFault_IP] = (seL4_Word)kt_svc9_insn, [seL4_CapFault_Addr] = (addr),               \
        [seL4_CapFault_InRecvPhase] = (in_recv_phase),                                             \
        [seL4_CapFault_LookupFailureType] = seL4_GuardMismatch, [seL4_CapFault_BitsLeft] = 64,     \
        [seL4_CapFault_GuardMismatch_GuardFound] = 0, [seL4_CapFault_GuardMismatch_BitsFound] = 51 \
    }
#define MISSING_CAPABILITY_LENGTH (seL4_CapFault_BitsLeft + 1)
#define MISSING_CAPABILITY_MESSAGE(addr)                                                           \
    {                                                                                              \
        [seL4_CapFault_IP] = (seL4_Word)kt_svc9_insn, [seL4_CapFault_Addr] = (addr),               \
        [seL4_CapFault_InRecvPhase] = 1,                                                           \
        [seL4_CapFault_LookupFailureType] = seL4_MissingCapability, [seL4_CapFault_BitsLeft] = 0   \
    }

static void expect_mrs(const seL4_Word *want, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        if (fmr[i] != want[i]) {
            ktest_fail(__FILE__, __LINE__, "%s: MR%d = 0x%lx, expected 0x%lx", what, i, fmr[i],
                       want[i]);
            return;
        }
    }
}

/* --- cap faults (ABI 7.3) ---------------------------------------------- */

static volatile seL4_Word raw_out[9];

static void raw_syscall(seL4_Word arg)
{
    seL4_Word regs[9];
    memcpy(regs, (const void *)arg, sizeof(regs));
    kt_svc9(regs);
    memcpy((void *)raw_out, regs, sizeof(regs));
}

static seL4_Word *raw_args(seL4_Word *a, seL4_Word x0, seL4_Word x1, long number)
{
    seL4_Word v[9] = { x0, x1, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, (seL4_Word)number, 0 };
    memcpy(a, v, sizeof(v));
    return a;
}

#define BAD_CPTR (1ul << 20) /* guard mismatch in the root CNode (guard 0, 51 bits) */

KT_THREAD_TEST(test_cap_fault_send_phase)
{
    handler_t h;
    if (!make_handler(&h, 0xfa01)) {
        return;
    }
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[9];
    kt_thread_t *t = kt_thread_spawn(
        raw_syscall, (seL4_Word)raw_args(args, BAD_CPTR, 0, seL4_SysSend), KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    const seL4_Word want[GUARD_MISMATCH_LENGTH] = GUARD_MISMATCH_MESSAGE(BAD_CPTR, 0);
    recv_fault(&h, 0xfa01, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(want, GUARD_MISMATCH_LENGTH, "cap fault");
    KT_RETURN_IF_FAILED();

    /* A reply restarts the svc, which faults again the same way. */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    recv_fault(&h, 0xfa01, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(want, GUARD_MISMATCH_LENGTH, "second cap fault");
    KT_RETURN_IF_FAILED();

    /* With x0 rewritten to name a notification, the restarted Send signals. */
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 4, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_svc9_insn);
    KT_ASSERT_EQ(r.x0, BAD_CPTR);
    r.x0 = kt_env_mint(ntfn, seL4_AllRights, 0x44);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 4, &r));
    /* Label and words of a cap-fault reply do not matter. */
    seL4_SetMR(0, 0x1234);
    seL4_Reply(seL4_MessageInfo_new(0x77, 0, 0, 1));
    KT_ASSERT(t->finished);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x44);

    /* The same from Call. */
    kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args, BAD_CPTR, 0, seL4_SysCall), KT_PRIO_HIGH,
                    h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa01, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(want, GUARD_MISMATCH_LENGTH, "cap fault of Call");
}

KT_THREAD_TEST(test_cap_fault_recv_phase)
{
    handler_t h;
    if (!make_handler(&h, 0xfa02)) {
        return;
    }
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr empty = kt_env_slot();
    KT_RETURN_IF_FAILED();
    static seL4_Word args[4][9];

    /* Guard mismatch on Recv and on the receive phase of ReplyRecv. */
    const seL4_Word guard[GUARD_MISMATCH_LENGTH] = GUARD_MISMATCH_MESSAGE(BAD_CPTR, 1);
    kt_thread_t *t = kt_thread_spawn(
        raw_syscall, (seL4_Word)raw_args(args[0], BAD_CPTR, 0, seL4_SysRecv), KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa02, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(guard, GUARD_MISMATCH_LENGTH, "Recv");
    KT_RETURN_IF_FAILED();
    kt_thread_destroy(t);
    t = kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args[1], BAD_CPTR, 0, seL4_SysReplyRecv),
                        KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa02, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(guard, GUARD_MISMATCH_LENGTH, "ReplyRecv");
    KT_RETURN_IF_FAILED();
    kt_thread_destroy(t);

    /* Not a cap one can receive on: missing capability, 0 bits left. */
    const seL4_Word tcb_cap[MISSING_CAPABILITY_LENGTH] =
        MISSING_CAPABILITY_MESSAGE(seL4_CapInitThreadTCB);
    t = kt_thread_spawn(raw_syscall,
                        (seL4_Word)raw_args(args[2], seL4_CapInitThreadTCB, 0, seL4_SysNBRecv),
                        KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa02, seL4_Fault_CapFault, MISSING_CAPABILITY_LENGTH);
    expect_mrs(tcb_cap, MISSING_CAPABILITY_LENGTH, "NBRecv on a TCB");
    KT_RETURN_IF_FAILED();
    kt_thread_destroy(t);

    /* An empty slot; after the handler puts a notification there and
     * signals it, the restarted Recv receives the signal. */
    const seL4_Word missing[MISSING_CAPABILITY_LENGTH] = MISSING_CAPABILITY_MESSAGE(empty);
    t = kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args[3], empty, 0x1111, seL4_SysRecv),
                        KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa02, seL4_Fault_CapFault, MISSING_CAPABILITY_LENGTH);
    expect_mrs(missing, MISSING_CAPABILITY_LENGTH, "Recv on an empty slot");
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(
        seL4_CNode_Mint(KT_ROOT, empty, KT_DEPTH, KT_ROOT, ntfn, KT_DEPTH, seL4_AllRights, 0x31));
    seL4_Signal(empty);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(raw_out[0], 0x31);
    KT_ASSERT_EQ(raw_out[1], 0x1111);
}

/* ReplyRecv replies first, then faults in its receive phase. */
static volatile seL4_Word replied_label;

static void call_once(seL4_Word ep)
{
    seL4_MessageInfo_t info = seL4_Call(ep, seL4_MessageInfo_new(0x21, 0, 0, 0));
    replied_label = seL4_MessageInfo_get_label(info);
}

static void serve_then_bad_recv(seL4_Word ep)
{
    seL4_Recv(ep, NULL);
    seL4_Word regs[9] = {
        BAD_CPTR, seL4_MessageInfo_new(0x22, 0, 0, 0).words[0], 0, 0, 0, 0, 0, seL4_SysReplyRecv, 0
    };
    kt_svc9(regs);
}

KT_THREAD_TEST(test_replyrecv_replies_before_fault)
{
    replied_label = 0;
    handler_t h;
    if (!make_handler(&h, 0xfa0d)) {
        return;
    }
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_spawn(serve_then_bad_recv, ep, KT_PRIO_HIGH, h.cap);
    kt_thread_t *c = kt_thread_spawn(call_once, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(c->finished);
    KT_ASSERT_EQ(replied_label, 0x22);
    recv_fault(&h, 0xfa0d, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    KT_ASSERT_EQ(fmr[seL4_CapFault_Addr], BAD_CPTR);
    KT_ASSERT_EQ(fmr[seL4_CapFault_InRecvPhase], 1);
}

/* An extra cap that does not resolve: a cap fault for Send (ABI 3.5, 7.2),
 * silently nothing for NBSend. */
static void send_bad_extra_cap(seL4_Word arg)
{
    const seL4_Word *a = (const seL4_Word *)arg; /* ep, syscall number */
    seL4_SetCap(0, BAD_CPTR);
    seL4_Word regs[9] = {
        a[0], seL4_MessageInfo_new(0x3, 0, 1, 0).words[0], 0, 0, 0, 0, 0, a[1], 0
    };
    kt_svc9(regs);
}

KT_THREAD_TEST(test_cap_fault_extra_cap)
{
    handler_t h;
    if (!make_handler(&h, 0xfa03)) {
        return;
    }
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    static seL4_Word args[2][2];
    args[0][0] = ep;
    args[0][1] = (seL4_Word)seL4_SysNBSend;
    args[1][0] = ep;
    args[1][1] = (seL4_Word)seL4_SysSend;
    kt_thread_t *t = kt_thread_spawn(send_bad_extra_cap, (seL4_Word)args[0], KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(t->finished);
    seL4_Word badge = 0;
    seL4_NBRecv(h.ep, &badge);
    KT_ASSERT_EQ(badge, 0);

    kt_thread_spawn(send_bad_extra_cap, (seL4_Word)args[1], KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    const seL4_Word want[GUARD_MISMATCH_LENGTH] = GUARD_MISMATCH_MESSAGE(BAD_CPTR, 0);
    recv_fault(&h, 0xfa03, seL4_Fault_CapFault, GUARD_MISMATCH_LENGTH);
    expect_mrs(want, GUARD_MISMATCH_LENGTH, "extra cap");
    KT_RETURN_IF_FAILED();
    /* Nothing was sent. */
    seL4_NBRecv(ep, &badge);
    KT_ASSERT_EQ(badge, 0);
}

/* --- unknown system calls (ABI 7.4, 7.7) -------------------------------- */

static const long unknown_numbers[] = { 0x1234, -15, -30, 0, 1, (long)(1ul << 63) };
#define NUNKNOWN (sizeof(unknown_numbers) / sizeof(unknown_numbers[0]))
static volatile seL4_Word unknown_after[NUNKNOWN][9];

static void unknown_syscalls(seL4_Word arg)
{
    (void)arg;
    for (size_t k = 0; k < NUNKNOWN; k++) {
        seL4_Word regs[9];
        for (int i = 0; i < 7; i++) {
            regs[i] = kt_pattern(k, (seL4_Word)i);
        }
        regs[7] = (seL4_Word)unknown_numbers[k];
        regs[8] = 0x90000000; /* N and V */
        kt_svc9(regs);
        for (int i = 0; i < 9; i++) {
            unknown_after[k][i] = regs[i];
        }
    }
}

KT_THREAD_TEST(test_unknown_syscall)
{
    handler_t h;
    if (!make_handler(&h, 0xfa04)) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(unknown_syscalls, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    for (size_t k = 0; k < NUNKNOWN; k++) {
        recv_fault(&h, 0xfa04, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
        KT_RETURN_IF_FAILED();
        seL4_UserContext r;
        KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 2, &r));
        seL4_Word want[seL4_UnknownSyscall_Length];
        for (int i = 0; i < 7; i++) {
            want[seL4_UnknownSyscall_X0 + i] = kt_pattern(k, (seL4_Word)i);
        }
        want[seL4_UnknownSyscall_X7] = (seL4_Word)unknown_numbers[k];
        want[seL4_UnknownSyscall_FaultIP] = (seL4_Word)kt_svc9_insn;
        want[seL4_UnknownSyscall_SP] = r.sp;
        want[seL4_UnknownSyscall_LR] = (seL4_Word)kt_svc9_insn + 4;
        want[seL4_UnknownSyscall_SPSR] = 0x90000040;
        want[seL4_UnknownSyscall_Syscall] = (seL4_Word)unknown_numbers[k];
        expect_mrs(want, seL4_UnknownSyscall_Length, "unknown syscall");
        KT_RETURN_IF_FAILED();
        KT_ASSERT_EQ(r.pc, (seL4_Word)kt_svc9_insn);

        if (k == 0) {
            /* Label 0, no words: restarted at the svc, the same fault again. */
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
            recv_fault(&h, 0xfa04, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
            expect_mrs(want, seL4_UnknownSyscall_Length, "repeated unknown syscall");
            KT_RETURN_IF_FAILED();
        }
        /* Emulate: new x0..x7, pc past the svc, flags (sanitised). */
        for (int i = 0; i < 8; i++) {
            seL4_SetMR(seL4_UnknownSyscall_X0 + i, 0xe0 + k * 16 + (seL4_Word)i);
        }
        seL4_SetMR(seL4_UnknownSyscall_FaultIP, (seL4_Word)kt_svc9_insn + 4);
        seL4_SetMR(seL4_UnknownSyscall_SP, r.sp);
        seL4_SetMR(seL4_UnknownSyscall_LR, 0xdead);
        seL4_SetMR(seL4_UnknownSyscall_SPSR, 0x6fffffff);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_SPSR + 1));
        for (int i = 0; i < 8; i++) {
            KT_ASSERT_EQ(unknown_after[k][i], 0xe0 + k * 16 + (seL4_Word)i);
        }
        KT_ASSERT_EQ(unknown_after[k][8], 0x60000000);
    }
    KT_ASSERT(t->finished);
}

/* Fault replies sent with ReplyRecv, whose fastpath serves only replies to
 * a Call or a VM fault: a reply to an unknown syscall still writes the
 * registers it carries, a reply to a cap fault still restarts the svc. */
static seL4_CPtr rr_wake;

static void unknown_then_send(seL4_Word arg)
{
    raw_syscall(arg);
    seL4_Send(rr_wake, seL4_MessageInfo_new(0x99, 0, 0, 0));
}

KT_THREAD_TEST(test_replyrecv_fault_replies)
{
    handler_t h;
    if (!make_handler(&h, 0xfa0e)) {
        return;
    }
    rr_wake = h.cap;
    static seL4_Word args[2][9];
    kt_thread_t *t = kt_thread_spawn(unknown_then_send, (seL4_Word)raw_args(args[0], 1, 2, 0x4444),
                                     KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa0e, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
    KT_RETURN_IF_FAILED();
    const seL4_Word pc = fmr[seL4_UnknownSyscall_FaultIP], sp = fmr[seL4_UnknownSyscall_SP],
                    lr = fmr[seL4_UnknownSyscall_LR];
    KT_ASSERT_EQ(pc, (seL4_Word)kt_svc9_insn);
    for (int i = 0; i < 8; i++) {
        seL4_SetMR(seL4_UnknownSyscall_X0 + i, 0xa0 + (seL4_Word)i);
    }
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, pc + 4);
    seL4_SetMR(seL4_UnknownSyscall_SP, sp);
    seL4_SetMR(seL4_UnknownSyscall_LR, lr);
    seL4_SetMR(seL4_UnknownSyscall_SPSR, 0);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info =
        seL4_ReplyRecv(h.ep, seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_SPSR + 1), &badge);
    KT_ASSERT_EQ(badge, 0xfa0e);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), 0x99);
    for (int i = 0; i < 8; i++) {
        KT_ASSERT_EQ(raw_out[i], 0xa0 + (seL4_Word)i);
    }
    KT_ASSERT(t->finished);

    /* A cap fault: the reply (any message) restarts the Send, which faults
     * again; ReplyRecv's receive phase takes the second fault. */
    kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args[1], BAD_CPTR, 0, seL4_SysSend),
                    KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa0e, seL4_Fault_CapFault, 7);
    KT_RETURN_IF_FAILED();
    seL4_SetMR(0, 0x1234);
    info = seL4_ReplyRecv(h.ep, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    KT_ASSERT_EQ(badge, 0xfa0e);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    KT_ASSERT_EQ(seL4_GetMR(0), (seL4_Word)kt_svc9_insn);
    KT_ASSERT_EQ(seL4_GetMR(1), BAD_CPTR);
}

/* A reply with a non-zero label writes the registers it carries and leaves
 * the thread inactive (ABI 7.7). */
KT_THREAD_TEST(test_unknown_syscall_reply_stops)
{
    handler_t h;
    if (!make_handler(&h, 0xfa05)) {
        return;
    }
    static seL4_Word args[9];
    kt_thread_t *t =
        kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args, 1, 2, 0x4321), KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa05, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
    KT_RETURN_IF_FAILED();
    seL4_SetMR(seL4_UnknownSyscall_X0, 0x77);
    seL4_SetMR(seL4_UnknownSyscall_X1, 0x78);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, seL4_UnknownSyscall_X1 + 1));
    KT_ASSERT(!t->finished);
    /* Not restarted: no second fault waits on the endpoint. */
    seL4_Word badge = 0x1234;
    seL4_NBRecv(h.ep, &badge);
    KT_ASSERT_EQ(badge, 0);
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 6, &r));
    KT_ASSERT_EQ(r.x0, 0x77);
    KT_ASSERT_EQ(r.x1, 0x78);
    KT_ASSERT_EQ(r.x2, 0x2222);
    /* Inactive: nothing makes it run but Resume, which repeats the svc. */
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    recv_fault(&h, 0xfa05, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(fmr[seL4_UnknownSyscall_X0], 0x77);
    KT_ASSERT_EQ(fmr[seL4_UnknownSyscall_X1], 0x78);
}

/* --- user exceptions (ABI 7.5, 7.7) -------------------------------------- */

static volatile seL4_Word udf_nzcv;

static void do_udf(seL4_Word arg)
{
    (void)arg;
    kt_udf((seL4_Word *)&udf_nzcv);
}

#if !CONFIG_HARDWARE_DEBUG_API
static void do_brk(seL4_Word arg)
{
    (void)arg;
    kt_brk();
}
#endif

KT_THREAD_TEST(test_user_exception)
{
    udf_nzcv = 0x5a;
    handler_t h;
    if (!make_handler(&h, 0xfa06)) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa06, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 3, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_udf_insn);
    const seL4_Word want[seL4_UserException_Length] = {
        [seL4_UserException_FaultIP] = (seL4_Word)kt_udf_insn,
        [seL4_UserException_SP] = r.sp,
        [seL4_UserException_SPSR] = r.spsr,
        [seL4_UserException_Number] = 0x02000000, /* ESR: EC 0 (unknown reason), IL */
        [seL4_UserException_Code] = 0,
    };
    expect_mrs(want, seL4_UserException_Length, "udf");
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(r.spsr & ~0xf0000000ul, 0x40);

    /* Label 0, no words: restarted at the udf. */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    recv_fault(&h, 0xfa06, seL4_Fault_UserException, seL4_UserException_Length);
    expect_mrs(want, seL4_UserException_Length, "repeated udf");
    KT_RETURN_IF_FAILED();

    /* pc past the udf, SP kept, SPSR sanitised to its NZCV. */
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
    seL4_SetMR(seL4_UserException_SP, r.sp);
    seL4_SetMR(seL4_UserException_SPSR, 0x600003c0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UserException_SPSR + 1));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(udf_nzcv, 0x60000000);

    /* A non-zero label stops the thread. */
    udf_nzcv = 0x5a;
    kt_thread_t *u = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa06, seL4_Fault_UserException, seL4_UserException_Length);
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
    seL4_Reply(seL4_MessageInfo_new(2, 0, 0, 1));
    KT_ASSERT(!u->finished);
    KT_ASSERT_EQ(udf_nzcv, 0x5a);
    seL4_Word badge = 0x1234;
    seL4_NBRecv(h.ep, &badge);
    KT_ASSERT_EQ(badge, 0);
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(u->tcb, 0, 0, 1, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_udf_insn + 4);

#if !CONFIG_HARDWARE_DEBUG_API
    /* BRK: EC 0x3c with the immediate in the ISS (with the hardware debug
     * API it is a debug exception instead: test_hwdebug.c). */
    kt_thread_t *b = kt_thread_spawn(do_brk, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa06, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(fmr[seL4_UserException_FaultIP], (seL4_Word)kt_brk_insn);
    KT_ASSERT_EQ(fmr[seL4_UserException_Number] >> 26, 0x3c);
    KT_ASSERT_EQ(fmr[seL4_UserException_Number] & 0xffff, 0x42);
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_brk_insn + 4);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    KT_ASSERT(b->finished);
#endif
}

/* --- VM faults (ABI 7.6, 7.7) -------------------------------------------- */

static volatile seL4_Word loaded, store_target;
static const seL4_Word load_source = 0x10adc0de;

static void do_load(seL4_Word addr)
{
    loaded = kt_load(addr);
}

static void do_store(seL4_Word addr)
{
    kt_store(addr, 0x5707e);
}

static void do_jump(seL4_Word addr)
{
    kt_jump(addr);
}

static void expect_data_abort(seL4_Word insn, seL4_Word addr, bool write)
{
    KT_ASSERT_EQ(fmr[seL4_VMFault_IP], insn);
    KT_ASSERT_EQ(fmr[seL4_VMFault_Addr], addr);
    KT_ASSERT_EQ(fmr[seL4_VMFault_PrefetchFault], 0);
    seL4_Word fsr = fmr[seL4_VMFault_FSR];
    KT_ASSERT_EQ(fsr >> 26, 0x24);       /* data abort from a lower EL */
    KT_ASSERT_EQ((fsr >> 6) & 1, write); /* WnR */
    KT_ASSERT_EQ(fsr & 0x3c, 0x04);      /* translation fault, any level */
    KT_ASSERT_EQ(fsr >> 32, 0);
}

KT_THREAD_TEST(test_vm_fault_data)
{
    loaded = 0;
    store_target = 0;
    handler_t h;
    if (!make_handler(&h, 0xfa07)) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(do_load, UNMAPPED_DATA, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa07, seL4_Fault_VMFault, seL4_VMFault_Length);
    KT_RETURN_IF_FAILED();
    expect_data_abort((seL4_Word)kt_load_insn, UNMAPPED_DATA, false);
    KT_RETURN_IF_FAILED();

    /* Restarted, whatever the reply says: once the address register points
     * somewhere mapped, the load completes. */
    seL4_Reply(seL4_MessageInfo_new(0x55, 0, 0, 0));
    recv_fault(&h, 0xfa07, seL4_Fault_VMFault, seL4_VMFault_Length);
    expect_data_abort((seL4_Word)kt_load_insn, UNMAPPED_DATA, false);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 4, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_load_insn);
    KT_ASSERT_EQ(r.x0, UNMAPPED_DATA);
    r.x0 = (seL4_Word)&load_source;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 4, &r));
    seL4_SetMR(0, 0);
    seL4_Reply(seL4_MessageInfo_new(0x55, 0, 0, 1));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(loaded, load_source);

    /* A store: WnR set. */
    t = kt_thread_spawn(do_store, UNMAPPED_DATA + 0x100, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa07, seL4_Fault_VMFault, seL4_VMFault_Length);
    KT_RETURN_IF_FAILED();
    expect_data_abort((seL4_Word)kt_store_insn, UNMAPPED_DATA + 0x100, true);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 4, &r));
    r.x0 = (seL4_Word)&store_target;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 4, &r));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(store_target, 0x5707e);
}

/* The fastpath's case: the handler already waits when a thread of no higher
 * priority faults, and answers with ReplyRecv. The reply's label and words
 * reach nobody: the thread re-executes the load with its own registers. */
static volatile seL4_Word loaded2;

static void do_two_loads(seL4_Word addr)
{
    loaded = kt_load(addr);
    loaded2 = kt_load(UNMAPPED_DATA + 0x200);
}

KT_THREAD_TEST(test_vm_fault_waiting_handler)
{
    loaded = loaded2 = 0;
    handler_t h;
    if (!make_handler(&h, 0xfa09)) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(do_two_loads, UNMAPPED_DATA, KT_PRIO_LOW, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa09, seL4_Fault_VMFault, seL4_VMFault_Length); /* waits: t runs */
    KT_RETURN_IF_FAILED();
    expect_data_abort((seL4_Word)kt_load_insn, UNMAPPED_DATA, false);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 6, &r));
    r.x0 = (seL4_Word)&load_source;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 6, &r));
    for (int i = 0; i < 4; i++) {
        seL4_SetMR(i, 0xbad0 + (seL4_Word)i);
    }
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_ReplyRecv(h.ep, seL4_MessageInfo_new(0x55, 0, 0, 4), &badge);
    /* t loaded through x0 as written, then faulted on its second load. */
    KT_ASSERT_EQ(loaded, load_source);
    KT_ASSERT_EQ(badge, 0xfa09);
    KT_ASSERT_EQ(info.words[0],
                 seL4_MessageInfo_new(seL4_Fault_VMFault, 0, 0, seL4_VMFault_Length).words[0]);
    KT_ASSERT_EQ(seL4_GetMR(seL4_VMFault_IP), (seL4_Word)kt_load_insn);
    KT_ASSERT_EQ(seL4_GetMR(seL4_VMFault_Addr), UNMAPPED_DATA + 0x200);
    seL4_UserContext after;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 6, &after));
    KT_ASSERT_EQ(after.x0, UNMAPPED_DATA + 0x200);
    KT_ASSERT(!t->finished);
}

KT_THREAD_TEST(test_vm_fault_instruction)
{
    handler_t h;
    if (!make_handler(&h, 0xfa08)) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(do_jump, UNMAPPED_CODE, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa08, seL4_Fault_VMFault, seL4_VMFault_Length);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(fmr[seL4_VMFault_IP], UNMAPPED_CODE);
    KT_ASSERT_EQ(fmr[seL4_VMFault_Addr], UNMAPPED_CODE);
    KT_ASSERT_EQ(fmr[seL4_VMFault_PrefetchFault], 1);
    seL4_Word fsr = fmr[seL4_VMFault_FSR];
    KT_ASSERT_EQ(fsr >> 26, 0x20); /* instruction abort from a lower EL */
    KT_ASSERT_EQ(fsr & 0x3c, 0x04);

    /* Back to the caller of the bad branch: pc := x30. */
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 17, &r));
    KT_ASSERT_EQ(r.pc, UNMAPPED_CODE);
    KT_ASSERT_EQ(r.x30, (seL4_Word)kt_jump_return);
    r.pc = r.x30;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 17, &r));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(t->finished);
}

/* The handler may receive the fault on a cap without Grant: the reply cap
 * is made all the same (ABI 7.2). */
KT_THREAD_TEST(test_fault_received_without_grant)
{
    udf_nzcv = 0;
    handler_t h;
    if (!make_handler(&h, 0xfa0b)) {
        return;
    }
    seL4_CPtr read_only = kt_env_mint(h.ep, seL4_CanRead, 0);
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(read_only, &badge);
    KT_ASSERT_EQ(badge, 0xfa0b);
    KT_ASSERT_INFO(info, seL4_Fault_UserException, seL4_UserException_Length);
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_REPLY);
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
    seL4_Send(slot, seL4_MessageInfo_new(0, 0, 0, 1));
    KT_ASSERT(t->finished);
}

/* Caps in a fault reply are not transferred (ABI 7.7), even to a thread
 * that has a receive slot set. */
static volatile seL4_CPtr udf_receive_slot;

static void udf_with_receive_slot(seL4_Word arg)
{
    (void)arg;
    seL4_SetCapReceivePath(KT_ROOT, udf_receive_slot, KT_DEPTH);
    kt_udf((seL4_Word *)&udf_nzcv);
}

KT_THREAD_TEST(test_fault_reply_caps_not_transferred)
{
    handler_t h;
    if (!make_handler(&h, 0xfa0c)) {
        return;
    }
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    udf_receive_slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(udf_with_receive_slot, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa0c, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
    seL4_SetCap(0, ntfn);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 1, 1));
    KT_ASSERT(t->finished);
    KT_ASSERT_TAG(udf_receive_slot, KT_TAG_NULL);
}

/* A fault replied to through a saved reply cap. */
KT_THREAD_TEST(test_fault_reply_saved_cap)
{
    udf_nzcv = 0;
    handler_t h;
    if (!make_handler(&h, 0xfa09)) {
        return;
    }
    seL4_CPtr slot = kt_env_slot();
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    recv_fault(&h, 0xfa09, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, slot, KT_DEPTH));
    KT_ASSERT_TAG(slot, KT_TAG_REPLY);
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
    seL4_Send(slot, seL4_MessageInfo_new(0, 0, 0, 1));
    KT_ASSERT(t->finished);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

/* A handler without an IPC buffer gets the first four words of a fault
 * message, and the length says 4 (ABI 3.2). */
static volatile seL4_Word handler_regs[8];

static void bufferless_handler(seL4_Word ep)
{
    seL4_Word regs[8] = { ep, 0, 0, 0, 0, 0, 0, seL4_SysRecv };
    kt_svc(regs);
    memcpy((void *)handler_regs, regs, sizeof(regs));
}

KT_THREAD_TEST(test_fault_to_bufferless_handler)
{
    handler_t h;
    if (!make_handler(&h, 0xfa0a)) {
        return;
    }
    kt_thread_t *hd = kt_thread_create(bufferless_handler, h.ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(hd->tcb, 0, hd->ipc_frame));
    kt_thread_start(hd);
    static seL4_Word args[9];
    kt_thread_spawn(raw_syscall, (seL4_Word)raw_args(args, 0x10, 0x11, 0x777), KT_PRIO_HIGH, h.cap);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(hd->finished);
    KT_ASSERT_EQ(handler_regs[0], 0xfa0a);
    KT_ASSERT_EQ(handler_regs[1],
                 seL4_MessageInfo_new(seL4_Fault_UnknownSyscall, 0, 0, 4).words[0]);
    KT_ASSERT_EQ(handler_regs[2], 0x10);
    KT_ASSERT_EQ(handler_regs[3], 0x11);
    KT_ASSERT_EQ(handler_regs[4], 0x2222);
    KT_ASSERT_EQ(handler_regs[5], 0x3333);
}

/* --- handlers that cannot take the fault: double faults (ABI 7.2) ------- */

KT_THREAD_TEST(test_double_fault)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    struct {
        seL4_CapRights_t rights;
        bool delivered;
    } cases[] = {
        { seL4_ReadWrite, false },                /* Write only: no Grant, no GrantReply */
        { seL4_NoWrite, false },                  /* Grant and GrantReply but no Write */
        { seL4_CapRights_new(1, 0, 0, 1), true }, /* Write + GrantReply */
        { seL4_CapRights_new(0, 1, 0, 1), true }, /* Write + Grant */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        udf_nzcv = 0;
        seL4_CPtr cap = kt_env_mint(ep, cases[i].rights, 0xd0 + i);
        KT_RETURN_IF_FAILED();
        kt_thread_t *t = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, cap);
        KT_RETURN_IF_FAILED();
        seL4_Word regs[8] = { ep, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, seL4_SysNBRecv };
        kt_svc(regs);
        if (cases[i].delivered) {
            KT_ASSERT_EQ(regs[0], 0xd0 + i);
            KT_ASSERT_EQ(seL4_MessageInfo_get_label(keel_info(regs[1])), seL4_Fault_UserException);
            seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)kt_udf_insn + 4);
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
            KT_ASSERT(t->finished);
        } else {
            KT_ASSERT_EQ(regs[0], 0);
            KT_ASSERT_EQ(regs[1], 0x1111);
            KT_ASSERT(!t->finished);
            /* Stopped, not waiting anywhere: its pc is the udf still. */
            seL4_UserContext r;
            KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 1, &r));
            KT_ASSERT_EQ(r.pc, (seL4_Word)kt_udf_insn);
        }
        kt_thread_destroy(t);
    }

    /* No handler (cptr 0: the null cap of slot 0), a notification, a cptr
     * that does not resolve. */
    seL4_CPtr bad[3] = { 0, ntfn, BAD_CPTR };
    for (int i = 0; i < 3; i++) {
        kt_thread_t *t = kt_thread_spawn(do_udf, 0, KT_PRIO_HIGH, bad[i]);
        KT_RETURN_IF_FAILED();
        KT_ASSERT(!t->finished);
        kt_thread_destroy(t);
    }
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0);
    kt_kernel_self_check();
}

/* The handler cptr is looked up in the faulting thread's CSpace, when the
 * fault happens (ABI 5.4.2 Configure, 7.2). */
KT_THREAD_TEST(test_handler_in_thread_cspace)
{
    handler_t h;
    if (!make_handler(&h, 0xc5)) {
        return;
    }
    seL4_CPtr cnode = kt_env_object(seL4_CapTableObject, 4);
    KT_RETURN_IF_FAILED();
    /* Slot 5 of the thread's CNode; slot 5 of the root CNode is something
     * else (the ASID control cap). */
    KT_ASSERT_OK(seL4_CNode_Copy(cnode, 5, 4, KT_ROOT, h.cap, KT_DEPTH, seL4_AllRights));
    kt_thread_t *t = kt_thread_create(do_udf, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetSpace(t->tcb, 5, cnode, seL4_CNode_CapData_new(0, 60).words[0],
                                   seL4_CapInitThreadVSpace, 0));
    kt_thread_start(t);
    recv_fault(&h, 0xc5, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    /* Another cap in that slot: the next fault goes out with its badge. */
    KT_ASSERT_OK(seL4_CNode_Delete(cnode, 5, 4));
    KT_ASSERT_OK(seL4_CNode_Mint(cnode, 5, 4, KT_ROOT, h.ep, KT_DEPTH, seL4_AllRights, 0xc6));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    recv_fault(&h, 0xc6, seL4_Fault_UserException, seL4_UserException_Length);
    KT_RETURN_IF_FAILED();
    /* And none: a double fault, nothing delivered. */
    KT_ASSERT_OK(seL4_CNode_Delete(cnode, 5, 4));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Word badge = 0x1234;
    seL4_NBRecv(h.ep, &badge);
    KT_ASSERT_EQ(badge, 0);
    KT_ASSERT(!t->finished);
}

const ktest_case_t ktest_fault_cases[] = {
    { "fault.cap_fault_send_phase", test_cap_fault_send_phase },
    { "fault.cap_fault_recv_phase", test_cap_fault_recv_phase },
    { "fault.cap_fault_extra_cap", test_cap_fault_extra_cap },
    { "fault.replyrecv_replies_before_fault", test_replyrecv_replies_before_fault },
    { "fault.unknown_syscall", test_unknown_syscall },
    { "fault.replyrecv_fault_replies", test_replyrecv_fault_replies },
    { "fault.unknown_syscall_reply_stops", test_unknown_syscall_reply_stops },
    { "fault.user_exception", test_user_exception },
    { "fault.vm_fault_data", test_vm_fault_data },
    { "fault.vm_fault_waiting_handler", test_vm_fault_waiting_handler },
    { "fault.vm_fault_instruction", test_vm_fault_instruction },
    { "fault.reply_saved_cap", test_fault_reply_saved_cap },
    { "fault.received_without_grant", test_fault_received_without_grant },
    { "fault.reply_caps_not_transferred", test_fault_reply_caps_not_transferred },
    { "fault.to_bufferless_handler", test_fault_to_bufferless_handler },
    { "fault.double_fault", test_double_fault },
    { "fault.handler_in_thread_cspace", test_handler_in_thread_cspace },
    { NULL, NULL },
};
