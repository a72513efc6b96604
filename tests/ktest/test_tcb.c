/* TCB methods (ABI 5.4.2, 8.1, 8.3-8.5): every check with its error words,
 * register reads and writes, copying, spaces and IPC buffers, priorities,
 * suspend and resume, notification binding, TLS base and flags. */
#include "threads.h"
#include <keel/string.h>

#define NWORDS KEEL_WORDS_seL4_UserContext /* 36 */

static seL4_Word *ctx_words(seL4_UserContext *c)
{
    return (seL4_Word *)c;
}

/* Distinct values for every register (the SPSR one already sanitised). */
static void fill_context(seL4_UserContext *c, seL4_Word seed)
{
    seL4_Word *w = ctx_words(c);
    for (int i = 0; i < NWORDS; i++) {
        w[i] = kt_pattern(seed, (seL4_Word)i);
    }
    c->spsr = 0x40;
}

/* --- ReadRegisters / WriteRegisters ----------------------------------- */

KT_THREAD_TEST(test_read_registers_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(tcb, 0, 0, 0, &r), seL4_RangeError, 1, NWORDS);
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS + 1, &r), seL4_RangeError, 1, NWORDS);
    /* The count is a whole word (ABI 5.3 rule 8). */
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(tcb, 0, 0, (1ul << 32) | 1, &r), seL4_RangeError, 1,
                    NWORDS);
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(tcb, 0, 0, ~0ul, &r), seL4_RangeError, 1, NWORDS);

    seL4_Word mrs[2] = { 0, 1 };
    KT_ASSERT_INFO(kt_call(tcb, TCBReadRegisters, mrs, 1, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBReadRegisters, mrs, 0, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBReadRegisters, mrs, 2, NULL, 0), 0, 1);

    /* Reading the caller itself: the range check comes first. */
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, 0, &r), seL4_RangeError, 1,
                    NWORDS);
    KT_ASSERT_INFO(kt_call(seL4_CapInitThreadTCB, TCBReadRegisters, mrs, 2, NULL, 0),
                   seL4_IllegalOperation, 0);
    KT_ASSERT_ERROR(seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, NWORDS, &r),
                    seL4_IllegalOperation);

    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, 1, &r));
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
}

/* The reply of ReadRegisters: x0 = 0, the tag says count words, MR0..MR3 in
 * x2..x5 and the rest in the buffer (ABI 1.3, 5.5). */
KT_THREAD_TEST(test_read_registers_reply)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext w;
    fill_context(&w, 11);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, NWORDS, &w));
    for (seL4_Word count = 1; count <= NWORDS; count++) {
        for (int i = 0; i < 8; i++) {
            seL4_SetMR(4 + i, 0xdead0000 + (seL4_Word)i);
        }
        seL4_Word regs[8] = { tcb,  seL4_MessageInfo_new(TCBReadRegisters, 0, 0, 2).words[0],
                              0,    count,
                              0x22, 0x33,
                              0x66, seL4_SysCall };
        kt_svc(regs);
        KT_ASSERT_EQ(regs[0], 0);
        KT_ASSERT_EQ(regs[1], seL4_MessageInfo_new(0, 0, 0, count).words[0]);
        seL4_Word *want = ctx_words(&w);
        for (seL4_Word i = 0; i < count && i < 4; i++) {
            KT_ASSERT_EQ(regs[2 + i], want[i]);
        }
        for (seL4_Word i = count; i < 4; i++) {
            KT_ASSERT_EQ(regs[2 + i], i == 1 ? count : i == 2 ? 0x22ul : 0x33ul);
        }
        for (seL4_Word i = 4; i < count; i++) {
            KT_ASSERT_EQ(seL4_GetMR((int)i), want[i]);
        }
        KT_ASSERT_EQ(regs[6], 0x66);
        KT_ASSERT_EQ(regs[7], (seL4_Word)seL4_SysCall);
    }
}

KT_THREAD_TEST(test_write_read_roundtrip)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext w, r;
    fill_context(&w, 1);
    w.spsr = ~0ul; /* only NZCV kept, 0x40 forced (ABI 8.3) */
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, NWORDS, &w));
    memset(&r, 0, sizeof(r));
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
    for (int i = 0; i < NWORDS; i++) {
        seL4_Word want = i == 2 ? 0xf0000040ul : ctx_words(&w)[i];
        if (ctx_words(&r)[i] != want) {
            KT_FAIL("register %d reads 0x%lx, written 0x%lx", i, ctx_words(&r)[i], want);
        }
    }

    /* SPSR values: nothing but NZCV survives. */
    static const seL4_Word spsr_in[] = { 0, 0x3c5, 0x60000000, 0x800003c0, 0xffffffff0fffffff };
    static const seL4_Word spsr_out[] = { 0x40, 0x40, 0x60000040, 0x80000040, 0x40 };
    for (size_t i = 0; i < sizeof(spsr_in) / sizeof(spsr_in[0]); i++) {
        w.spsr = spsr_in[i];
        KT_ASSERT_OK_AT(i, seL4_TCB_WriteRegisters(tcb, 0, 0, 3, &w));
        KT_ASSERT_OK_AT(i, seL4_TCB_ReadRegisters(tcb, 0, 0, 3, &r));
        KT_ASSERT_EQ(r.spsr, spsr_out[i]);
    }

    /* A partial write changes the first `count` registers only. */
    seL4_UserContext w2;
    fill_context(&w, 2);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, NWORDS, &w));
    fill_context(&w2, 3);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, 5, &w2));
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
    for (int i = 0; i < NWORDS; i++) {
        seL4_Word want = i < 5 ? ctx_words(&w2)[i] : ctx_words(&w)[i];
        if (ctx_words(&r)[i] != want) {
            KT_FAIL("after a 5-register write, register %d reads 0x%lx, expected 0x%lx", i,
                    ctx_words(&r)[i], want);
        }
    }

    /* Count 0 writes nothing; a count above 36 is clamped to 36. */
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, 0, &w2));
    memset(&r, 0, sizeof(r));
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, 6, &r));
    KT_ASSERT_EQ(r.pc, w2.pc);
    KT_ASSERT_EQ(r.x2, w.x2);
    fill_context(&w, 4);
    seL4_Word mrs[2 + 100];
    mrs[0] = 0;
    mrs[1] = 100;
    memcpy(&mrs[2], &w, sizeof(w));
    for (int i = 2 + NWORDS; i < 2 + 100; i++) {
        mrs[i] = 0xbad;
    }
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 2 + 100, NULL, 0), 0, 0);
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
    KT_ASSERT(memcmp(&r, &w, sizeof(w)) == 0);
}

KT_THREAD_TEST(test_write_registers_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext w, r;
    fill_context(&w, 5);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 0, 0, NWORDS, &w));

    seL4_Word mrs[2 + NWORDS];
    mrs[0] = 0;
    mrs[1] = 5;
    for (int i = 0; i < NWORDS; i++) {
        mrs[2 + i] = 0x7700 + (seL4_Word)i;
    }
    mrs[4] = 0x40;
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 0, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 1, NULL, 0), seL4_TruncatedMessage, 0);
    /* Five registers need seven words. */
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 6, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
    KT_ASSERT(memcmp(&r, &w, sizeof(w)) == 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 7, NULL, 0), 0, 0);
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, 6, &r));
    KT_ASSERT_EQ(r.pc, 0x7700);
    KT_ASSERT_EQ(r.x1, 0x7704);
    KT_ASSERT_EQ(r.x2, w.x2);
    /* A huge count is not clamped before the length check. */
    mrs[1] = ~0ul;
    KT_ASSERT_INFO(kt_call(tcb, TCBWriteRegisters, mrs, 2 + NWORDS, NULL, 0), seL4_TruncatedMessage,
                   0);

    /* Writing the caller's own registers. */
    KT_ASSERT_ERROR(seL4_TCB_WriteRegisters(seL4_CapInitThreadTCB, 0, 0, 0, &w),
                    seL4_IllegalOperation);
}

