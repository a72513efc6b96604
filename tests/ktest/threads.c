/* Threads and the thread-test environment (threads.h). */
#include "threads.h"
#include "boot.h"
#include <keel/runtime.h>
#include <keel/string.h>
#include <keel/tls.h>

#define MAX_ENV_SLOTS 96

/* Per-thread memory. Each IPC buffer has a page of its own, so that a test
 * can tell the kernel's use of one buffer from another's. */
static struct {
    seL4_IPCBuffer buffer;
    char rest[KT_PAGE_SIZE - sizeof(seL4_IPCBuffer)];
} __attribute__((aligned(KT_PAGE_SIZE))) ipc_pages[KT_MAX_THREADS];

static char spare_pages[2][KT_PAGE_SIZE] __attribute__((aligned(KT_PAGE_SIZE)));
static char stacks[KT_MAX_THREADS][KT_STACK_SIZE] __attribute__((aligned(16)));
static char tls_areas[KT_MAX_THREADS][KT_TLS_AREA_SIZE] __attribute__((aligned(16)));
static kt_thread_t threads[KT_MAX_THREADS];

static __thread kt_thread_t *self;

static struct {
    kt_untyped_t untyped;
    bool have_untyped;
    seL4_CPtr slots[MAX_ENV_SLOTS];
    int nslots;
} env;

kt_jmp_t kt_env_jmp;

/* kt_setjmp: the callee-saved registers, the return address and SP, then 0.
 * The watchdog returns into it a second time (x0 = 1) through
 * TCB_WriteRegisters on the root task. kt_svc: see threads.h. */
__asm__(".text\n"
        ".global kt_setjmp\n"
        ".type kt_setjmp, %function\n"
        "kt_setjmp:\n"
        "    stp x19, x20, [x0, #0]\n"
        "    stp x21, x22, [x0, #16]\n"
        "    stp x23, x24, [x0, #32]\n"
        "    stp x25, x26, [x0, #48]\n"
        "    stp x27, x28, [x0, #64]\n"
        "    stp x29, x30, [x0, #80]\n"
        "    mov x1, sp\n"
        "    str x1, [x0, #96]\n"
        "    mov x0, #0\n"
        "    ret\n"
        ".size kt_setjmp, . - kt_setjmp\n"
        "\n"
        ".global kt_svc\n"
        ".global kt_svc_insn\n"
        ".type kt_svc, %function\n"
        "kt_svc:\n"
        "    stp x0, x30, [sp, #-16]!\n"
        "    mov x8, x0\n"
        "    ldp x0, x1, [x8, #0]\n"
        "    ldp x2, x3, [x8, #16]\n"
        "    ldp x4, x5, [x8, #32]\n"
        "    ldp x6, x7, [x8, #48]\n"
        "kt_svc_insn:\n"
        "    svc #0\n"
        "    ldr x8, [sp]\n"
        "    stp x0, x1, [x8, #0]\n"
        "    stp x2, x3, [x8, #16]\n"
        "    stp x4, x5, [x8, #32]\n"
        "    stp x6, x7, [x8, #48]\n"
        "    ldr x30, [sp, #8]\n"
        "    add sp, sp, #16\n"
        "    ret\n"
        ".size kt_svc, . - kt_svc\n");

seL4_CPtr kt_image_frame(const void *addr)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    return bi->userImageFrames.start +
           ((seL4_Word)addr - (seL4_Word)__keel_image_start) / KT_PAGE_SIZE;
}

void *kt_spare_page(int i)
{
    return spare_pages[i];
}

seL4_CPtr kt_env_untyped(void)
{
    return env.untyped.cap;
}

seL4_CPtr kt_env_slot(void)
{
    if (env.nslots == MAX_ENV_SLOTS) {
        ktest_fail(__FILE__, __LINE__, "more than %d slots in one test", MAX_ENV_SLOTS);
        return 0;
    }
    seL4_CPtr slot = kt_slots(1);
    if (slot != 0) {
        env.slots[env.nslots++] = slot;
    }
    return slot;
}

seL4_CPtr kt_env_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = kt_env_slot();
    if (slot == 0) {
        return 0;
    }
    seL4_Error err = kt_retype(env.untyped.cap, type, size_bits, slot, 1);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "retype of type %lu failed with %d", type, (int)err);
        return 0;
    }
    return slot;
}

seL4_CPtr kt_env_mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr slot = kt_env_slot();
    if (slot == 0) {
        return 0;
    }
    seL4_Error err =
        seL4_CNode_Mint(KT_ROOT, slot, KT_DEPTH, KT_ROOT, src, KT_DEPTH, rights, badge);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "mint of slot %lu failed with %d", src, (int)err);
        return 0;
    }
    return slot;
}

kt_thread_t *kt_self(void)
{
    return self;
}

void kt_thread_entry(kt_thread_t *t)
{
    seL4_SetIPCBuffer(t->ipc);
    self = t;
    t->fn(t->arg);
    t->finished = true;
    seL4_TCB_Suspend(t->tcb);
    /* Only without its TCB cap in its CSpace: stop by a fault. */
    __builtin_trap();
}

void kt_thread_context(const kt_thread_t *t, seL4_UserContext *regs)
{
    memset(regs, 0, sizeof(*regs));
    regs->pc = (seL4_Word)kt_thread_entry;
    regs->sp = t->stack_top;
    regs->x0 = (seL4_Word)t;
    regs->tpidr_el0 = t->tls;
}

