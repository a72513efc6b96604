/* The hardware debug API (seL4 manual "Debug Exception", docs/debug.md):
 * built into every ktest image, run on the kernel variant with
 * CONFIG_HARDWARE_DEBUG_API (mk/test.mk `hwdebug`). Without the option the
 * methods and the DebugException fault do not exist: the labels keep the
 * default configuration's numbers and the suite checks that instead.
 *
 * The threads under test run kt_dbg_code, eight `add x0, x0, #1` (so x0
 * counts the instructions that ran), then return to kt_dbg_stop, a BRK.
 * Their faults go to an endpoint the root task receives on. */
#include "threads.h"
#include <keel/gen/config.h>

/* kt_dbg_code(x): x + 8, one instruction at a time; kt_dbg_target is its
 * second instruction. kt_dbg_stop: `brk #7`. kt_dbg_ldrb(addr) and
 * kt_dbg_strb(addr, value): one byte access at kt_dbg_ldrb_insn and
 * kt_dbg_strb_insn. kt_dbg_svc_code: x0 += 1, then `svc` with x7 = -7
 * (Yield), then x0 += 1 twice. */
__asm__(".text\n"
        ".global kt_dbg_code\n"
        ".global kt_dbg_target\n"
        ".type kt_dbg_code, %function\n"
        "kt_dbg_code:\n"
        "    add x0, x0, #1\n"
        "kt_dbg_target:\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    ret\n"
        ".size kt_dbg_code, . - kt_dbg_code\n"
        ".global kt_dbg_stop\n"
        "kt_dbg_stop:\n"
        "    brk #7\n"
        "    b kt_dbg_stop\n"
        ".global kt_dbg_ldrb\n"
        ".global kt_dbg_ldrb_insn\n"
        ".type kt_dbg_ldrb, %function\n"
        "kt_dbg_ldrb:\n"
        "kt_dbg_ldrb_insn:\n"
        "    ldrb w0, [x0]\n"
        "    ret\n"
        ".size kt_dbg_ldrb, . - kt_dbg_ldrb\n"
        ".global kt_dbg_strb\n"
        ".global kt_dbg_strb_insn\n"
        ".type kt_dbg_strb, %function\n"
        "kt_dbg_strb:\n"
        "kt_dbg_strb_insn:\n"
        "    strb w1, [x0]\n"
        "    ret\n"
        ".size kt_dbg_strb, . - kt_dbg_strb\n"
        ".global kt_dbg_svc_code\n"
        "kt_dbg_svc_code:\n"
        "    add x0, x0, #1\n"
        "    mov x7, #-7\n"
        "    svc #0\n"
        "    add x0, x0, #1\n"
        "    add x0, x0, #1\n"
        "    ret\n");

seL4_Word kt_dbg_code(seL4_Word x);
seL4_Word kt_dbg_ldrb(seL4_Word addr);
void kt_dbg_strb(seL4_Word addr, seL4_Word value);
extern char kt_dbg_target[], kt_dbg_stop[], kt_dbg_ldrb_insn[], kt_dbg_strb_insn[],
    kt_dbg_svc_code[];

#define CODE_INSNS 8 /* the adds of kt_dbg_code */

/* Invoking a TCB cap with a label that is not a TCB method in this
 * configuration is an IllegalOperation (labels 0 and from the first after
 * the TCB methods to beyond the last one). */
static void expect_unknown_labels_illegal(seL4_Word first_non_tcb)
{
    for (seL4_Word label = 0; label < nArchInvocationLabels + 2; label++) {
        if (label != 0 && label < first_non_tcb) {
            continue;
        }
        seL4_Word mrs[5] = { 0, 0x1000, 1, 0, 0 };
        seL4_MessageInfo_t reply = kt_call(seL4_CapInitThreadTCB, label, mrs, 5, NULL, 0);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_IllegalOperation);
    }
}

#if !CONFIG_HARDWARE_DEBUG_API

/* The labels are the default configuration's (ABI 5.1): TCB_SetTLSBase
 * follows UnbindNotification; the debug methods have none, so their
 * numbers in the other configuration (15..18) are SetTLSBase, SetFlags and
 * two CNode methods, and no TCB method lies past SetFlags. */
static void test_absent(void)
{
    KT_ASSERT_EQ(TCBUnbindNotification, 14);
    KT_ASSERT_EQ(TCBSetTLSBase, 15);
    KT_ASSERT_EQ(TCBSetFlags, 16);
    KT_ASSERT_EQ(nInvocationLabels, 33);
    KT_ASSERT_EQ(nArchInvocationLabels, 51);
#ifdef KEEL_LEN_TCBSetBreakpoint
    KT_FAIL("the debug methods have a layout without CONFIG_HARDWARE_DEBUG_API");
#endif
    expect_unknown_labels_illegal(TCBSetFlags + 1);
}

const ktest_case_t ktest_hwdebug_cases[] = {
    { "hwdebug.absent", test_absent },
    { NULL, NULL },
};

#else

/* --- the fault handler and the threads ----------------------------------- */

typedef struct dbg_fault {
    seL4_Word badge, label, length;
    seL4_Word mr[4]; /* FaultIP, ExceptionReason, TriggerAddress, BreakpointNumber */
} dbg_fault_t;

