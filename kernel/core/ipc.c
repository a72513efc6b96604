/* Message transfer between threads (ABI 3), fault messages and fault
 * replies (ABI 7), reply caps. */
#include <arch/arch.h>
#include <capability.h>
#include <cdt.h>
#include <cspace.h>
#include <delete.h>
#include <fault.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/notification.h>
#include <panic.h>
#include <thread.h>

/* Where the receiver wants a capability: its receive path (ABI 3.1). */
static cte_t *receive_slot(tcb_t *receiver, const word_t *buffer)
{
    lookup_cap_ret_t cnode = lookup_cap(receiver, buffer[KEEL_seL4_IPCBuffer_receiveCNode]);
    if (cnode.fault.type != 0 || cap_type(cnode.cap) != cap_cnode) {
        return NULL;
    }
    word_t depth = buffer[KEEL_seL4_IPCBuffer_receiveDepth];
    if (depth < 1 || depth > WORD_BITS) {
        return NULL;
    }
    resolve_ret_t r =
        resolve_address_bits(cnode.cap, buffer[KEEL_seL4_IPCBuffer_receiveIndex], depth);
    if (r.fault.type != 0 || r.bits_remaining != 0 || !cap_is_null(r.slot->cap)) {
        return NULL;
    }
    return r.slot;
}

/* Transfer the sender's extra caps (ABI 3.5). The cptrs are resolved again
 * now (the sender may have waited): if any no longer resolves, no cap is
 * transferred at all. Returns the receiver tag's extraCaps and sets its
 * capsUnwrapped. */
static word_t transfer_caps(tcb_t *sender, const word_t *sbuf, word_t count, endpoint_t *ep,
                            tcb_t *receiver, word_t *rbuf, word_t *unwrapped)
{
    *unwrapped = 0;
    if (sbuf == NULL || rbuf == NULL) {
        return 0;
    }
    lookup_cap_ret_t caps[seL4_MsgMaxExtraCaps];
    for (word_t i = 0; i < count; i++) {
        caps[i] = lookup_cap(sender, sbuf[KEEL_seL4_IPCBuffer_caps_or_badges + i]);
        if (caps[i].fault.type != 0) {
            return 0;
        }
    }
    cte_t *dest = receive_slot(receiver, rbuf);
    word_t done = 0;
    for (; done < count; done++) {
        lookup_cap_ret_t src = caps[done];
        if (cap_is_null(src.cap)) {
            break;
        }
        if (ep != NULL && cap_type(src.cap) == cap_endpoint && cap_object(src.cap) == (void *)ep) {
            rbuf[KEEL_seL4_IPCBuffer_caps_or_badges + done] = cap_badge(src.cap);
            *unwrapped |= BIT(done);
            continue;
        }
        if (dest == NULL) {
            break;
        }
        derive_ret_t derived = cdt_derive(src.slot, src.cap);
        if (derived.error != 0 || cap_is_null(derived.cap)) {
            break;
        }
        cdt_insert_derived(derived.cap, src.slot, dest);
        dest = NULL; /* one receive slot per message */
    }
    return done;
}

#if CONFIG_HARDWARE_DEBUG_API
/* seL4 manual "Debug Exception": the restart address and the reason; a
 * breakpoint or watchpoint adds the trigger address and its API ID. */
static word_t debug_fault_message(const tcb_t *t, word_t mrs[16])
{
    word_t reason = fault_debug_reason(&t->fault);
    mrs[seL4_DebugException_FaultIP] = t->context.r[ARCH_REG_FAULT_IP];
    mrs[seL4_DebugException_ExceptionReason] = reason;
    if (reason == seL4_SingleStep || reason == seL4_SoftwareBreakRequest) {
        return seL4_DebugException_TriggerAddress;
    }
    mrs[seL4_DebugException_TriggerAddress] = t->fault.data[0];
    mrs[seL4_DebugException_BreakpointNumber] = fault_debug_bp_num(&t->fault);
    return seL4_DebugException_Length;
}

