/* Thread control blocks: helpers shared by IPC, faults and invocations. */
#include <arch/arch.h>
#include <config.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <thread.h>

word_t *tcb_ipc_buffer(tcb_t *thread, bool writing)
{
    return arch_ipc_buffer(tcb_slot(thread, TCB_IPC_BUFFER)->cap, thread->ipc_buffer, writing);
}

word_t tcb_write_mrs(tcb_t *thread, const word_t *mrs, word_t n)
{
    word_t *buffer = tcb_ipc_buffer(thread, true);
    word_t i = 0;
    while (i < n && tcb_set_mr(thread, buffer, i, mrs[i])) {
        i++;
    }
    return i;
}

void tcb_init(tcb_t *tcb, const tcb_t *creator)
{
    static const char prefix[] = "child of: '";
    arch_context_init(&tcb->context);
    tcb->time_slice = CONFIG_TIME_SLICE;
    tcb->state = thread_inactive;
    tcb->domain = (uint8_t)SCHED_CUR_DOMAIN;
    size_t at = sizeof(prefix) - 1;
    memcpy(tcb->name, prefix, at);
    const char *parent = creator != NULL ? creator->name : "kernel";
    for (size_t i = 0; parent[i] != '\0' && at < TCB_NAME_LENGTH - 2; i++) {
        tcb->name[at++] = parent[i];
    }
    tcb->name[at++] = '\'';
    tcb->name[at] = '\0';
    debug_thread_list_add(tcb);
}

void tcb_finalise(tcb_t *tcb)
{
    thread_suspend(tcb);
    arch_fpu_release(tcb);
    if (CONFIG_HARDWARE_DEBUG_API) {
        arch_debug_release(tcb);
    }
    if (tcb->bound_notification != 0) {
        notification_t *ntfn = paddr_to_ptr(tcb->bound_notification);
        ntfn->bound_tcb = 0;
        tcb->bound_notification = 0;
    }
    debug_thread_list_remove(tcb);
}