static seL4_CPtr handler_ep, handler_cap;

#define HANDLER_BADGE 0xdb9

static bool make_handler(void)
{
    handler_ep = kt_env_object(seL4_EndpointObject, 0);
    handler_cap = handler_ep != 0 ? kt_env_mint(handler_ep, seL4_AllRights, HANDLER_BADGE) : 0;
    return handler_cap != 0;
}

static seL4_CPtr ipc_ep; /* for the IPC tests */

static bool make_handler_and_ipc_ep(void)
{
    ipc_ep = make_handler() ? kt_env_object(seL4_EndpointObject, 0) : 0;
    return ipc_ep != 0;
}

static void receive_fault(dbg_fault_t *f)
{
    for (int i = 0; i < 4; i++) {
        seL4_SetMR(i, 0xfeed0000 + (seL4_Word)i);
    }
    seL4_MessageInfo_t info = seL4_Recv(handler_ep, &f->badge);
    f->label = seL4_MessageInfo_get_label(info);
    f->length = seL4_MessageInfo_get_length(info);
    for (int i = 0; i < 4; i++) {
        f->mr[i] = seL4_GetMR(i);
    }
}

/* Receive the next fault and check it is a DebugException with these words
 * (a single step or BRK sends only the first two). */
#define EXPECT_DEBUG_FAULT(f, ip, reason, address, bp)                                             \
    do {                                                                                           \
        receive_fault(&(f));                                                                       \
        bool kt_short_ = (reason) == seL4_SingleStep || (reason) == seL4_SoftwareBreakRequest;     \
        KT_ASSERT_EQ((f).badge, HANDLER_BADGE);                                                    \
        KT_ASSERT_EQ((f).label, seL4_Fault_DebugException);                                        \
        KT_ASSERT_EQ((f).length, kt_short_ ? 2 : seL4_DebugException_Length);                      \
        KT_ASSERT_EQ((f).mr[seL4_DebugException_FaultIP], (seL4_Word)(ip));                        \
        KT_ASSERT_EQ((f).mr[seL4_DebugException_ExceptionReason], (reason));                       \
        if (!kt_short_) {                                                                          \
            KT_ASSERT_EQ((f).mr[seL4_DebugException_TriggerAddress], (seL4_Word)(address));        \
            KT_ASSERT_EQ((f).mr[seL4_DebugException_BreakpointNumber], (bp));                      \
        }                                                                                          \
    } while (0)

static void never_runs(seL4_Word arg)
{
    (void)arg;
}

/* A thread (not started) that will run kt_dbg_code from its start with
 * x0 = 0, its faults going to the handler. */
static kt_thread_t *code_thread(seL4_Word prio)
{
    kt_thread_t *t = kt_thread_create(never_runs, 0, prio, handler_cap);
    if (t == NULL) {
        return NULL;
    }
    seL4_UserContext regs;
    kt_thread_context(t, &regs);
    regs.pc = (seL4_Word)kt_dbg_code;
    regs.x0 = 0;
    regs.x30 = (seL4_Word)kt_dbg_stop;
    seL4_Error err = seL4_TCB_WriteRegisters(t->tcb, 0, 0, KEEL_WORDS_seL4_UserContext, &regs);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "WriteRegisters failed with %d", (int)err);
        return NULL;
    }
    return t;
}

/* The x0 of a thread waiting for its fault's reply. */
static seL4_Word thread_x0(const kt_thread_t *t)
{
    seL4_UserContext r;
    if (seL4_TCB_ReadRegisters(t->tcb, 0, 0, 4, &r) != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "ReadRegisters failed");
        return ~0ul;
    }
    return r.x0;
}

static void reply(seL4_Word label, seL4_Word length)
{
    seL4_Reply(seL4_MessageInfo_new(label, 0, 0, length));
}

static void set_instruction_breakpoint(seL4_CPtr tcb, seL4_Word bp, const void *at)
{
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(tcb, (seL4_Uint16)bp, (seL4_Word)at,
                                        seL4_InstructionBreakpoint, 0, seL4_BreakOnRead));
}

/* A thread running fn(0) with instruction breakpoint `bp` on kt_dbg_target. */
static kt_thread_t *spawn_with_breakpoint(kt_thread_fn fn, seL4_Word prio, seL4_CPtr fault_ep,
                                          seL4_Word bp)
{
    kt_thread_t *t = kt_thread_create(fn, 0, prio, fault_ep);
    if (t == NULL) {
        return NULL;
    }
    set_instruction_breakpoint(t->tcb, bp, kt_dbg_target);
    if (ktest_failed()) {
        return NULL;
    }
    kt_thread_start(t);
    return t;
}

/* --- labels ------------------------------------------------------------ */

/* seL4's numbering with the option (object-api.xml): the four debug
 * methods follow UnbindNotification and everything after moves by four. */