/* A reply to a debug exception restarts the thread (label 0); to a single
 * step it also says how many instructions to run before the next step
 * fault: MR0, or 1 if the reply is empty; 0 stops stepping. */
static bool debug_fault_reply(tcb_t *faulter, const tcb_t *replier, word_t info)
{
    if (fault_debug_reason(&faulter->fault) == seL4_SingleStep) {
        word_t instructions =
            keel_seL4_MessageInfo_get_length(info) >= 1 ? replier->context.r[ARCH_REG_MR0] : 1;
        arch_debug_step_reply(faulter, instructions);
    }
    return keel_seL4_MessageInfo_get_label(info) == 0;
}
#endif

/* The first `count` words of a fault message: the registers the port says
 * it carries (arch.h). */
static void copy_fault_registers(const arch_context_t *c, const uint8_t *registers, word_t count,
                                 word_t *mrs)
{
    for (word_t i = 0; i < count; i++) {
        mrs[i] = c->r[registers[i]];
    }
}

/* A cap fault (ABI 7.3): the lookup failure's words depend on its type. */
static word_t cap_fault_message(const tcb_t *t, word_t mrs[16])
{
    const lookup_fault_t *l = &t->lookup_fault;
    word_t length = seL4_CapFault_LookupFailureType + 1;
    mrs[seL4_CapFault_IP] = t->context.r[ARCH_REG_FAULT_IP];
    mrs[seL4_CapFault_Addr] = t->fault.data[0];
    mrs[seL4_CapFault_InRecvPhase] = t->fault.data[1];
    mrs[seL4_CapFault_LookupFailureType] = l->type;
    if (l->type >= seL4_MissingCapability) {
        mrs[seL4_CapFault_BitsLeft] = l->bits_left;
        length = seL4_CapFault_BitsLeft + 1;
    }
    if (l->type == seL4_DepthMismatch) {
        mrs[seL4_CapFault_DepthMismatch_BitsFound] = l->bits_found;
        length = seL4_CapFault_DepthMismatch_BitsFound + 1;
    }
    if (l->type == seL4_GuardMismatch) {
        mrs[seL4_CapFault_GuardMismatch_GuardFound] = l->guard_found;
        mrs[seL4_CapFault_GuardMismatch_BitsFound] = l->bits_found;
        length = seL4_CapFault_GuardMismatch_BitsFound + 1;
    }
    return length;
}

/* The fault message of the thread's recorded fault (ABI 7.3-7.6). */
static word_t fault_message(const tcb_t *t, word_t mrs[16])
{
    const arch_context_t *c = &t->context;
    switch (t->fault.type) {
    case seL4_Fault_CapFault:
        return cap_fault_message(t, mrs);
    case seL4_Fault_UnknownSyscall:
        copy_fault_registers(c, arch_syscall_fault_registers, seL4_UnknownSyscall_Syscall, mrs);
        mrs[seL4_UnknownSyscall_Syscall] = t->fault.data[0];
        return seL4_UnknownSyscall_Length;
    case seL4_Fault_UserException:
        copy_fault_registers(c, arch_exception_fault_registers, seL4_UserException_Number, mrs);
        mrs[seL4_UserException_Number] = t->fault.data[0];
        mrs[seL4_UserException_Code] = 0;
        return seL4_UserException_Length;
#if CONFIG_HARDWARE_DEBUG_API
    case seL4_Fault_DebugException:
        return debug_fault_message(t, mrs);
#endif
    default: /* seL4_Fault_VMFault */
        mrs[seL4_VMFault_IP] = c->r[ARCH_REG_FAULT_IP];
        mrs[seL4_VMFault_Addr] = t->fault.data[0];
        mrs[seL4_VMFault_PrefetchFault] = t->fault.data[1] & 1;
        mrs[seL4_VMFault_FSR] = t->fault.data[1] >> 1;
        return seL4_VMFault_Length;
    }
}