/* A thread blocked in Recv: its pc reads as the address of its svc (ABI 8.1).
 * Writing pc makes it the resume address (ABI 1.5 rule 5): once the message
 * arrives the thread continues there, not after the svc. */
static volatile int recv_returned, landed;

static void recv_once(seL4_Word ep)
{
    seL4_Word regs[8] = { ep, 0, 0, 0, 0, 0, 0, seL4_SysRecv };
    kt_svc(regs);
    recv_returned = 1;
}

static void landing(seL4_Word arg)
{
    (void)arg;
    landed = 1;
}

/* Entered with registers an IPC may have changed: the thread comes from a
 * global. */
static kt_thread_t *landing_thread;

static void landing_entry(void)
{
    kt_thread_t *t = landing_thread;
    t->fn = landing;
    kt_thread_entry(t);
}

KT_THREAD_TEST(test_write_pc_resume_address)
{
    recv_returned = landed = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(recv_once, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_svc_insn);
    KT_ASSERT_EQ(r.x7, (seL4_Word)seL4_SysRecv);

    /* Still blocked; new pc. */
    landing_thread = t;
    kt_thread_context(t, &r);
    r.pc = (seL4_Word)landing_entry;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_EQ(landed, 0);
    seL4_SetMR(0, 1);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 1));
    KT_ASSERT_EQ(landed, 1);
    KT_ASSERT_EQ(recv_returned, 0);
    KT_ASSERT(t->finished);

    /* Suspended in Recv, rewritten and resumed by the same invocation: runs
     * at the new pc instead of repeating the Recv. */
    landed = 0;
    kt_thread_t *u = kt_thread_spawn(recv_once, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_Suspend(u->tcb));
    landing_thread = u;
    kt_thread_context(u, &r);
    r.pc = (seL4_Word)landing_entry;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(u->tcb, 1, 0, NWORDS, &r));
    KT_ASSERT_EQ(landed, 1);
    KT_ASSERT_EQ(recv_returned, 0);
    KT_ASSERT(u->finished);
}

/* A runnable thread that has not run yet starts at the rewritten pc. */
static volatile int original_ran;

static void original(seL4_Word arg)
{
    (void)arg;
    original_ran = 1;
}

KT_THREAD_TEST(test_write_pc_of_runnable_thread)
{
    original_ran = landed = 0;
    kt_thread_t *t = kt_thread_spawn(original, 0, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    landing_thread = t;
    seL4_UserContext r;
    kt_thread_context(t, &r);
    r.pc = (seL4_Word)landing_entry;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_OK(seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, KT_PRIO_HIGH));
    KT_ASSERT_EQ(landed, 1);
    KT_ASSERT_EQ(original_ran, 0);
}

/* The NZCV a thread starts with are the written SPSR's. */
static volatile seL4_Word nzcv_seen;

__asm__(".text\n"
        ".global kt_nzcv_entry\n"
        ".type kt_nzcv_entry, %function\n"
        "kt_nzcv_entry:\n" /* x0 = thread, x1 = where to store NZCV */
        "    mrs x9, nzcv\n"
        "    str x9, [x1]\n"
        "    b kt_thread_entry\n"
        ".size kt_nzcv_entry, . - kt_nzcv_entry\n");
void kt_nzcv_entry(void);

static void nothing(seL4_Word arg)
{
    (void)arg;
}

KT_THREAD_TEST(test_spsr_flags_reach_thread)
{
    static const seL4_Word spsr_in[] = { 0xf00003c0, 0x60000000, 0x9fffffff };
    static const seL4_Word nzcv_out[] = { 0xf0000000, 0x60000000, 0x90000000 };
    for (size_t i = 0; i < sizeof(spsr_in) / sizeof(spsr_in[0]); i++) {
        nzcv_seen = 0x5a5a;
        kt_thread_t *t = kt_thread_create(nothing, 0, KT_PRIO_HIGH, 0);
        KT_RETURN_IF_FAILED();
        seL4_UserContext r;
        kt_thread_context(t, &r);
        r.pc = (seL4_Word)kt_nzcv_entry;
        r.x1 = (seL4_Word)&nzcv_seen;
        r.spsr = spsr_in[i];
        KT_ASSERT_OK_AT(i, seL4_TCB_WriteRegisters(t->tcb, 1, 0, NWORDS, &r));
        KT_ASSERT(t->finished);
        KT_ASSERT_EQ(nzcv_seen, nzcv_out[i]);
        kt_thread_destroy(t);
    }
}

/* Every register a thread resumes with is the word of seL4_UserContext that
 * names it, and ReadRegisters reads each one back from the running thread's
 * state (ABI 8.1): kt_dump_registers stores x0..x30, NZCV, TPIDR_EL0 and
 * TPIDRRO_EL0 at [sp] (words 0..30, 31, 32, 33) and stops at the `udf` at
 * kt_dump_registers_udf, x0 restored. */
__asm__(".text\n"
        ".global kt_dump_registers\n"
        ".global kt_dump_registers_udf\n"
        ".type kt_dump_registers, %function\n"
        "kt_dump_registers:\n"
        "    stp x0, x1, [sp, #0]\n"
        "    stp x2, x3, [sp, #16]\n"
        "    stp x4, x5, [sp, #32]\n"
        "    stp x6, x7, [sp, #48]\n"
        "    stp x8, x9, [sp, #64]\n"
        "    stp x10, x11, [sp, #80]\n"
        "    stp x12, x13, [sp, #96]\n"
        "    stp x14, x15, [sp, #112]\n"
        "    stp x16, x17, [sp, #128]\n"
        "    stp x18, x19, [sp, #144]\n"
        "    stp x20, x21, [sp, #160]\n"
        "    stp x22, x23, [sp, #176]\n"
        "    stp x24, x25, [sp, #192]\n"
        "    stp x26, x27, [sp, #208]\n"
        "    stp x28, x29, [sp, #224]\n"
        "    str x30, [sp, #240]\n"
        "    mrs x0, nzcv\n"
        "    str x0, [sp, #248]\n"
        "    mrs x0, tpidr_el0\n"
        "    str x0, [sp, #256]\n"
        "    mrs x0, tpidrro_el0\n"
        "    str x0, [sp, #264]\n"
        "    ldr x0, [sp, #0]\n"
        "kt_dump_registers_udf:\n"
        "    udf #0\n"
        ".size kt_dump_registers, . - kt_dump_registers\n");
void kt_dump_registers(void);
extern char kt_dump_registers_udf[];

enum { DUMP_NZCV = 31, DUMP_TPIDR = 32, DUMP_TPIDRRO = 33, DUMP_WORDS = 34 };

/* Register xn (n <= 30) of a context. */
static seL4_Word x_register(const seL4_UserContext *c, int n)
{
    static const size_t at[31] = {
#define X(n) offsetof(seL4_UserContext, x##n)
        X(0),  X(1),  X(2),  X(3),  X(4),  X(5),  X(6),  X(7),  X(8),  X(9),  X(10),
        X(11), X(12), X(13), X(14), X(15), X(16), X(17), X(18), X(19), X(20), X(21),
        X(22), X(23), X(24), X(25), X(26), X(27), X(28), X(29), X(30),
#undef X
    };
    return *(const seL4_Word *)((const char *)c + at[n]);
}