static void test_labels(void)
{
    KT_ASSERT_EQ(TCBUnbindNotification, 14);
    KT_ASSERT_EQ(TCBSetBreakpoint, 15);
    KT_ASSERT_EQ(TCBGetBreakpoint, 16);
    KT_ASSERT_EQ(TCBUnsetBreakpoint, 17);
    KT_ASSERT_EQ(TCBConfigureSingleStepping, 18);
    KT_ASSERT_EQ(TCBSetTLSBase, 19);
    KT_ASSERT_EQ(nInvocationLabels, 37);
    KT_ASSERT_EQ(nArchInvocationLabels, 55);
    KT_ASSERT_EQ(seL4_Fault_DebugException, 4);
    KT_ASSERT_EQ(seL4_NumHWBreakpoints, 10);
    KT_ASSERT_EQ(seL4_FirstWatchpoint, 6);
    expect_unknown_labels_illegal(TCBSetFlags + 1);
    /* SetTLSBase still works under its new number. */
    KT_ASSERT_OK(seL4_TCB_SetTLSBase(seL4_CapInitThreadTCB, (seL4_Word)__builtin_thread_pointer()));
}

/* --- breakpoints --------------------------------------------------------- */

/* Every instruction breakpoint ID: the fault names the instruction, the ID
 * and the reason; x0 shows the instruction did not run; a reply restarts
 * at it (so it fires again); unset, the thread runs on to its BRK. */
KT_THREAD_TEST(test_breakpoint_fault)
{
    if (!make_handler()) {
        return;
    }
    for (seL4_Word bp = seL4_FirstBreakpoint; bp < seL4_NumExclusiveBreakpoints; bp++) {
        kt_thread_t *t = code_thread(KT_PRIO_HIGH);
        KT_RETURN_IF_FAILED();
        set_instruction_breakpoint(t->tcb, bp, kt_dbg_target);
        kt_thread_start(t);
        dbg_fault_t f;
        EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, bp);
        KT_ASSERT_EQ(thread_x0(t), 1);
        reply(0, 0);
        EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, bp);
        KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, (seL4_Uint16)bp));
        reply(0, 0);
        EXPECT_DEBUG_FAULT(f, kt_dbg_stop, seL4_SoftwareBreakRequest, 0, 0);
        KT_ASSERT_EQ(thread_x0(t), CODE_INSNS);
        kt_thread_destroy(t);
    }
    kt_kernel_self_check();
}

/* A reply with a non-zero label leaves the thread stopped at the breakpoint. */
KT_THREAD_TEST(test_breakpoint_reply_stops)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    set_instruction_breakpoint(t->tcb, 3, kt_dbg_target);
    kt_thread_start(t);
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, 3);
    KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, 3));
    reply(1, 0);
    seL4_Word badge = 0x1234;
    seL4_NBRecv(handler_ep, &badge);
    KT_ASSERT_EQ(badge, 0);
    KT_ASSERT_EQ(thread_x0(t), 1);
}

/* GetBreakpoint reports what SetBreakpoint set, per ID; UnsetBreakpoint
 * disables and clears it; IDs never set read as disabled zeros. */
KT_THREAD_TEST(test_get_breakpoint)
{
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    static seL4_Word data[4] __attribute__((aligned(32)));
    seL4_TCB_GetBreakpoint_t g = seL4_TCB_GetBreakpoint(t->tcb, 7);
    KT_ASSERT_EQ(g.error, seL4_NoError);
    KT_ASSERT_EQ(g.vaddr, 0);
    KT_ASSERT_EQ(g.type, seL4_DataBreakpoint);
    KT_ASSERT_EQ(g.is_enabled, 0);
    set_instruction_breakpoint(t->tcb, 2, kt_dbg_target);
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(t->tcb, 7, (seL4_Word)&data[2], seL4_DataBreakpoint, 2,
                                        seL4_BreakOnWrite));
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(t->tcb, 9, (seL4_Word)&data[1], seL4_DataBreakpoint, 8,
                                        seL4_BreakOnReadWrite));
    g = seL4_TCB_GetBreakpoint(t->tcb, 2);
    KT_ASSERT_EQ(g.error, seL4_NoError);
    KT_ASSERT_EQ(g.vaddr, (seL4_Word)kt_dbg_target);
    KT_ASSERT_EQ(g.type, seL4_InstructionBreakpoint);
    KT_ASSERT_EQ(g.size, 0);
    KT_ASSERT_EQ(g.rw, seL4_BreakOnRead);
    KT_ASSERT_EQ(g.is_enabled, 1);
    g = seL4_TCB_GetBreakpoint(t->tcb, 7);
    KT_ASSERT_EQ(g.vaddr, (seL4_Word)&data[2]);
    KT_ASSERT_EQ(g.type, seL4_DataBreakpoint);
    KT_ASSERT_EQ(g.size, 2);
    KT_ASSERT_EQ(g.rw, seL4_BreakOnWrite);
    KT_ASSERT_EQ(g.is_enabled, 1);
    g = seL4_TCB_GetBreakpoint(t->tcb, 9);
    KT_ASSERT_EQ(g.size, 8);
    KT_ASSERT_EQ(g.rw, seL4_BreakOnReadWrite);
    /* Setting an ID again replaces it. */
    set_instruction_breakpoint(t->tcb, 2, kt_dbg_stop);
    g = seL4_TCB_GetBreakpoint(t->tcb, 2);
    KT_ASSERT_EQ(g.vaddr, (seL4_Word)kt_dbg_stop);
    KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, 7));
    g = seL4_TCB_GetBreakpoint(t->tcb, 7);
    KT_ASSERT_EQ(g.error, seL4_NoError);
    KT_ASSERT_EQ(g.is_enabled, 0);
    KT_ASSERT_EQ(g.vaddr, 0);
    KT_ASSERT_EQ(g.size, 0);
    g = seL4_TCB_GetBreakpoint(t->tcb, 2);
    KT_ASSERT_EQ(g.is_enabled, 1); /* the others stay */
    kt_kernel_self_check();
}