/* Write the n words of a kernel-built message (a fault message) as MRs;
 * returns how many arrived. Messages that fit the registers do not need the
 * receiver's IPC buffer. */
static word_t write_kernel_mrs(tcb_t *receiver, const word_t *mrs, word_t n)
{
    if (n > TCB_FAST_MRS) {
        return tcb_write_mrs(receiver, mrs, n);
    }
    for (word_t i = 0; i < n; i++) {
        receiver->context.r[ARCH_REG_MR0 + i] = mrs[i];
    }
    return n;
}

/* The MRs beyond the registers and the extra caps, through both IPC
 * buffers; `n` is the sender's length. Returns the length delivered. */
/* Out of line, like the fault message below: their arrays would otherwise
 * give every transfer, the common register-only one included, a large
 * stack frame to set up. */
static NOINLINE word_t transfer_buffer_part(tcb_t *sender, word_t n, word_t cap_count,
                                            endpoint_t *ep, tcb_t *receiver, word_t *caps,
                                            word_t *unwrapped)
{
    word_t *sbuf = tcb_ipc_buffer(sender, false);
    word_t *rbuf = tcb_ipc_buffer(receiver, true);
    if (sbuf == NULL || rbuf == NULL) {
        n = MIN(n, TCB_FAST_MRS);
    }
    for (word_t i = TCB_FAST_MRS; i < n; i++) {
        rbuf[KEEL_seL4_IPCBuffer_msg + i] = sbuf[KEEL_seL4_IPCBuffer_msg + i];
    }
    *caps =
        cap_count != 0 ? transfer_caps(sender, sbuf, cap_count, ep, receiver, rbuf, unwrapped) : 0;
    return n;
}

/* The sender's fault, as the message (ABI 7). */
static NOINLINE void transfer_fault(const tcb_t *sender, tcb_t *receiver)
{
    word_t mrs[16];
    word_t length = fault_message(sender, mrs);
    word_t n = write_kernel_mrs(receiver, mrs, length);
    receiver->context.r[ARCH_REG_MSG_INFO] = keel_seL4_MessageInfo_new(sender->fault.type, 0, 0, n);
}

void ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool can_grant, tcb_t *receiver)
{
    receiver->context.r[ARCH_REG_BADGE] = badge;
    if (sender->fault.type != 0) {
        transfer_fault(sender, receiver);
        return;
    }
    word_t info = sender->context.r[ARCH_REG_MSG_INFO];
    word_t n = message_length(info);
    word_t cap_count = can_grant ? keel_seL4_MessageInfo_get_extraCaps(info) : 0;
    for (word_t i = 0; i < MIN(n, TCB_FAST_MRS); i++) {
        receiver->context.r[ARCH_REG_MR0 + i] = sender->context.r[ARCH_REG_MR0 + i];
    }
    word_t caps = 0;
    word_t unwrapped = 0;
    /* Only longer messages and cap transfers need the IPC buffers. */
    if (n > TCB_FAST_MRS || cap_count != 0) {
        n = transfer_buffer_part(sender, n, cap_count, ep, receiver, &caps, &unwrapped);
    }
    receiver->context.r[ARCH_REG_MSG_INFO] =
        keel_seL4_MessageInfo_new(keel_seL4_MessageInfo_get_label(info), unwrapped, caps, n);
}

void ipc_setup_caller_cap(tcb_t *caller, tcb_t *receiver, bool can_grant)
{
    thread_set_state(caller, thread_blocked_on_reply);
    cte_t *master = tcb_slot(caller, TCB_REPLY);
    cte_t *dest = tcb_slot(receiver, TCB_CALLER);
    cte_delete_one(dest);
    cap_t reply = cap_with_reply_can_grant(cap_new(cap_reply, ptr_to_paddr(caller)), can_grant);
    kassert(mdb_next(master) == NULL);
    cdt_insert_reply(reply, master, dest);
}