KT_THREAD_TEST(test_registers_reach_the_thread)
{
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(nothing, 0, KT_PRIO_HIGH, ep);
    KT_RETURN_IF_FAILED();
    seL4_UserContext w;
    fill_context(&w, 21);
    w.pc = (seL4_Word)kt_dump_registers;
    w.sp = (t->stack_top - 1024) & ~15ul; /* the dump goes there, in its stack */
    w.spsr = 0x60000000;                  /* Z and C */
    seL4_Word *dump = (seL4_Word *)w.sp;
    memset(dump, 0, DUMP_WORDS * sizeof(seL4_Word));
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 1, 0, NWORDS, &w));

    /* It ran at once (KT_PRIO_HIGH) up to the udf, whose fault waits. */
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    KT_ASSERT_INFO(info, seL4_Fault_UserException, seL4_UserException_Length);
    KT_ASSERT_EQ(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)kt_dump_registers_udf);
    for (int n = 0; n <= 30; n++) {
        if (dump[n] != x_register(&w, n)) {
            KT_FAIL("x%d of the thread is 0x%lx, written 0x%lx", n, dump[n], x_register(&w, n));
        }
    }
    KT_ASSERT_EQ(dump[DUMP_NZCV], 0x60000000);
    KT_ASSERT_EQ(dump[DUMP_TPIDR], w.tpidr_el0);
    KT_ASSERT_EQ(dump[DUMP_TPIDRRO], w.tpidrro_el0);

    /* Read back from the faulted thread: each word where the ABI puts it. */
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_dump_registers_udf);
    KT_ASSERT_EQ(r.sp, w.sp);
    KT_ASSERT_EQ(r.spsr, 0x60000040); /* NZCV kept, EL0t with FIQ masked (ABI 8.3) */
    for (int n = 0; n <= 30; n++) {
        if (x_register(&r, n) != dump[n]) {
            KT_FAIL("ReadRegisters gives x%d = 0x%lx, the thread had 0x%lx", n, x_register(&r, n),
                    dump[n]);
        }
    }
    KT_ASSERT_EQ(r.tpidr_el0, dump[DUMP_TPIDR]);
    KT_ASSERT_EQ(r.tpidrro_el0, dump[DUMP_TPIDRRO]);
}

/* --- CopyRegisters ----------------------------------------------------- */

KT_THREAD_TEST(test_copy_registers)
{
    seL4_CPtr src = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr dst = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext s, d, r;
    fill_context(&s, 21);
    s.spsr = 0x60000040;
    fill_context(&d, 22);
    d.spsr = 0x90000040;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(src, 0, 0, NWORDS, &s));

    /* Groups (ABI 8.1): frame = 0..16, integer = 17..35. */
    for (int groups = 0; groups < 4; groups++) {
        bool frame = groups & 1, integer = groups & 2;
        KT_ASSERT_OK_AT(groups, seL4_TCB_WriteRegisters(dst, 0, 0, NWORDS, &d));
        KT_ASSERT_OK_AT(groups, seL4_TCB_CopyRegisters(dst, src, 0, 0, frame, integer, 0));
        KT_ASSERT_OK_AT(groups, seL4_TCB_ReadRegisters(dst, 0, 0, NWORDS, &r));
        for (int i = 0; i < NWORDS; i++) {
            bool copied = i < KEEL_seL4_UserContext_frame_WORDS ? frame : integer;
            seL4_Word want = copied ? ctx_words(&s)[i] : ctx_words(&d)[i];
            if (ctx_words(&r)[i] != want) {
                KT_FAIL("frame %d integer %d: register %d reads 0x%lx, expected 0x%lx", frame,
                        integer, i, ctx_words(&r)[i], want);
            }
        }
    }

    /* Errors: the source must be a TCB (InvalidCapability 1); one word and
     * one cap are needed. */
    KT_ASSERT_ERROR(seL4_TCB_CopyRegisters(dst, ep, 0, 0, 1, 1, 0), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_TCB_CopyRegisters(dst, seL4_CapInitThreadCNode, 0, 0, 1, 1, 0),
                    seL4_InvalidCapability, 1);
    seL4_Word mr = 0xc;
    KT_ASSERT_INFO(kt_call(dst, TCBCopyRegisters, &mr, 1, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(dst, TCBCopyRegisters, &mr, 0, &src, 1), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(dst, TCBCopyRegisters, &mr, 1, &src, 1), 0, 0);
}

/* suspend_source stops a thread blocked in Recv; resume_target starts the
 * destination (with the copied registers: it runs the source's function). */
static volatile int recv_count;
static volatile seL4_CPtr copy_stop_tcb;
static volatile int copied_ran;

static void recv_loop(seL4_Word ep)
{
    for (;;) {
        seL4_Recv(ep, NULL);
        recv_count++;
    }
}

static void copied_function(seL4_Word arg)
{
    (void)arg;
    copied_ran = 1;
    seL4_TCB_Suspend(copy_stop_tcb);
}

KT_THREAD_TEST(test_copy_registers_flags)
{
    recv_count = copied_ran = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *rx = kt_thread_spawn(recv_loop, ep, KT_PRIO_HIGH, 0);
    kt_thread_t *dst = kt_thread_create(nothing, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);

    KT_ASSERT_OK(seL4_TCB_CopyRegisters(dst->tcb, rx->tcb, 1, 0, 0, 0, 0));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);
    KT_ASSERT_OK(seL4_TCB_Resume(rx->tcb));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 2);

    /* The destination takes the registers of a thread created for
     * copied_function (never started) and is resumed. */
    kt_thread_t *src = kt_thread_create(copied_function, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    copy_stop_tcb = dst->tcb;
    KT_ASSERT_OK(seL4_TCB_CopyRegisters(dst->tcb, src->tcb, 0, 1, 1, 1, 0));
    KT_ASSERT_EQ(copied_ran, 1);
    KT_ASSERT(!dst->finished);
}

/* --- Configure, SetSpace, SetIPCBuffer --------------------------------- */

KT_THREAD_TEST(test_configure_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr cnode = kt_env_object(seL4_CapTableObject, 4);
    seL4_CPtr fresh_vspace = kt_env_object(seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    char *page = kt_spare_page(0);
    seL4_CPtr frame = kt_image_frame(page);
    seL4_Word buf = (seL4_Word)page;
    const seL4_CPtr vspace = seL4_CapInitThreadVSpace;

    /* Four words and three caps. */
    seL4_Word mrs[4] = { 0, 0, 0, buf };
    seL4_CPtr caps[3] = { KT_ROOT, vspace, frame };
    KT_ASSERT_INFO(kt_call(tcb, TCBConfigure, mrs, 4, caps, 2), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBConfigure, mrs, 3, caps, 3), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBConfigure, mrs, 4, caps, 0), seL4_TruncatedMessage, 0);

    /* The buffer: 1 KiB aligned, a frame, checked before the spaces. */
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf + 8, frame),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf + 512, frame),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, ep, 0, fresh_vspace, 0, buf + 8, frame),
                    seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf, ep),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf, cnode),
                    seL4_IllegalOperation);
    /* Deriving an untyped with children fails first (ABI 5.6). */
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf, kt_env_untyped()),
                    seL4_RevokeFirst);

    /* The CSpace root: a CNode cap, the guard data applicable. */
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, ep, 0, vspace, 0, buf, frame),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, vspace, 0, vspace, 0, buf, frame),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, seL4_CNode_CapData_new(0, 52).words[0],
                                       vspace, 0, buf, frame),
                    seL4_IllegalOperation);

    /* The VSpace root: a VSpace with an ASID. */
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, fresh_vspace, 0, buf, frame),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, KT_ROOT, 0, buf, frame),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, ep, 0, buf, frame),
                    seL4_IllegalOperation);

    KT_ASSERT_OK(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf, frame));
    KT_ASSERT_OK(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, buf + 3072, frame));
    KT_ASSERT_OK(seL4_TCB_Configure(tcb, 0, KT_ROOT, seL4_CNode_CapData_new(0, 51).words[0], vspace,
                                    0, buf, frame));
    KT_ASSERT_OK(seL4_TCB_Configure(tcb, 0, cnode, seL4_CNode_CapData_new(5, 60).words[0], vspace,
                                    0, buf, frame));
    /* No buffer: the frame argument is not looked at. */
    KT_ASSERT_OK(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, vspace, 0, 0, ep));
    kt_kernel_self_check();
}