/* --- watchpoints --------------------------------------------------------- */

static volatile seL4_Word watched[4] __attribute__((aligned(32)));
static volatile seL4_Word loaded;

/* kt_load/kt_store (test_fault.c): one 8-byte access at kt_load_insn and
 * kt_store_insn. */
seL4_Word kt_load(seL4_Word addr);
void kt_store(seL4_Word addr, seL4_Word value);
extern char kt_load_insn[], kt_store_insn[];

static void load_then_store(seL4_Word addr)
{
    loaded = kt_load(addr);
    kt_store(addr, 0x5707e);
}

static void store_then_load(seL4_Word addr)
{
    kt_store(addr, 0x5707e);
    loaded = kt_load(addr);
}

/* A thread running fn(addr) with watchpoint `bp` on addr (size, rw). */
static kt_thread_t *watched_thread(kt_thread_fn fn, seL4_Word bp, seL4_Word size, seL4_Word rw)
{
    seL4_Word addr = (seL4_Word)&watched[1];
    kt_thread_t *t = kt_thread_create(fn, addr, KT_PRIO_HIGH, handler_cap);
    if (t == NULL) {
        return NULL;
    }
    if (seL4_TCB_SetBreakpoint(t->tcb, (seL4_Uint16)bp, addr, seL4_DataBreakpoint, size, rw) !=
        seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "SetBreakpoint %lu failed", bp);
        return NULL;
    }
    kt_thread_start(t);
    return t;
}

/* Break on read, every watchpoint ID: the store passes, the load faults
 * with the data address; replied, it faults again; unset, it completes. */
KT_THREAD_TEST(test_watchpoint_read)
{
    if (!make_handler()) {
        return;
    }
    for (seL4_Word bp = seL4_FirstWatchpoint; bp < seL4_NumHWBreakpoints; bp++) {
        watched[1] = 0;
        loaded = 0;
        kt_thread_t *t = watched_thread(store_then_load, bp, 8, seL4_BreakOnRead);
        KT_RETURN_IF_FAILED();
        dbg_fault_t f;
        EXPECT_DEBUG_FAULT(f, kt_load_insn, seL4_DataBreakpoint, &watched[1], bp);
        KT_ASSERT_EQ(watched[1], 0x5707e);
        reply(0, 0);
        EXPECT_DEBUG_FAULT(f, kt_load_insn, seL4_DataBreakpoint, &watched[1], bp);
        KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, (seL4_Uint16)bp));
        reply(0, 0);
        KT_ASSERT(t->finished);
        KT_ASSERT_EQ(loaded, 0x5707e);
        kt_thread_destroy(t);
    }
}

/* Break on write (4 bytes): the load passes, the store faults before it
 * writes. */
KT_THREAD_TEST(test_watchpoint_write)
{
    if (!make_handler()) {
        return;
    }
    watched[1] = 0x1111;
    kt_thread_t *t =
        watched_thread(load_then_store, seL4_FirstWatchpoint + 2, 4, seL4_BreakOnWrite);
    KT_RETURN_IF_FAILED();
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_store_insn, seL4_DataBreakpoint, &watched[1],
                       seL4_FirstWatchpoint + 2);
    KT_ASSERT_EQ(loaded, 0x1111);
    KT_ASSERT_EQ(watched[1], 0x1111);
    KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, seL4_FirstWatchpoint + 2));
    reply(0, 0);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(watched[1], 0x5707e);
}

/* Break on either: the load faults; skipped (pc + 4 written by the
 * handler), the store faults too. */
KT_THREAD_TEST(test_watchpoint_read_write)
{
    if (!make_handler()) {
        return;
    }
    watched[1] = 0x2222;
    loaded = 0;
    kt_thread_t *t =
        watched_thread(load_then_store, seL4_FirstWatchpoint + 1, 8, seL4_BreakOnReadWrite);
    KT_RETURN_IF_FAILED();
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_load_insn, seL4_DataBreakpoint, &watched[1], seL4_FirstWatchpoint + 1);
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 4, &r));
    r.pc += 4;
    r.x0 = 0x3333; /* as if loaded */
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 4, &r));
    reply(0, 0);
    EXPECT_DEBUG_FAULT(f, kt_store_insn, seL4_DataBreakpoint, &watched[1],
                       seL4_FirstWatchpoint + 1);
    KT_ASSERT_EQ(loaded, 0x3333);
    KT_ASSERT_EQ(watched[1], 0x2222);
    KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(t->tcb, seL4_FirstWatchpoint + 1));
    reply(0, 0);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(watched[1], 0x5707e);
}

static volatile uint8_t bytes[16] __attribute__((aligned(16)));

static void byte_accesses(seL4_Word arg)
{
    (void)arg;
    kt_dbg_ldrb((seL4_Word)&bytes[4]);
    kt_dbg_strb((seL4_Word)&bytes[6], 0x66);
    kt_dbg_strb((seL4_Word)&bytes[5], 0x55);
}