kt_thread_t *kt_thread_create(kt_thread_fn fn, seL4_Word arg, seL4_Word prio, seL4_CPtr fault_ep)
{
    kt_thread_t *t = NULL;
    int i;
    for (i = 0; i < KT_MAX_THREADS; i++) {
        if (!threads[i].in_use) {
            t = &threads[i];
            break;
        }
    }
    if (t == NULL) {
        ktest_fail(__FILE__, __LINE__, "more than %d threads", KT_MAX_THREADS);
        return NULL;
    }
    memset(t, 0, sizeof(*t));
    t->index = i;
    t->fn = fn;
    t->arg = arg;
    t->ipc = &ipc_pages[i].buffer;
    memset(t->ipc, 0, sizeof(*t->ipc));
    t->ipc_frame = kt_image_frame(t->ipc);
    t->stack_top = (seL4_Word)(stacks[i] + KT_STACK_SIZE);
    t->tls = keel_tls_init(tls_areas[i], sizeof(tls_areas[i]));
    if (t->tls == 0) {
        ktest_fail(__FILE__, __LINE__, "TLS area too small (%lu bytes needed)",
                   (seL4_Word)keel_tls_area_size());
        return NULL;
    }
    t->tcb = kt_env_object(seL4_TCBObject, 0);
    if (t->tcb == 0) {
        return NULL;
    }
    t->in_use = true;
    seL4_Error err = seL4_TCB_Configure(t->tcb, fault_ep, KT_ROOT, 0, seL4_CapInitThreadVSpace, 0,
                                        (seL4_Word)t->ipc, t->ipc_frame);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_Configure failed with %d", (int)err);
        return NULL;
    }
    err = seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_SetPriority(%lu) failed with %d", prio, (int)err);
        return NULL;
    }
    seL4_UserContext regs;
    kt_thread_context(t, &regs);
    err = seL4_TCB_WriteRegisters(t->tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_WriteRegisters failed with %d", (int)err);
        return NULL;
    }
    return t;
}

void kt_thread_start(kt_thread_t *t)
{
    seL4_Error err = seL4_TCB_Resume(t->tcb);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "TCB_Resume failed with %d", (int)err);
    }
}

kt_thread_t *kt_thread_spawn(kt_thread_fn fn, seL4_Word arg, seL4_Word prio, seL4_CPtr fault_ep)
{
    kt_thread_t *t = kt_thread_create(fn, arg, prio, fault_ep);
    if (t != NULL) {
        kt_thread_start(t);
    }
    return t;
}

void kt_thread_destroy(kt_thread_t *t)
{
    if (t == NULL || !t->in_use) {
        return;
    }
    kt_delete(t->tcb);
    t->in_use = false;
}

/* Runs only when every other thread of the test is blocked or stopped. */
static void watchdog(seL4_Word arg)
{
    (void)arg;
    seL4_UserContext r;
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    seL4_Error err =
        seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, KEEL_WORDS_seL4_UserContext, &r);
    ktest_fail(__FILE__, __LINE__,
               "deadlock: every thread of the test is blocked or stopped; the root task stands "
               "at pc 0x%lx (ReadRegisters: %d)",
               err == seL4_NoError ? r.pc : 0, (int)err);
    const seL4_Word *saved = kt_env_jmp.x19_x30;
    r.x19 = saved[0];
    r.x20 = saved[1];
    r.x21 = saved[2];
    r.x22 = saved[3];
    r.x23 = saved[4];
    r.x24 = saved[5];
    r.x25 = saved[6];
    r.x26 = saved[7];
    r.x27 = saved[8];
    r.x28 = saved[9];
    r.x29 = saved[10];
    r.x30 = saved[11];
    r.pc = saved[11];
    r.sp = kt_env_jmp.sp;
    r.x0 = 1;
    seL4_TCB_WriteRegisters(seL4_CapInitThreadTCB, 1, 0, KEEL_WORDS_seL4_UserContext, &r);
}

bool kt_env_begin(void)
{
    env.nslots = 0;
    env.have_untyped = false;
    for (int i = 0; i < KT_MAX_THREADS; i++) {
        threads[i].in_use = false;
    }
    if (!kt_untyped(false, KT_ENV_UNTYPED_BITS, &env.untyped)) {
        return false;
    }
    env.have_untyped = true;
    if (kt_thread_spawn(watchdog, 0, KT_PRIO_WATCHDOG, 0) == NULL) {
        return false;
    }
    seL4_Error err =
        seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, KT_PRIO_ROOT);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "lowering the root task's priority failed with %d",
                   (int)err);
        return false;
    }
    return true;
}

void kt_env_end(void)
{
    /* Nothing may run while the test's objects go. */
    seL4_SetIPCBuffer((seL4_IPCBuffer *)keel_bootinfo()->ipcBuffer);
    seL4_Error err =
        seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, seL4_MaxPrio);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "restoring the root task's priority failed with %d",
                   (int)err);
    }
    for (int i = 0; i < KT_MAX_THREADS; i++) {
        kt_thread_destroy(&threads[i]);
    }
    if (env.have_untyped) {
        seL4_CNode_Revoke(KT_ROOT, env.untyped.cap, KT_DEPTH);
    }
    for (int i = 0; i < env.nslots; i++) {
        kt_delete(env.slots[i]);
    }
    for (int i = 0; i < env.nslots; i++) {
        if (seL4_DebugCapIdentify(env.slots[i]) != KT_TAG_NULL) {
            ktest_fail(__FILE__, __LINE__, "slot %lu not empty after the test", env.slots[i]);
            break;
        }
    }
    env.nslots = 0;
    env.have_untyped = false;
}