KT_THREAD_TEST(test_configure_device_frame)
{
    kt_untyped_t dev;
    if (!kt_untyped(true, 12, &dev)) {
        return;
    }
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr frame = kt_env_slot();
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(dev.cap, seL4_ARM_SmallPageObject, 0, frame, 1));
    KT_ASSERT_ERROR(seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, seL4_CapInitThreadVSpace, 0,
                                       (seL4_Word)kt_spare_page(0), frame),
                    seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_SetIPCBuffer(tcb, (seL4_Word)kt_spare_page(0), frame),
                    seL4_IllegalOperation);
    kt_delete(frame);
    seL4_CNode_Revoke(KT_ROOT, dev.cap, KT_DEPTH);
}

KT_THREAD_TEST(test_set_space_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr fresh_vspace = kt_env_object(seL4_ARM_VSpaceObject, 0);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr vspace = seL4_CapInitThreadVSpace;
    seL4_Word mrs[3] = { 0, 0, 0 };
    seL4_CPtr caps[2] = { KT_ROOT, vspace };
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSpace, mrs, 3, caps, 1), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSpace, mrs, 2, caps, 2), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSpace, mrs, 3, caps, 2), 0, 0);
    KT_ASSERT_ERROR(seL4_TCB_SetSpace(tcb, 0, ep, 0, vspace, 0), seL4_IllegalOperation);
    KT_ASSERT_ERROR(
        seL4_TCB_SetSpace(tcb, 0, KT_ROOT, seL4_CNode_CapData_new(0, 60).words[0], vspace, 0),
        seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_SetSpace(tcb, 0, KT_ROOT, 0, fresh_vspace, 0), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_SetSpace(tcb, 0, KT_ROOT, 0, ep, 0), seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_TCB_SetSpace(tcb, 0x1234, KT_ROOT, 0, vspace, 0));
}

KT_THREAD_TEST(test_set_ipc_buffer_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    char *page = kt_spare_page(1);
    seL4_CPtr frame = kt_image_frame(page);
    seL4_Word buf = (seL4_Word)page;
    KT_ASSERT_INFO(kt_call(tcb, TCBSetIPCBuffer, &buf, 1, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetIPCBuffer, &buf, 0, &frame, 1), seL4_TruncatedMessage, 0);
    KT_ASSERT_ERROR(seL4_TCB_SetIPCBuffer(tcb, buf + 1000, frame), seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_SetIPCBuffer(tcb, buf + 2048 + 16, frame), seL4_AlignmentError);
    KT_ASSERT_ERROR(seL4_TCB_SetIPCBuffer(tcb, buf, ep), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_SetIPCBuffer(tcb, buf, kt_env_untyped()), seL4_RevokeFirst);
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(tcb, buf + 2048, frame));
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(tcb, 0, ep));
}

/* The kernel uses the buffer through the frame at (address mod page size):
 * a thread given a buffer 1 KiB into a spare page receives long messages
 * there (ABI 3.2). */
/* A thread whose CSpace root resolves only part of a CPtr (the root CNode
 * minted with guard size 0: its 13 index bits are the CPtr's top 13, the
 * other 51 are left over, ABI 1.7): a small CPtr names slot 0 (empty),
 * and a cap in slot n is named by n << 51. */
static seL4_CPtr partial_ntfn;
static volatile seL4_Word partial_label;

static void use_partial_root(seL4_Word unused)
{
    (void)unused;
    partial_label =
        seL4_MessageInfo_get_label(seL4_Call(partial_ntfn, seL4_MessageInfo_new(0, 0, 0, 0)));
    seL4_Signal(partial_ntfn << KT_ROOT_GUARD_BITS);
}

KT_THREAD_TEST(test_set_space_partial_root)
{
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr root = kt_env_slot();
    KT_RETURN_IF_FAILED();
    partial_ntfn = kt_env_mint(ntfn, seL4_AllRights, 0x55);
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, root, KT_DEPTH, KT_ROOT, KT_ROOT, KT_DEPTH,
                                 seL4_AllRights, seL4_CNode_CapData_new(0, 0).words[0]));
    partial_label = ~0ul;
    kt_thread_t *t = kt_thread_create(use_partial_root, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetSpace(t->tcb, 0, root, 0, seL4_CapInitThreadVSpace, 0));
    kt_kernel_self_check(); /* the minted root cap's one-level bit is checked */
    kt_thread_start(t);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(partial_label, seL4_InvalidCapability);
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x55); /* one Signal: the Call found no cap */
}

static seL4_Word rx_words[8];
static volatile seL4_Word rx_length;

static void recv_into(seL4_Word ep)
{
    seL4_IPCBuffer *buffer = (seL4_IPCBuffer *)((char *)kt_spare_page(0) + 1024);
    seL4_SetIPCBuffer(buffer);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    rx_length = seL4_MessageInfo_get_length(info);
    for (int i = 0; i < 8; i++) {
        rx_words[i] = seL4_GetMR(i);
    }
}

KT_THREAD_TEST(test_set_ipc_buffer_used)
{
    rx_length = 99;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    char *page = kt_spare_page(0);
    memset(page, 0, KT_PAGE_SIZE);
    kt_thread_t *t = kt_thread_create(recv_into, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(t->tcb, (seL4_Word)page + 1024, kt_image_frame(page)));
    kt_thread_start(t);
    for (int i = 0; i < 8; i++) {
        seL4_SetMR(i, 0x100 + (seL4_Word)i);
    }
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 8));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(rx_length, 8);
    for (int i = 0; i < 8; i++) {
        KT_ASSERT_EQ(rx_words[i], 0x100 + (seL4_Word)i);
    }
    /* Nothing landed in the thread's original buffer. */
    KT_ASSERT_EQ(t->ipc->msg[4], 0);

    /* Without a buffer only MR0..MR3 arrive (ABI 3.2). */
    rx_length = 99;
    kt_thread_t *u = kt_thread_create(recv_into, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(u->tcb, 0, kt_image_frame(page)));
    memset(page, 0, KT_PAGE_SIZE);
    kt_thread_start(u);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 8));
    KT_ASSERT(u->finished);
    KT_ASSERT_EQ(rx_length, 4);
    for (int i = 0; i < 4; i++) {
        KT_ASSERT_EQ(rx_words[i], 0x100 + (seL4_Word)i);
    }
    for (int i = 4; i < 8; i++) {
        KT_ASSERT_EQ(rx_words[i], 0);
    }
}