/* A one-byte watchpoint in the middle of a doubleword watches that byte
 * only: its neighbours pass, the byte faults with its own address. */
KT_THREAD_TEST(test_watchpoint_byte)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = kt_thread_create(byte_accesses, 0, KT_PRIO_HIGH, handler_cap);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(t->tcb, seL4_FirstWatchpoint + 3, (seL4_Word)&bytes[5],
                                        seL4_DataBreakpoint, 1, seL4_BreakOnReadWrite));
    kt_thread_start(t);
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_dbg_strb_insn, seL4_DataBreakpoint, &bytes[5],
                       seL4_FirstWatchpoint + 3);
    KT_ASSERT_EQ(bytes[6], 0x66);
    KT_ASSERT_EQ(bytes[5], 0);
}

/* --- single stepping ----------------------------------------------------- */

/* Stepping one instruction at a time: a fault after each, at the next
 * instruction, with reason SingleStep and two words; the reply's MR0 says
 * how many to run before the next (an empty reply: one); 0 stops. */
KT_THREAD_TEST(test_single_step)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    seL4_TCB_ConfigureSingleStepping_t c = seL4_TCB_ConfigureSingleStepping(t->tcb, 0, 1);
    KT_ASSERT_EQ(c.error, seL4_NoError);
    KT_ASSERT_EQ(c.bp_was_consumed, 1);
    kt_thread_start(t);
    seL4_Word code = (seL4_Word)kt_dbg_code;
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, code + 4, seL4_SingleStep, 0, 0);
    KT_ASSERT_EQ(thread_x0(t), 1);
    reply(0, 0);
    EXPECT_DEBUG_FAULT(f, code + 8, seL4_SingleStep, 0, 0);
    seL4_SetMR(0, 3);
    reply(0, 1);
    EXPECT_DEBUG_FAULT(f, code + 20, seL4_SingleStep, 0, 0);
    KT_ASSERT_EQ(thread_x0(t), 5);
    seL4_SetMR(0, 0);
    reply(0, 1);
    EXPECT_DEBUG_FAULT(f, kt_dbg_stop, seL4_SoftwareBreakRequest, 0, 0);
    KT_ASSERT_EQ(thread_x0(t), CODE_INSNS);
    kt_kernel_self_check();
}

/* ConfigureSingleStepping's count: the first fault comes after that many
 * instructions; 0 disables stepping (and consumes no ID); the ID argument
 * is not used on AArch64. */
KT_THREAD_TEST(test_single_step_count)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    seL4_TCB_ConfigureSingleStepping_t c = seL4_TCB_ConfigureSingleStepping(t->tcb, 9, 0);
    KT_ASSERT_EQ(c.error, seL4_NoError);
    KT_ASSERT_EQ(c.bp_was_consumed, 0);
    c = seL4_TCB_ConfigureSingleStepping(t->tcb, 0xffff, 6);
    KT_ASSERT_EQ(c.error, seL4_NoError);
    KT_ASSERT_EQ(c.bp_was_consumed, 1);
    kt_thread_start(t);
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, (seL4_Word)kt_dbg_code + 24, seL4_SingleStep, 0, 0);
    KT_ASSERT_EQ(thread_x0(t), 6);
    /* Turned off while the thread waits: the reply's count is ignored. */
    c = seL4_TCB_ConfigureSingleStepping(t->tcb, 0, 0);
    KT_ASSERT_EQ(c.bp_was_consumed, 0);
    seL4_SetMR(0, 1);
    reply(0, 1);
    EXPECT_DEBUG_FAULT(f, kt_dbg_stop, seL4_SoftwareBreakRequest, 0, 0);
    KT_ASSERT_EQ(thread_x0(t), CODE_INSNS);
}

/* A system call is not a step of its own: the step after it is the
 * instruction that follows. */
KT_THREAD_TEST(test_single_step_syscall)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, KEEL_WORDS_seL4_UserContext, &r));
    r.pc = (seL4_Word)kt_dbg_svc_code;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, KEEL_WORDS_seL4_UserContext, &r));
    seL4_Word svc = (seL4_Word)kt_dbg_svc_code + 8;
    KT_ASSERT_OK(seL4_TCB_ConfigureSingleStepping(t->tcb, 0, 2).error);
    kt_thread_start(t);
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, svc, seL4_SingleStep, 0, 0); /* add, mov */
    reply(0, 0);
    EXPECT_DEBUG_FAULT(f, svc + 8, seL4_SingleStep, 0, 0); /* svc (Yield), add */
    KT_ASSERT_EQ(thread_x0(t), 2);
}

/* --- BRK ------------------------------------------------------------------ */

/* kt_brk (test_fault.c): `brk #0x42` at kt_brk_insn. */
void kt_brk(void);
extern char kt_brk_insn[];

static void do_brk(seL4_Word arg)
{
    (void)arg;
    kt_brk();
}

/* A BRK is a software break request: two words, the BRK's address. A reply
 * restarts it, so the handler moves the thread past it first. */
