/* Debug system calls (ABI 10.3): DebugPutChar and DebugDumpScheduler with
 * CONFIG_PRINTING, the others in debug builds (the numbers exist only when
 * their call is present, keel.api). None changes a register of the caller
 * except DebugCapIdentify's cap register.
 * Also Keel's KeelFastpathStats, in kernels built with
 * CONFIG_FASTPATH_STATS. */
#include <api/fastpath.h>
#include <api/syscall.h>
#include <arch/arch.h>
#include <config.h>
#include <cspace.h>
#include <invariants.h>
#include <keel/gen/abi.h>
#include <printk.h>
#include <thread.h>

#define NAME_BUFFER_BYTES (seL4_MsgMaxLength * sizeof(word_t)) /* the IPC buffer's msg[] */

static const char *const state_names[] = {
    [thread_inactive] = "inactive",
    [thread_running] = "running",
    [thread_restart] = "restart",
    [thread_blocked_on_receive] = "blocked on recv",
    [thread_blocked_on_send] = "blocked on send",
    [thread_blocked_on_reply] = "blocked on reply",
    [thread_blocked_on_notification] = "blocked on ntfn",
};

static UNUSED void dump_scheduler(void)
{
    kprintf("Dumping all tcbs!\n");
    kprintf("%-20s %-16s %-18s %s\n", "Name", "State", "IP", "Prio");
    for (tcb_t *t = ks_debug_thread_list; t != NULL; t = t->debug_next) {
        kprintf("%-20s %-16s 0x%016lx %u%s\n", t->name, state_names[t->state % 7],
                t->context.r[ARCH_REG_FAULT_IP], t->priority,
                t == ks_cur_thread ? " (current)" : "");
    }
}

static UNUSED void halt_from_user(tcb_t *thread, const char *what)
{
    kprintf("%s from user thread %p \"%s\"\n", what, (void *)thread, thread->name);
}

/* DebugNameThread: the name is a NUL-terminated string at msg[0] of the
 * caller's IPC buffer. A bad cap or missing NUL halts the system, as the
 * reference kernel does; a missing IPC buffer halts too, rather than reading
 * a wild address. */
static UNUSED void name_thread(tcb_t *caller)
{
    lookup_cap_ret_t target = lookup_cap(caller, caller->context.r[ARCH_REG_CAP]);
    const char *name = (const char *)(tcb_ipc_buffer(caller, false));
    if (target.fault.type != 0 || cap_type(target.cap) != cap_tcb) {
        kprintf("DebugNameThread: cap is not a TCB, halting\n");
        arch_system_off(1);
    }
    if (name == NULL) {
        kprintf("DebugNameThread: caller has no IPC buffer, halting\n");
        arch_system_off(1);
    }
    name += KEEL_seL4_IPCBuffer_msg * sizeof(word_t);
    size_t len = 0;
    while (len < NAME_BUFFER_BYTES && name[len] != '\0') {
        len++;
    }
    if (len == NAME_BUFFER_BYTES) {
        kprintf("DebugNameThread: name is not NUL-terminated, halting\n");
        arch_system_off(1);
    }
    tcb_t *tcb = tcb_from_cap(target.cap);
    len = MIN(len, TCB_NAME_LENGTH - 1);
    memcpy(tcb->name, name, len);
    tcb->name[len] = '\0';
}

#if CONFIG_FASTPATH_STATS
/* KeelFastpathStats (a Keel extension, in benchmark kernels built with
 * CONFIG_FASTPATH_STATS, release builds included): the fastpath counters
 * (api/fastpath.h) in the six registers of a short message: badge, message
 * info, MR0..MR3. */
static void read_fastpath_stats(arch_context_t *ctx)
{
    const fastpath_stats_t *s = &ks_fastpath_stats;
    ctx->r[ARCH_REG_BADGE] = s->call_fast;
    ctx->r[ARCH_REG_MSG_INFO] = s->call_slow;
    ctx->r[ARCH_REG_MR0 + 0] = s->reply_recv_fast;
    ctx->r[ARCH_REG_MR0 + 1] = s->reply_recv_slow;
    ctx->r[ARCH_REG_MR0 + 2] = s->vm_fault_fast;
    ctx->r[ARCH_REG_MR0 + 3] = s->vm_fault_slow;
}
#endif

bool handle_debug_syscall(sword_t number)
{
#if CONFIG_FASTPATH_STATS
    if (number == seL4_SysKeelFastpathStats) {
        read_fastpath_stats(&ks_cur_thread->context);
        return true;
    }
#endif
    UNUSED tcb_t *thread = ks_cur_thread;
    UNUSED arch_context_t *ctx = &thread->context;
    switch (number) {
#if CONFIG_PRINTING
    case seL4_SysDebugPutChar:
        kputchar((char)(ctx->r[ARCH_REG_CAP] & 0xff));
        return true;
    case seL4_SysDebugDumpScheduler:
        dump_scheduler();
        return true;
#endif
#if CONFIG_DEBUG_BUILD
    case seL4_SysDebugHalt:
        halt_from_user(thread, "Debug halt syscall");
        arch_system_off(0);
    case seL4_SysDebugCapIdentify: {
        lookup_cap_ret_t r = lookup_cap(thread, ctx->r[ARCH_REG_CAP]);
        ctx->r[ARCH_REG_CAP] = r.fault.type == 0 ? cap_type(r.cap) : 0;
        return true;
    }
    case seL4_SysDebugSnapshot:
        halt_from_user(thread, "Debug snapshot syscall");
        dump_scheduler();
        invariants_check();
        return true;
    case seL4_SysDebugNameThread:
        name_thread(thread);
        return true;
#endif
    default:
        return false;
    }
}