/* --- priorities -------------------------------------------------------- */

KT_THREAD_TEST(test_priority_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr auth = kt_env_object(seL4_TCBObject, 0); /* MCP 0 (ABI 10.2) */
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr root = seL4_CapInitThreadTCB;

    /* SetPriority */
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, ep, 0), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, KT_ROOT, 0), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, auth, 1), seL4_RangeError, 0, 0);
    KT_ASSERT_OK(seL4_TCB_SetPriority(tcb, auth, 0));
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, root, 256), seL4_RangeError, 0, 255);
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, root, (1ul << 32) | 5), seL4_RangeError, 0, 255);
    KT_ASSERT_OK(seL4_TCB_SetPriority(tcb, root, 255));
    seL4_Word mr = 3;
    KT_ASSERT_INFO(kt_call(tcb, TCBSetPriority, &mr, 1, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetPriority, &mr, 0, &root, 1), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetPriority, &mr, 1, &root, 1), 0, 0);

    /* SetMCPriority */
    KT_ASSERT_ERROR(seL4_TCB_SetMCPriority(tcb, ep, 0), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_TCB_SetMCPriority(tcb, auth, 1), seL4_RangeError, 0, 0);
    KT_ASSERT_ERROR(seL4_TCB_SetMCPriority(tcb, root, 256), seL4_RangeError, 0, 255);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetMCPriority, &mr, 1, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetMCPriority, &mr, 0, &root, 1), seL4_TruncatedMessage, 0);

    /* An authority with MCP 120 allows up to 120. */
    KT_ASSERT_OK(seL4_TCB_SetMCPriority(auth, root, 120));
    KT_ASSERT_OK(seL4_TCB_SetPriority(tcb, auth, 120));
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(tcb, auth, 121), seL4_RangeError, 0, 120);
    KT_ASSERT_OK(seL4_TCB_SetMCPriority(tcb, auth, 120));
    KT_ASSERT_ERROR(seL4_TCB_SetMCPriority(tcb, auth, 121), seL4_RangeError, 0, 120);

    /* SetSchedParams: mcp and priority, both bounded by the authority. */
    KT_ASSERT_ERROR(seL4_TCB_SetSchedParams(tcb, ep, 0, 0), seL4_InvalidCapability, 1);
    KT_ASSERT_ERROR(seL4_TCB_SetSchedParams(tcb, auth, 121, 0), seL4_RangeError, 0, 120);
    KT_ASSERT_ERROR(seL4_TCB_SetSchedParams(tcb, auth, 0, 121), seL4_RangeError, 0, 120);
    KT_ASSERT_OK(seL4_TCB_SetSchedParams(tcb, auth, 110, 120));
    /* tcb now has MCP 110: as an authority it allows 110. */
    KT_ASSERT_ERROR(seL4_TCB_SetPriority(auth, tcb, 111), seL4_RangeError, 0, 110);
    KT_ASSERT_OK(seL4_TCB_SetPriority(auth, tcb, 110));
    seL4_Word two[2] = { 1, 1 };
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSchedParams, two, 1, &root, 1), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSchedParams, two, 2, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetSchedParams, two, 2, &root, 1), 0, 0);
}

/* --- Suspend / Resume -------------------------------------------------- */

KT_THREAD_TEST(test_suspend_resume_blocked_receiver)
{
    recv_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(recv_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);
    KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);
    /* Suspending twice is harmless. */
    KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 2);
    /* Resuming a blocked thread restarts its Recv: it still receives. */
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 3);
    /* Resuming the running caller is a no-op. */
    KT_ASSERT_OK(seL4_TCB_Resume(seL4_CapInitThreadTCB));
    /* Suspend and Resume take no arguments and need none. */
    KT_ASSERT_INFO(kt_call(t->tcb, TCBSuspend, NULL, 0, NULL, 0), 0, 0);
    KT_ASSERT_INFO(kt_call(t->tcb, TCBResume, NULL, 0, NULL, 0), 0, 0);
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 4);
}

/* Resume of a runnable thread changes nothing (ABI 5.4.2): a thread that
 * was preempted right after a Signal must not repeat it. */
static volatile int after_signal;

static void signal_then_more(seL4_Word arg)
{
    seL4_CPtr *caps = (seL4_CPtr *)arg;
    seL4_Signal(caps[2]);
    after_signal++;
    seL4_Signal(caps[3]);
}

KT_THREAD_TEST(test_resume_runnable_is_noop)
{
    after_signal = 0;
    static seL4_CPtr ntfns[4]; /* two notifications, a badged cap to each */
    ntfns[0] = kt_env_object(seL4_NotificationObject, 0);
    ntfns[1] = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    ntfns[2] = kt_env_mint(ntfns[0], seL4_AllRights, 1);
    ntfns[3] = kt_env_mint(ntfns[1], seL4_AllRights, 2);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(signal_then_more, (seL4_Word)ntfns, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    /* Not yet run: the root task is runnable at a higher priority. */
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_Word word = 0;
    seL4_Wait(ntfns[0], &word); /* t runs up to its first Signal */
    KT_ASSERT_EQ(word, 1);
    KT_ASSERT_EQ(after_signal, 0);
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_Wait(ntfns[1], &word); /* t runs to its second Signal */
    KT_ASSERT_EQ(word, 2);
    KT_ASSERT_EQ(after_signal, 1);
    word = 0x5a5a;
    seL4_Poll(ntfns[0], &word);
    KT_ASSERT_EQ(word, 0);
}

/* Suspending a runnable thread that stands just after a system call keeps
 * it there (ABI 1.5 rule 4): resumed, it goes on after the svc instead of
 * repeating it. */
static void signal_raw_then_more(seL4_Word arg)
{
    seL4_CPtr *caps = (seL4_CPtr *)arg;
    seL4_Word regs[8] = { caps[2],     seL4_MessageInfo_new(0, 0, 0, 0).words[0], 0, 0, 0, 0, 0,
                          seL4_SysSend };
    kt_svc(regs);
    after_signal++;
    seL4_Signal(caps[3]);
}

KT_THREAD_TEST(test_suspend_runnable_keeps_position)
{
    after_signal = 0;
    static seL4_CPtr caps[4];
    caps[0] = kt_env_object(seL4_NotificationObject, 0);
    caps[1] = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    caps[2] = kt_env_mint(caps[0], seL4_AllRights, 1);
    caps[3] = kt_env_mint(caps[1], seL4_AllRights, 2);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(signal_raw_then_more, (seL4_Word)caps, KT_PRIO_LOW, 0);
    KT_RETURN_IF_FAILED();
    seL4_Word word = 0;
    seL4_Wait(caps[0], &word); /* t runs until its Signal wakes the root task */
    KT_ASSERT_EQ(word, 1);
    KT_ASSERT_EQ(after_signal, 0);
    KT_ASSERT_OK(seL4_TCB_Suspend(t->tcb));
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 1, &r));
    KT_ASSERT_EQ(r.pc, (seL4_Word)kt_svc_insn + 4);
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_Wait(caps[1], &word);
    KT_ASSERT_EQ(word, 2);
    KT_ASSERT_EQ(after_signal, 1);
    word = 0x5a5a;
    seL4_Poll(caps[0], &word);
    KT_ASSERT_EQ(word, 0);
}

/* ReadRegisters with suspend_source stops the thread first; arch_flags are
 * ignored by Read, Write and CopyRegisters (ABI 5.4.2). */