KT_THREAD_TEST(test_brk)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(do_brk, 0, KT_PRIO_HIGH, handler_cap);
    KT_RETURN_IF_FAILED();
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_brk_insn, seL4_SoftwareBreakRequest, 0, 0);
    reply(0, 0);
    EXPECT_DEBUG_FAULT(f, kt_brk_insn, seL4_SoftwareBreakRequest, 0, 0);
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 1, &r));
    r.pc += 4;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, 1, &r));
    reply(0, 0);
    KT_ASSERT(t->finished);
}

/* --- errors ----------------------------------------------------------------- */

#define KERNEL_ADDRESS 0xffff000040000000ul
#define PAST_USER_TOP 0x0000800000000000ul

/* Every SetBreakpoint argument error, in seL4's order (argument numbers as
 * seL4 reports them, docs/debug.md); none changes anything. */
KT_THREAD_TEST(test_set_breakpoint_errors)
{
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    seL4_CPtr tcb = t->tcb;
    seL4_Word at = (seL4_Word)&watched[0];
    seL4_Word code = (seL4_Word)kt_dbg_target;
    seL4_Word mrs[5] = { 6, at, seL4_DataBreakpoint, 8, seL4_BreakOnRead };
    KT_ASSERT_ERROR(kt_call(tcb, TCBSetBreakpoint, mrs, 4, NULL, 0).words[0] >> 12,
                    seL4_TruncatedMessage);
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 6, KERNEL_ADDRESS, seL4_DataBreakpoint, 8, seL4_BreakOnRead),
        seL4_InvalidArgument, 1);
    KT_ASSERT_ERROR(seL4_TCB_SetBreakpoint(tcb, 0, PAST_USER_TOP, seL4_InstructionBreakpoint, 0,
                                           seL4_BreakOnRead),
                    seL4_InvalidArgument, 1);
    for (seL4_Word type = seL4_SingleStep; type <= seL4_SoftwareBreakRequest + 3; type++) {
        KT_ASSERT_ERROR_AT(type, seL4_TCB_SetBreakpoint(tcb, 6, at, type, 8, seL4_BreakOnRead),
                           seL4_InvalidArgument, 2);
    }
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 0, code, seL4_InstructionBreakpoint, 4, seL4_BreakOnRead),
        seL4_InvalidArgument, 3);
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 0, code, seL4_InstructionBreakpoint, 0, seL4_BreakOnWrite),
        seL4_InvalidArgument, 4);
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 6, code, seL4_InstructionBreakpoint, 0, seL4_BreakOnRead),
        seL4_InvalidArgument, 2);
    KT_ASSERT_ERROR(seL4_TCB_SetBreakpoint(tcb, 6, at, seL4_DataBreakpoint, 0, seL4_BreakOnRead),
                    seL4_InvalidArgument, 3);
    KT_ASSERT_ERROR(seL4_TCB_SetBreakpoint(tcb, 5, at, seL4_DataBreakpoint, 8, seL4_BreakOnRead),
                    seL4_InvalidArgument, 2);
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 6, at, seL4_DataBreakpoint, 8, seL4_MaxBreakpointAccess),
        seL4_InvalidArgument, 4);
    for (seL4_Word size = 3; size <= 16; size += 13) {
        KT_ASSERT_ERROR_AT(
            size, seL4_TCB_SetBreakpoint(tcb, 6, at, seL4_DataBreakpoint, size, seL4_BreakOnRead),
            seL4_InvalidArgument, 3);
    }
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 6, at + 4, seL4_DataBreakpoint, 8, seL4_BreakOnRead),
        seL4_AlignmentError);
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(tcb, 6, at + 1, seL4_DataBreakpoint, 2, seL4_BreakOnRead),
        seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_SetBreakpoint(tcb, seL4_NumHWBreakpoints, at, seL4_DataBreakpoint, 8,
                                           seL4_BreakOnRead),
                    seL4_RangeError, seL4_FirstWatchpoint, seL4_NumHWBreakpoints - 1);
    /* bp_num is a whole word: 0x10006 is not ID 6. */
    mrs[0] = 0x10006;
    KT_ASSERT_ERROR(kt_call(tcb, TCBSetBreakpoint, mrs, 5, NULL, 0).words[0] >> 12, seL4_RangeError,
                    seL4_FirstWatchpoint, seL4_NumHWBreakpoints - 1);
    /* Not a TCB. */
    KT_ASSERT_ERROR(
        seL4_TCB_SetBreakpoint(KT_ROOT, 6, at, seL4_DataBreakpoint, 8, seL4_BreakOnRead),
        seL4_IllegalOperation);
    for (seL4_Word bp = 0; bp < seL4_NumHWBreakpoints; bp++) {
        seL4_TCB_GetBreakpoint_t g = seL4_TCB_GetBreakpoint(tcb, (seL4_Uint16)bp);
        KT_ASSERT_EQ(g.error, seL4_NoError);
        KT_ASSERT_EQ(g.is_enabled, 0);
    }
    /* At the edges: the last user address and the last IDs are fine. */
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(tcb, 0, 0x00007ffffffffffcul, seL4_InstructionBreakpoint, 0,
                                        seL4_BreakOnRead));
    KT_ASSERT_OK(seL4_TCB_SetBreakpoint(tcb, seL4_NumHWBreakpoints - 1, 0x00007fffffffffffu,
                                        seL4_DataBreakpoint, 1, seL4_BreakOnWrite));
    kt_kernel_self_check();
}