/* Apply a handler's reply to a faulted thread (ABI 7.7): the registers its
 * fault message carried, as far as the reply gives them. True: restart. */
static bool fault_reply(tcb_t *faulter, const tcb_t *replier)
{
    const uint8_t *regs = NULL;
    word_t count = 0;
    if (faulter->fault.type == seL4_Fault_UnknownSyscall) {
        regs = arch_syscall_fault_registers;
        count = ARRAY_SIZE(arch_syscall_fault_registers);
    } else if (faulter->fault.type == seL4_Fault_UserException) {
        regs = arch_exception_fault_registers;
        count = ARRAY_SIZE(arch_exception_fault_registers);
#if CONFIG_HARDWARE_DEBUG_API
    } else if (faulter->fault.type == seL4_Fault_DebugException) {
        return debug_fault_reply(faulter, replier, replier->context.r[ARCH_REG_MSG_INFO]);
#endif
    } else {
        return true; /* cap and VM faults: restart whatever the reply says */
    }
    word_t info = replier->context.r[ARCH_REG_MSG_INFO];
    word_t n = message_length(info);
    word_t *buffer = NULL;
    if (n > TCB_FAST_MRS) {
        buffer = tcb_ipc_buffer((tcb_t *)replier, false);
        if (buffer == NULL) {
            n = TCB_FAST_MRS;
        }
    }
    arch_context_t *c = &faulter->context;
    for (word_t i = 0; i < MIN(n, count); i++) {
        c->r[regs[i]] = arch_sanitise_register(regs[i], tcb_get_mr(replier, buffer, i));
    }
    return keel_seL4_MessageInfo_get_label(info) == 0;
}

/* A one-shot reply cap cannot be derived (cdt_derive gives the null cap), so
 * it is always a leaf of the derivation tree whose object holds nothing:
 * deleting it is unlinking it. */
void ipc_do_reply(tcb_t *replier, cte_t *reply_slot)
{
    cap_t reply = reply_slot->cap;
    tcb_t *caller = cap_object(reply);
    kassert(caller->state == thread_blocked_on_reply);
    if (caller->fault.type == 0) {
        ipc_transfer(replier, NULL, 0, cap_reply_can_grant(reply), caller);
        cdt_remove_reply(reply_slot);
        caller->state = thread_running; /* runnable, so no queue to leave */
        sched_possible_switch_to(caller);
        return;
    }
    cdt_remove_reply(reply_slot);
    bool restart = fault_reply(caller, replier);
    caller->fault.type = 0;
    if (restart) {
        caller->state = thread_restart;
        sched_possible_switch_to(caller);
    } else {
        thread_set_state(caller, thread_inactive);
    }
}

void ipc_send_fault(tcb_t *thread, cap_t handler)
{
    word_t rights = cap_rights(handler);
    word_t flags = BLOCKED_IS_CALL | BLOCKED_CAN_GRANT_REPLY |
                   ((rights & RIGHT_GRANT) ? BLOCKED_CAN_GRANT : 0);
    endpoint_send(thread, cap_object(handler), cap_badge(handler), flags, true);
}

void ipc_cancel(tcb_t *thread)
{
    switch (thread->state) {
    case thread_blocked_on_send:
    case thread_blocked_on_receive:
        endpoint_cancel_ipc(thread);
        break;
    case thread_blocked_on_notification:
        notification_cancel_wait(thread);
        break;
    case thread_blocked_on_reply: {
        /* The one-shot reply cap to it is its master cap's only child. */
        cte_t *next = mdb_next(tcb_slot(thread, TCB_REPLY));
        if (next != NULL && cap_type(next->cap) == cap_reply && !cap_reply_master(next->cap) &&
            cap_object(next->cap) == (void *)thread) {
            cte_delete_one(next);
        }
        thread->fault.type = 0;
        break;
    }
    default:
        break;
    }
}