KT_THREAD_TEST(test_read_registers_suspends)
{
    recv_count = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    seL4_CPtr other = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(recv_loop, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0xff, NWORDS, &r));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 1, 0xff, NWORDS, &r));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 1);
    KT_ASSERT_OK(seL4_TCB_Resume(t->tcb));
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT_EQ(recv_count, 2);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(other, 0, 0xff, NWORDS, &r));
    KT_ASSERT_OK(seL4_TCB_CopyRegisters(other, t->tcb, 0, 0, 1, 1, 0xff));
}

/* A thread that suspended itself stands at its svc: resumed, it suspends
 * itself again (ABI 1.5 rule 7) and does not run on past the svc. */
KT_THREAD_TEST(test_suspend_self_repeats)
{
    seL4_CPtr fault_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr handler = kt_env_mint(fault_ep, seL4_AllRights, 0x5e1f);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(nothing, 0, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(t->finished);
    seL4_UserContext before, after;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(t->tcb, 0, 0, 1, &before));
    for (int i = 0; i < 3; i++) {
        KT_ASSERT_OK_AT(i, seL4_TCB_Resume(t->tcb));
        KT_ASSERT_OK_AT(i, seL4_TCB_ReadRegisters(t->tcb, 0, 0, 1, &after));
        KT_ASSERT_EQ(after.pc, before.pc);
    }
    seL4_Word badge = 0;
    seL4_NBRecv(fault_ep, &badge);
    KT_ASSERT_EQ(badge, 0);
}

/* --- notification binding ---------------------------------------------- */

static void wait_on(seL4_Word ntfn)
{
    seL4_Wait(ntfn, NULL);
}

KT_THREAD_TEST(test_bind_notification_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr tcb2 = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ntfn2 = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr busy = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr no_read = kt_env_mint(ntfn, seL4_CanWrite, 0);
    KT_RETURN_IF_FAILED();

    KT_ASSERT_INFO(kt_call(tcb, TCBBindNotification, NULL, 0, NULL, 0), seL4_TruncatedMessage, 0);
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb, ep), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb, KT_ROOT), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb, no_read), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_UnbindNotification(tcb), seL4_IllegalOperation);

    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb, ntfn));
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb, ntfn2), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb2, ntfn), seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_TCB_UnbindNotification(tcb));
    KT_ASSERT_ERROR(seL4_TCB_UnbindNotification(tcb), seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb2, ntfn));
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb, ntfn2));

    /* A notification with a waiting thread cannot be bound. */
    kt_thread_t *w = kt_thread_spawn(wait_on, busy, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(!w->finished);
    KT_ASSERT_OK(seL4_TCB_UnbindNotification(tcb));
    KT_ASSERT_ERROR(seL4_TCB_BindNotification(tcb, busy), seL4_IllegalOperation);
    seL4_Signal(busy);
    KT_ASSERT(w->finished);
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb, busy));

    /* One with a signal pending and nobody waiting can, as in seL4; the
     * signal stays pending. */
    seL4_CPtr pending = kt_env_mint(ntfn, seL4_AllRights, 0x4);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_UnbindNotification(tcb2));
    seL4_Signal(pending);
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb2, ntfn));
    KT_ASSERT_OK(seL4_TCB_UnbindNotification(tcb2));
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    KT_ASSERT_EQ(word, 0x4);
}

/* Deleting either side of a binding ends it. */
KT_THREAD_TEST(test_binding_ends_with_deletion)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr tcb2 = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    seL4_CPtr ntfn2 = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb, ntfn));
    kt_delete(ntfn);
    KT_ASSERT_ERROR(seL4_TCB_UnbindNotification(tcb), seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb, ntfn2));
    kt_delete(tcb);
    KT_ASSERT_OK(seL4_TCB_BindNotification(tcb2, ntfn2));
    kt_kernel_self_check();
}

/* A kernel reply to a caller without an IPC buffer stops at 4 words
 * (ABI 5.5). */
static volatile seL4_Word nobuf_reply[8];

static void read_without_buffer(seL4_Word target)
{
    seL4_Word regs[8] = { target, seL4_MessageInfo_new(TCBReadRegisters, 0, 0, 2).words[0],
                          0,      10,
                          0,      0,
                          0,      seL4_SysCall };
    kt_svc(regs);
    memcpy((void *)nobuf_reply, regs, sizeof(regs));
}

KT_THREAD_TEST(test_reply_without_buffer)
{
    seL4_CPtr target = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_UserContext w;
    fill_context(&w, 31);
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(target, 0, 0, NWORDS, &w));
    kt_thread_t *t = kt_thread_create(read_without_buffer, target, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetIPCBuffer(t->tcb, 0, t->ipc_frame));
    kt_thread_start(t);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(nobuf_reply[0], 0);
    KT_ASSERT_EQ(nobuf_reply[1], seL4_MessageInfo_new(0, 0, 0, 4).words[0]);
    KT_ASSERT_EQ(nobuf_reply[2], w.pc);
    KT_ASSERT_EQ(nobuf_reply[3], w.sp);
    KT_ASSERT_EQ(nobuf_reply[4], w.spsr);
    KT_ASSERT_EQ(nobuf_reply[5], w.x0);
}

/* --- SetTLSBase -------------------------------------------------------- */

static volatile seL4_Word tls_seen;
static volatile int tls_ok;

static void read_tls(seL4_Word arg)
{
    (void)arg;
    seL4_Word tp;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    tls_seen = tp;
    /* libkeel's per-thread IPC-buffer pointer lives in TLS. */
    tls_ok = seL4_GetIPCBuffer() == kt_self()->ipc;
}

static void read_tpidrro(seL4_Word arg)
{
    (void)arg;
    seL4_Word v;
    __asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
    tls_seen = v;
}

KT_THREAD_TEST(test_set_tls_base)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_TCB_SetTLSBase(tcb, 0x123456789abcdef0ul));
    seL4_UserContext r;
    KT_ASSERT_OK(seL4_TCB_ReadRegisters(tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_EQ(r.tpidr_el0, 0x123456789abcdef0ul);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetTLSBase, NULL, 0, NULL, 0), seL4_TruncatedMessage, 0);

    /* A thread whose TLS base comes from SetTLSBase alone. */
    tls_seen = 0;
    tls_ok = 0;
    kt_thread_t *t = kt_thread_create(read_tls, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_context(t, &r);
    r.tpidr_el0 = 0;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(t->tcb, 0, 0, NWORDS, &r));
    KT_ASSERT_OK(seL4_TCB_SetTLSBase(t->tcb, t->tls));
    kt_thread_start(t);
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(tls_seen, t->tls);
    KT_ASSERT(tls_ok);

    /* TPIDRRO_EL0 is set only through the register context (ABI 8.4). */
    tls_seen = 0;
    kt_thread_t *u = kt_thread_create(read_tpidrro, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_context(u, &r);
    r.tpidrro_el0 = 0x7e57ab1e00c0ffeeul;
    KT_ASSERT_OK(seL4_TCB_WriteRegisters(u->tcb, 1, 0, NWORDS, &r));
    KT_ASSERT(u->finished);
    KT_ASSERT_EQ(tls_seen, 0x7e57ab1e00c0ffeeul);

    /* The caller's own: effective on return (same value, so the test goes on). */
    seL4_Word tp;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    KT_ASSERT_OK(seL4_TCB_SetTLSBase(seL4_CapInitThreadTCB, tp));
    seL4_Word tp2;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp2));
    KT_ASSERT_EQ(tp2, tp);
}