/* GetBreakpoint, UnsetBreakpoint and ConfigureSingleStepping: an ID past
 * the last is a RangeError; a short message is truncated. */
KT_THREAD_TEST(test_other_method_errors)
{
    kt_thread_t *t = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    seL4_CPtr tcb = t->tcb;
    KT_ASSERT_ERROR(seL4_TCB_GetBreakpoint(tcb, seL4_NumHWBreakpoints).error, seL4_RangeError, 0,
                    seL4_NumHWBreakpoints - 1);
    KT_ASSERT_ERROR(seL4_TCB_UnsetBreakpoint(tcb, 0xffff), seL4_RangeError, 0,
                    seL4_NumHWBreakpoints - 1);
    seL4_Word mrs[2] = { 0, 1 };
    KT_ASSERT_ERROR(kt_call(tcb, TCBGetBreakpoint, mrs, 0, NULL, 0).words[0] >> 12,
                    seL4_TruncatedMessage);
    KT_ASSERT_ERROR(kt_call(tcb, TCBUnsetBreakpoint, mrs, 0, NULL, 0).words[0] >> 12,
                    seL4_TruncatedMessage);
    KT_ASSERT_ERROR(kt_call(tcb, TCBConfigureSingleStepping, mrs, 1, NULL, 0).words[0] >> 12,
                    seL4_TruncatedMessage);
    KT_ASSERT_ERROR(seL4_TCB_GetBreakpoint(KT_ROOT, 0).error, seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_UnsetBreakpoint(KT_ROOT, 0), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_ConfigureSingleStepping(KT_ROOT, 0, 1).error, seL4_IllegalOperation);
    /* Unsetting what was never set is fine. */
    KT_ASSERT_OK(seL4_TCB_UnsetBreakpoint(tcb, 4));
}

/* --- isolation --------------------------------------------------------------- */

/* Breakpoints are per thread: with A stopped at its breakpoint, B (none)
 * runs the same code through; C (another breakpoint) stops at its own;
 * and A, replied to, stops at its own again. */
KT_THREAD_TEST(test_breakpoint_per_thread)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *a = code_thread(KT_PRIO_HIGH);
    kt_thread_t *b = code_thread(KT_PRIO_HIGH);
    kt_thread_t *c = code_thread(KT_PRIO_HIGH);
    KT_RETURN_IF_FAILED();
    set_instruction_breakpoint(a->tcb, 0, kt_dbg_target);
    set_instruction_breakpoint(c->tcb, 1, kt_dbg_target + 8);
    dbg_fault_t f;
    kt_thread_start(a);
    EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, 0);
    seL4_CPtr reply_a = kt_env_slot();
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, reply_a, KT_DEPTH));
    kt_thread_start(b);
    EXPECT_DEBUG_FAULT(f, kt_dbg_stop, seL4_SoftwareBreakRequest, 0, 0);
    KT_ASSERT_EQ(thread_x0(b), CODE_INSNS);
    KT_ASSERT_EQ(kt_dbg_code(0), CODE_INSNS); /* the root task too */
    kt_thread_start(c);
    EXPECT_DEBUG_FAULT(f, kt_dbg_target + 8, seL4_InstructionBreakpoint, kt_dbg_target + 8, 1);
    KT_ASSERT_EQ(thread_x0(c), 3);
    seL4_Send(reply_a, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, 0);
    kt_kernel_self_check();
}

/* Calls the root task, then runs the code: its breakpoint must hold across
 * the IPC, and must not follow it into the root task. */
static void call_then_code(seL4_Word arg)
{
    (void)arg;
    seL4_SetMR(0, 0x11);
    seL4_MessageInfo_t info = seL4_Call(ipc_ep, seL4_MessageInfo_new(0, 0, 0, 1));
    KT_ASSERT_EQ(seL4_GetMR(0), 0x22);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), 1);
    kt_dbg_code(0);
}

/* A thread with a breakpoint and one without exchange Call and Reply (the
 * cases the IPC fastpath would take: the caller has the lower priority, so
 * the root task is already waiting): the root task runs the breakpointed
 * code while the caller waits, then the caller hits its breakpoint. */
KT_THREAD_TEST(test_breakpoint_across_ipc)
{
    if (!make_handler_and_ipc_ep()) {
        return;
    }
    kt_thread_t *t = spawn_with_breakpoint(call_then_code, KT_PRIO_LOW, handler_cap, 5);
    KT_RETURN_IF_FAILED();
    for (int round = 0; round < 2; round++) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(ipc_ep, &badge);
        KT_ASSERT_EQ(seL4_GetMR(0), 0x11);
        KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), 1);
        KT_ASSERT_EQ(kt_dbg_code(0), CODE_INSNS);
        seL4_SetMR(0, 0x22);
        if (round == 0) {
            /* Reply, then check the fault; the second round replies with
             * ReplyRecv on the handler endpoint instead. */
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
            dbg_fault_t f;
            EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, 5);
            kt_thread_destroy(t);
            t = spawn_with_breakpoint(call_then_code, KT_PRIO_LOW, handler_cap, 5);
            KT_RETURN_IF_FAILED();
            continue;
        }
        seL4_Word fault_badge;
        info = seL4_ReplyRecv(handler_ep, seL4_MessageInfo_new(0, 0, 0, 1), &fault_badge);
        KT_ASSERT_EQ(fault_badge, HANDLER_BADGE);
        KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_DebugException);
        KT_ASSERT_EQ(seL4_GetMR(seL4_DebugException_FaultIP), (seL4_Word)kt_dbg_target);
    }
    kt_kernel_self_check();
}