/* --- SetFlags and fpuDisabled ------------------------------------------ */

KT_THREAD_TEST(test_set_flags)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_Word mrs[2] = { 0, seL4_TCBFlag_fpuDisabled };
    KT_ASSERT_INFO(kt_call(tcb, TCBSetFlags, mrs, 2, NULL, 0), 0, 1);
    KT_ASSERT_EQ(seL4_GetMR(0), 1);
    /* Unknown flags are ignored. */
    mrs[1] = ~0ul << 1;
    KT_ASSERT_INFO(kt_call(tcb, TCBSetFlags, mrs, 2, NULL, 0), 0, 1);
    KT_ASSERT_EQ(seL4_GetMR(0), 1);
    mrs[0] = 1;
    mrs[1] = 0;
    KT_ASSERT_INFO(kt_call(tcb, TCBSetFlags, mrs, 2, NULL, 0), 0, 1);
    KT_ASSERT_EQ(seL4_GetMR(0), 0);
    /* Clear and set together: set wins. */
    mrs[0] = ~0ul;
    mrs[1] = 1;
    KT_ASSERT_INFO(kt_call(tcb, TCBSetFlags, mrs, 2, NULL, 0), 0, 1);
    KT_ASSERT_EQ(seL4_GetMR(0), 1);
    KT_ASSERT_INFO(kt_call(tcb, TCBSetFlags, mrs, 1, NULL, 0), seL4_TruncatedMessage, 0);
    seL4_TCB_SetFlags_t r = seL4_TCB_SetFlags(tcb, 0, 0);
    KT_ASSERT_EQ(r.error, seL4_NoError);
    KT_ASSERT_EQ(r.flags, 1);
    r = seL4_TCB_SetFlags(tcb, seL4_TCBFlag_fpuDisabled, 0);
    KT_ASSERT_EQ(r.error, seL4_NoError);
    KT_ASSERT_EQ(r.flags, 0);
}

/* FP/SIMD helpers (the C code of ktest has no FP). kt_fp_roundtrip moves x0
 * through d0 (the fmov at kt_fp_insn); kt_fp_set_d8 / kt_fp_get_d8 put a
 * value into d8 and read it back. */
__asm__(".text\n"
        ".arch_extension fp\n"
        ".arch_extension simd\n"
        ".global kt_fp_roundtrip\n"
        ".global kt_fp_insn\n"
        ".type kt_fp_roundtrip, %function\n"
        "kt_fp_roundtrip:\n"
        "kt_fp_insn:\n"
        "    fmov d0, x0\n"
        "    fmov x0, d0\n"
        "    ret\n"
        ".size kt_fp_roundtrip, . - kt_fp_roundtrip\n"
        ".global kt_fp_set_d8\n"
        ".type kt_fp_set_d8, %function\n"
        "kt_fp_set_d8:\n"
        "    fmov d8, x0\n"
        "    ret\n"
        ".size kt_fp_set_d8, . - kt_fp_set_d8\n"
        ".global kt_fp_get_d8\n"
        ".type kt_fp_get_d8, %function\n"
        "kt_fp_get_d8:\n"
        "    fmov x0, d8\n"
        "    ret\n"
        ".size kt_fp_get_d8, . - kt_fp_get_d8\n");
seL4_Word kt_fp_roundtrip(seL4_Word value);
void kt_fp_set_d8(seL4_Word value);
seL4_Word kt_fp_get_d8(void);
extern char kt_fp_insn[];

static volatile seL4_Word fp_result;

static void use_fp(seL4_Word value)
{
    fp_result = kt_fp_roundtrip(value);
}