/* A server that answers every Call with ReplyRecv. */
static void reply_recv_server(seL4_Word arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(ipc_ep, &badge);
    for (;;) {
        seL4_ReplyRecv(ipc_ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

static void load_unmapped(seL4_Word arg)
{
    (void)arg;
    kt_load(0x1008); /* below the root image: nothing is mapped there */
}

/* Leaving a thread with a breakpoint for the root task, in the ways the
 * fastpath takes (a server's ReplyRecv, a VM fault to a waiting handler),
 * leaves none of its breakpoints behind: the root task runs the code. */
KT_THREAD_TEST(test_breakpoint_left_behind)
{
    if (!make_handler_and_ipc_ep()) {
        return;
    }
    spawn_with_breakpoint(reply_recv_server, KT_PRIO_HIGH, 0, 0);
    KT_RETURN_IF_FAILED();
    for (int i = 0; i < 3; i++) {
        seL4_Call(ipc_ep, seL4_MessageInfo_new(0, 0, 0, 0));
        KT_ASSERT_EQ(kt_dbg_code(0), CODE_INSNS);
    }
    spawn_with_breakpoint(load_unmapped, KT_PRIO_LOW, handler_cap, 1);
    KT_RETURN_IF_FAILED();
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(handler_ep, &badge);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_VMFault);
    KT_ASSERT_EQ(kt_dbg_code(0), CODE_INSNS);
}

static void call_then_code_then_stop(seL4_Word arg)
{
    (void)arg;
    seL4_Call(ipc_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    kt_dbg_code(0);
}

/* A breakpoint set while its thread waits for a reply holds when the reply
 * (ReplyRecv, the fastpath's case) lets it run. */
KT_THREAD_TEST(test_breakpoint_set_while_blocked)
{
    if (!make_handler_and_ipc_ep()) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(call_then_code_then_stop, 0, KT_PRIO_HIGH, handler_cap);
    KT_RETURN_IF_FAILED();
    seL4_Word badge;
    seL4_Recv(ipc_ep, &badge);
    set_instruction_breakpoint(t->tcb, 0, kt_dbg_target);
    seL4_MessageInfo_t info = seL4_ReplyRecv(handler_ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    KT_ASSERT_EQ(badge, HANDLER_BADGE);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_DebugException);
    KT_ASSERT_EQ(seL4_GetMR(seL4_DebugException_FaultIP), (seL4_Word)kt_dbg_target);
    KT_ASSERT(!t->finished);
}

static void set_own_breakpoint(seL4_Word arg)
{
    (void)arg;
    set_instruction_breakpoint(kt_self()->tcb, 4, kt_dbg_target);
    kt_dbg_code(0);
}

/* A thread may set a breakpoint on itself: it holds at once. */
KT_THREAD_TEST(test_breakpoint_on_self)
{
    if (!make_handler()) {
        return;
    }
    kt_thread_t *t = kt_thread_spawn(set_own_breakpoint, 0, KT_PRIO_HIGH, handler_cap);
    KT_RETURN_IF_FAILED();
    dbg_fault_t f;
    EXPECT_DEBUG_FAULT(f, kt_dbg_target, seL4_InstructionBreakpoint, kt_dbg_target, 4);
    KT_ASSERT(!t->finished);
}

const ktest_case_t ktest_hwdebug_cases[] = {
    { "hwdebug.labels", test_labels },
    { "hwdebug.breakpoint_fault", test_breakpoint_fault },
    { "hwdebug.breakpoint_reply_stops", test_breakpoint_reply_stops },
    { "hwdebug.get_breakpoint", test_get_breakpoint },
    { "hwdebug.watchpoint_read", test_watchpoint_read },
    { "hwdebug.watchpoint_write", test_watchpoint_write },
    { "hwdebug.watchpoint_read_write", test_watchpoint_read_write },
    { "hwdebug.watchpoint_byte", test_watchpoint_byte },
    { "hwdebug.single_step", test_single_step },
    { "hwdebug.single_step_count", test_single_step_count },
    { "hwdebug.single_step_syscall", test_single_step_syscall },
    { "hwdebug.brk", test_brk },
    { "hwdebug.set_breakpoint_errors", test_set_breakpoint_errors },
    { "hwdebug.other_method_errors", test_other_method_errors },
    { "hwdebug.breakpoint_per_thread", test_breakpoint_per_thread },
    { "hwdebug.breakpoint_across_ipc", test_breakpoint_across_ipc },
    { "hwdebug.breakpoint_set_while_blocked", test_breakpoint_set_while_blocked },
    { "hwdebug.breakpoint_left_behind", test_breakpoint_left_behind },
    { "hwdebug.breakpoint_on_self", test_breakpoint_on_self },
    { NULL, NULL },
};

#endif