KT_THREAD_TEST(test_fpu_disabled_traps)
{
    fp_result = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr handler = kt_env_mint(ep, seL4_AllRights, 0xf9);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(use_fp, 0x1122334455667788ul, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    seL4_TCB_SetFlags_t f = seL4_TCB_SetFlags(t->tcb, 0, seL4_TCBFlag_fpuDisabled);
    KT_ASSERT_EQ(f.error, seL4_NoError);
    KT_ASSERT_EQ(f.flags, seL4_TCBFlag_fpuDisabled);
    kt_thread_start(t);

    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    KT_ASSERT_EQ(badge, 0xf9);
    KT_ASSERT_INFO(info, seL4_Fault_UserException, seL4_UserException_Length);
    KT_ASSERT_EQ(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)kt_fp_insn);
    KT_ASSERT_EQ(seL4_GetMR(seL4_UserException_Number) >> 26, 0x07);
    KT_ASSERT_EQ(seL4_GetMR(seL4_UserException_Code), 0);
    KT_ASSERT_EQ(fp_result, 0);

    /* FP allowed again; restarting repeats the fmov, which now works. */
    f = seL4_TCB_SetFlags(t->tcb, seL4_TCBFlag_fpuDisabled, 0);
    KT_ASSERT_EQ(f.flags, 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(fp_result, 0x1122334455667788ul);
}

/* Disabling the FPU of a thread whose FP/SIMD state is live in the FPU
 * (it used FP last) takes effect at once: its next FP instruction traps. */
static seL4_CPtr fp_pause_ep;

static void use_fp_pause_use_fp(seL4_Word value)
{
    fp_result = kt_fp_roundtrip(value);
    seL4_Call(fp_pause_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    fp_result = kt_fp_roundtrip(value + 1);
}

KT_THREAD_TEST(test_fpu_disabled_while_owner)
{
    fp_result = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_CPtr handler = kt_env_mint(ep, seL4_AllRights, 0xf9);
    fp_pause_ep = kt_env_mint(ep, seL4_AllRights, 0xf1);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_create(use_fp_pause_use_fp, 0x5a5a, KT_PRIO_HIGH, handler);
    KT_RETURN_IF_FAILED();
    kt_thread_start(t);

    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge); /* its Call, after its first FP use */
    KT_ASSERT_EQ(badge, 0xf1);
    KT_ASSERT_EQ(fp_result, 0x5a5a);
    KT_ASSERT_EQ(seL4_TCB_SetFlags(t->tcb, 0, seL4_TCBFlag_fpuDisabled).flags,
                 seL4_TCBFlag_fpuDisabled);
    kt_kernel_self_check();
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    info = seL4_Recv(ep, &badge);
    KT_ASSERT_EQ(badge, 0xf9);
    KT_ASSERT_INFO(info, seL4_Fault_UserException, seL4_UserException_Length);
    KT_ASSERT_EQ(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)kt_fp_insn);
    KT_ASSERT_EQ(fp_result, 0x5a5a);

    KT_ASSERT_EQ(seL4_TCB_SetFlags(t->tcb, seL4_TCBFlag_fpuDisabled, 0).flags, 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(t->finished);
    KT_ASSERT_EQ(fp_result, 0x5a5b);
}

/* A new thread's FP/SIMD state is all zero (ABI 8.5), whatever the
 * previous user of the FPU left in it. */
__asm__(".text\n"
        ".arch_extension fp\n"
        ".arch_extension simd\n"
        ".global kt_fp_dump\n"
        ".type kt_fp_dump, %function\n"
        "kt_fp_dump:\n" /* x0 = 66 words: q0..q31, FPSR, FPCR */
        "    stp q0, q1, [x0, #0]\n"
        "    stp q2, q3, [x0, #32]\n"
        "    stp q4, q5, [x0, #64]\n"
        "    stp q6, q7, [x0, #96]\n"
        "    stp q8, q9, [x0, #128]\n"
        "    stp q10, q11, [x0, #160]\n"
        "    stp q12, q13, [x0, #192]\n"
        "    stp q14, q15, [x0, #224]\n"
        "    stp q16, q17, [x0, #256]\n"
        "    stp q18, q19, [x0, #288]\n"
        "    stp q20, q21, [x0, #320]\n"
        "    stp q22, q23, [x0, #352]\n"
        "    stp q24, q25, [x0, #384]\n"
        "    stp q26, q27, [x0, #416]\n"
        "    stp q28, q29, [x0, #448]\n"
        "    stp q30, q31, [x0, #480]\n"
        "    mrs x1, fpsr\n"
        "    mrs x2, fpcr\n"
        "    add x0, x0, #512\n"
        "    stp x1, x2, [x0]\n"
        "    ret\n"
        ".size kt_fp_dump, . - kt_fp_dump\n"
        ".global kt_fp_fill\n"
        ".type kt_fp_fill, %function\n"
        "kt_fp_fill:\n" /* every V register, FPSR and FPCR non-zero */
        "    dup v0.2d, x0\n"
        "    mov v1.16b, v0.16b\n"
        "    mov v2.16b, v0.16b\n"
        "    mov v3.16b, v0.16b\n"
        "    mov v4.16b, v0.16b\n"
        "    mov v5.16b, v0.16b\n"
        "    mov v6.16b, v0.16b\n"
        "    mov v7.16b, v0.16b\n"
        "    mov v8.16b, v0.16b\n"
        "    mov v9.16b, v0.16b\n"
        "    mov v10.16b, v0.16b\n"
        "    mov v11.16b, v0.16b\n"
        "    mov v12.16b, v0.16b\n"
        "    mov v13.16b, v0.16b\n"
        "    mov v14.16b, v0.16b\n"
        "    mov v15.16b, v0.16b\n"
        "    mov v16.16b, v0.16b\n"
        "    mov v17.16b, v0.16b\n"
        "    mov v18.16b, v0.16b\n"
        "    mov v19.16b, v0.16b\n"
        "    mov v20.16b, v0.16b\n"
        "    mov v21.16b, v0.16b\n"
        "    mov v22.16b, v0.16b\n"
        "    mov v23.16b, v0.16b\n"
        "    mov v24.16b, v0.16b\n"
        "    mov v25.16b, v0.16b\n"
        "    mov v26.16b, v0.16b\n"
        "    mov v27.16b, v0.16b\n"
        "    mov v28.16b, v0.16b\n"
        "    mov v29.16b, v0.16b\n"
        "    mov v30.16b, v0.16b\n"
        "    mov v31.16b, v0.16b\n"
        "    mov x1, #0x1f\n"
        "    msr fpsr, x1\n"
        "    mov x1, #0xc00000\n"
        "    msr fpcr, x1\n"
        "    ret\n"
        ".size kt_fp_fill, . - kt_fp_fill\n");
void kt_fp_dump(seL4_Word out[66]);
void kt_fp_fill(seL4_Word value);

static seL4_Word fp_dump[66];

static void fill_fp(seL4_Word value)
{
    kt_fp_fill(value);
}

static void dump_fp(seL4_Word arg)
{
    (void)arg;
    kt_fp_dump(fp_dump);
}

KT_THREAD_TEST(test_new_thread_fpu_zero)
{
    kt_thread_t *a = kt_thread_spawn(fill_fp, 0x0123456789abcdeful, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(a->finished);
    memset(fp_dump, 0xa5, sizeof(fp_dump));
    kt_thread_t *b = kt_thread_spawn(dump_fp, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(b->finished);
    for (int i = 0; i < 66; i++) {
        if (fp_dump[i] != 0) {
            KT_FAIL("%s%d of a new thread is 0x%lx", i < 64 ? "V word " : "FPSR/FPCR ", i,
                    fp_dump[i]);
        }
    }
}

/* Disabling the FPU saves the thread's FP state; another thread uses the
 * FPU meanwhile; after re-enabling the first thread finds its value. */
static volatile seL4_Word d8_after;

static void keep_d8(seL4_Word ep)
{
    kt_fp_set_d8(0xa5a5a5a5f00df00dul);
    seL4_Recv(ep, NULL);
    d8_after = kt_fp_get_d8();
}

static void clobber_d8(seL4_Word arg)
{
    (void)arg;
    kt_fp_set_d8(0x0badc0de0badc0deul);
}

KT_THREAD_TEST(test_fpu_state_kept_while_disabled)
{
    d8_after = 0;
    seL4_CPtr ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *a = kt_thread_spawn(keep_d8, ep, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_EQ(seL4_TCB_SetFlags(a->tcb, 0, seL4_TCBFlag_fpuDisabled).flags, 1);
    kt_thread_t *b = kt_thread_spawn(clobber_d8, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT(b->finished);
    KT_ASSERT_EQ(seL4_TCB_SetFlags(a->tcb, seL4_TCBFlag_fpuDisabled, 0).flags, 0);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    KT_ASSERT(a->finished);
    KT_ASSERT_EQ(d8_after, 0xa5a5a5a5f00df00dul);
}

const ktest_case_t ktest_tcb_cases[] = {
    { "tcb.read_registers_errors", test_read_registers_errors },
    { "tcb.read_registers_reply", test_read_registers_reply },
    { "tcb.write_read_roundtrip", test_write_read_roundtrip },
    { "tcb.write_registers_errors", test_write_registers_errors },
    { "tcb.write_pc_resume_address", test_write_pc_resume_address },
    { "tcb.write_pc_of_runnable_thread", test_write_pc_of_runnable_thread },
    { "tcb.spsr_flags_reach_thread", test_spsr_flags_reach_thread },
    { "tcb.registers_reach_the_thread", test_registers_reach_the_thread },
    { "tcb.copy_registers", test_copy_registers },
    { "tcb.copy_registers_flags", test_copy_registers_flags },
    { "tcb.configure_errors", test_configure_errors },
    { "tcb.configure_device_frame", test_configure_device_frame },
    { "tcb.set_space_errors", test_set_space_errors },
    { "tcb.set_space_partial_root", test_set_space_partial_root },
    { "tcb.set_ipc_buffer_errors", test_set_ipc_buffer_errors },
    { "tcb.set_ipc_buffer_used", test_set_ipc_buffer_used },
    { "tcb.priority_errors", test_priority_errors },
    { "tcb.suspend_resume_blocked_receiver", test_suspend_resume_blocked_receiver },
    { "tcb.resume_runnable_is_noop", test_resume_runnable_is_noop },
    { "tcb.suspend_runnable_keeps_position", test_suspend_runnable_keeps_position },
    { "tcb.read_registers_suspends", test_read_registers_suspends },
    { "tcb.suspend_self_repeats", test_suspend_self_repeats },
    { "tcb.bind_notification_errors", test_bind_notification_errors },
    { "tcb.binding_ends_with_deletion", test_binding_ends_with_deletion },
    { "tcb.reply_without_buffer", test_reply_without_buffer },
    { "tcb.set_tls_base", test_set_tls_base },
    { "tcb.set_flags", test_set_flags },
    { "tcb.fpu_disabled_traps", test_fpu_disabled_traps },
    { "tcb.fpu_disabled_while_owner", test_fpu_disabled_while_owner },
    { "tcb.fpu_state_kept_while_disabled", test_fpu_state_kept_while_disabled },
    { "tcb.new_thread_fpu_zero", test_new_thread_fpu_zero },
    { NULL, NULL },
};
