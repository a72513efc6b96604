/* TCB methods (ABI 5.4.2). decode_tcb_method checks a method's arguments in
 * the ABI's order and returns them (tcb_args_t), changing nothing;
 * invoke_tcb_method then performs the method. Performing cannot fail, but
 * replacing a TCB's CSpace, VSpace or IPC-buffer cap deletes the old cap,
 * which is preemptible like every delete (see replace_tcb_cap). */
#include <arch/arch.h>
#include <capability.h>
#include <cdt.h>
#include <delete.h>
#include <keel/gen/abi.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <thread.h>

#define TCB_FLAGS_MASK 0x1 /* seL4_TCBFlag_fpuDisabled */
#define IPC_BUFFER_ALIGN_BITS 10

static bool flag(const invocation_t *inv, word_t shift)
{
    return (inv_mr(inv, 0) >> shift) & 1;
}

typedef struct read_registers_args {
    word_t count;
    bool suspend;
} read_registers_args_t;

static exception_t decode_read_registers(invocation_t *inv, const tcb_t *target,
                                         read_registers_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBReadRegisters) {
        return error_truncated_message(inv);
    }
    a->count = inv_mr(inv, KEEL_MR_TCBReadRegisters_count);
    if (a->count < 1 || a->count > ARCH_USER_CONTEXT_WORDS) {
        return error_range(inv, 1, ARCH_USER_CONTEXT_WORDS);
    }
    if (target == inv->thread) {
        return error_illegal_operation(inv);
    }
    a->suspend = flag(inv, KEEL_SHIFT_TCBReadRegisters_suspend_source);
    return EXCEPTION_NONE;
}

static void invoke_read_registers(invocation_t *inv, tcb_t *target, const read_registers_args_t *a)
{
    if (a->suspend) {
        thread_suspend(target);
    }
    for (word_t i = 0; i < a->count; i++) {
        inv_reply_mr(inv, i, target->context.r[arch_user_context_register(i)]);
    }
}

/* The register values themselves need no check (SPSR is sanitised as it is
 * written), so the perform reads them from the message. */
typedef struct write_registers_args {
    word_t count;
    bool resume;
} write_registers_args_t;

static exception_t decode_write_registers(invocation_t *inv, const tcb_t *target,
                                          write_registers_args_t *a)
{
    if (inv->length < KEEL_MR_TCBWriteRegisters_regs) {
        return error_truncated_message(inv);
    }
    word_t count = inv_mr(inv, KEEL_MR_TCBWriteRegisters_count);
    if (inv->length - KEEL_MR_TCBWriteRegisters_regs < count) {
        return error_truncated_message(inv);
    }
    if (target == inv->thread) {
        return error_illegal_operation(inv);
    }
    a->count = MIN(count, ARCH_USER_CONTEXT_WORDS);
    a->resume = flag(inv, KEEL_SHIFT_TCBWriteRegisters_resume_target);
    return EXCEPTION_NONE;
}

static void invoke_write_registers(const invocation_t *inv, tcb_t *target,
                                   const write_registers_args_t *a)
{
    for (word_t i = 0; i < a->count; i++) {
        word_t value = inv_mr(inv, KEEL_MR_TCBWriteRegisters_regs + i);
        word_t reg = arch_user_context_register(i);
        target->context.r[reg] = arch_sanitise_register(reg, value);
    }
    target->context.r[ARCH_REG_NEXT_IP] = target->context.r[ARCH_REG_FAULT_IP];
    if (a->resume) {
        thread_resume(target);
    }
}

typedef struct copy_registers_args {
    tcb_t *source;
    bool suspend_source, resume_target, transfer_frame, transfer_integer;
} copy_registers_args_t;

static exception_t decode_copy_registers(invocation_t *inv, copy_registers_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBCopyRegisters || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t source_cap = inv_extra_cap(inv, KEEL_CAP_TCBCopyRegisters_source);
    if (cap_type(source_cap) != cap_tcb) {
        return error_invalid_capability(inv, 1);
    }
    *a = (copy_registers_args_t){
        .source = tcb_from_cap(source_cap),
        .suspend_source = flag(inv, KEEL_SHIFT_TCBCopyRegisters_suspend_source),
        .resume_target = flag(inv, KEEL_SHIFT_TCBCopyRegisters_resume_target),
        .transfer_frame = flag(inv, KEEL_SHIFT_TCBCopyRegisters_transfer_frame),
        .transfer_integer = flag(inv, KEEL_SHIFT_TCBCopyRegisters_transfer_integer),
    };
    return EXCEPTION_NONE;
}

/* Copy seL4_UserContext words [first, end) (arch_user_context_register). */
static void copy_user_registers(tcb_t *target, const tcb_t *source, word_t first, word_t end)
{
    for (word_t i = first; i < end; i++) {
        word_t reg = arch_user_context_register(i);
        target->context.r[reg] = source->context.r[reg];
    }
}

static void invoke_copy_registers(tcb_t *target, const copy_registers_args_t *a)
{
    if (a->suspend_source) {
        thread_suspend(a->source);
    }
    if (a->resume_target) {
        thread_resume(target);
    }
    if (a->transfer_frame) {
        copy_user_registers(target, a->source, 0, ARCH_USER_CONTEXT_FRAME_WORDS);
        target->context.r[ARCH_REG_NEXT_IP] = target->context.r[ARCH_REG_FAULT_IP];
    }
    if (a->transfer_integer) {
        copy_user_registers(target, a->source, ARCH_USER_CONTEXT_FRAME_WORDS,
                            ARCH_USER_CONTEXT_WORDS);
    }
    if (target == ks_cur_thread) {
        sched_request_reschedule();
    }
}

/* Would deleting the cap in `slot` be long running (its object's slots must
 * be emptied)? Configure and SetSpace refuse to replace such a root. */
static bool is_long_running_delete(const cte_t *slot)
{
    enum cap_type type = cap_type(slot->cap);
    return type == cap_zombie || ((type == cap_cnode || type == cap_tcb) && cdt_is_final(slot));
}

/* The IPC buffer of Configure and SetIPCBuffer: its address and the frame
 * cap the TCB will keep (the null cap for "no buffer"), derived from the
 * cap in frame_slot. */
typedef struct ipc_buffer_args {
    word_t buffer;
    cap_t frame;
    cte_t *frame_slot;
} ipc_buffer_args_t;

/* The frame: derived, a non-device frame, the address 1 KiB aligned.
 * buffer == 0 means "no buffer" and needs no frame. */
static exception_t decode_ipc_buffer(invocation_t *inv, ipc_buffer_args_t *a)
{
    a->frame = cap_null_new();
    if (a->buffer == 0) {
        return EXCEPTION_NONE;
    }
    exception_t status = cap_derive(inv, a->frame_slot, a->frame_slot->cap, &a->frame);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!arch_cap_is_ipc_buffer(a->frame)) {
        return error_illegal_operation(inv);
    }
    if (!IS_ALIGNED(a->buffer, IPC_BUFFER_ALIGN_BITS)) {
        return error_alignment(inv);
    }
    return EXCEPTION_NONE;
}

/* The fault handler and the CSpace and VSpace roots of Configure and
 * SetSpace: the caps the TCB will keep, derived from the caps in the
 * given slots. */
typedef struct space_args {
    word_t fault_ep;
    cap_t cspace;
    cte_t *cspace_slot;
    cap_t vspace;
    cte_t *vspace_slot;
} space_args_t;

static exception_t decode_spaces(invocation_t *inv, tcb_t *target, word_t cspace_data,
                                 word_t vspace_data, space_args_t *a)
{
    if (is_long_running_delete(tcb_slot(target, TCB_CSPACE_ROOT)) ||
        is_long_running_delete(tcb_slot(target, TCB_VSPACE_ROOT))) {
        return error_illegal_operation(inv);
    }
    cap_t cspace = a->cspace_slot->cap;
    if (cspace_data != 0) {
        cspace = cap_update_data(cspace, false, cspace_data);
    }
    exception_t status = cap_derive(inv, a->cspace_slot, cspace, &a->cspace);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (cap_type(a->cspace) != cap_cnode) {
        return error_illegal_operation(inv);
    }
    status = cap_derive(inv, a->vspace_slot, a->vspace_slot->cap, &a->vspace);
    (void)vspace_data; /* cap data has no effect on VSpace caps (ABI 5.4.2) */
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!arch_cap_is_vspace_root(a->vspace)) {
        return error_illegal_operation(inv);
    }
    return EXCEPTION_NONE;
}

/* Replace the cap in the TCB's slot by `cap` derived from `source`, unless
 * deleting the old cap destroyed the source or the TCB itself.
 *
 * The one step of a TCB method that can stop: deleting the old cap returns
 * EXCEPTION_PREEMPTED if a preemption point stops it (it cannot fail
 * otherwise). In practice it never stops: the decode refuses CSpace and
 * VSpace roots whose delete would be long running (is_long_running_delete)
 * and the IPC-buffer slot only ever holds a frame cap, whose delete has no
 * preemption point. Were it to stop, the caller is still in Restart and the
 * method runs again from its decode, which checks everything anew against
 * the current state; what was done before the stop (the fault handler, a
 * root already replaced) is then done again to the same effect. */
static exception_t replace_tcb_cap(invocation_t *inv, tcb_t *target, enum tcb_slot which, cap_t cap,
                                   cte_t *source)
{
    cte_t *slot = tcb_slot(target, which);
    exception_t status = cte_delete(slot, true);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(cap) && cap_same_object_as(cap, source->cap) &&
        cap_type(inv->slot->cap) == cap_tcb && tcb_from_cap(inv->slot->cap) == target) {
        cdt_insert_derived(cap, source, slot);
    }
    return EXCEPTION_NONE;
}

static exception_t invoke_set_space(invocation_t *inv, tcb_t *target, const space_args_t *a)
{
    target->fault_handler = a->fault_ep;
    exception_t status = replace_tcb_cap(inv, target, TCB_CSPACE_ROOT, a->cspace, a->cspace_slot);
    if (status == EXCEPTION_NONE) {
        status = replace_tcb_cap(inv, target, TCB_VSPACE_ROOT, a->vspace, a->vspace_slot);
    }
    if (target == ks_cur_thread) {
        sched_request_reschedule();
    }
    return status;
}

static exception_t invoke_set_ipc_buffer(invocation_t *inv, tcb_t *target,
                                         const ipc_buffer_args_t *a)
{
    target->ipc_buffer = a->buffer;
    exception_t status = replace_tcb_cap(inv, target, TCB_IPC_BUFFER, a->frame, a->frame_slot);
    if (target == ks_cur_thread) {
        sched_request_reschedule();
    }
    return status;
}

typedef struct configure_args {
    space_args_t space;
    ipc_buffer_args_t ipc_buffer;
} configure_args_t;

static exception_t decode_configure(invocation_t *inv, tcb_t *target, configure_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBConfigure || inv->extra_count < KEEL_NCAPS_TCBConfigure) {
        return error_truncated_message(inv);
    }
    a->space = (space_args_t){
        .fault_ep = inv_mr(inv, KEEL_MR_TCBConfigure_fault_ep),
        .cspace_slot = inv->extra[KEEL_CAP_TCBConfigure_cspace_root],
        .vspace_slot = inv->extra[KEEL_CAP_TCBConfigure_vspace_root],
    };
    a->ipc_buffer = (ipc_buffer_args_t){
        .buffer = inv_mr(inv, KEEL_MR_TCBConfigure_buffer),
        .frame_slot = inv->extra[KEEL_CAP_TCBConfigure_bufferFrame],
    };
    exception_t status = decode_ipc_buffer(inv, &a->ipc_buffer);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return decode_spaces(inv, target, inv_mr(inv, KEEL_MR_TCBConfigure_cspace_root_data),
                         inv_mr(inv, KEEL_MR_TCBConfigure_vspace_root_data), &a->space);
}

static exception_t invoke_configure(invocation_t *inv, tcb_t *target, const configure_args_t *a)
{
    exception_t status = invoke_set_space(inv, target, &a->space);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_set_ipc_buffer(inv, target, &a->ipc_buffer);
}

static exception_t decode_set_space(invocation_t *inv, tcb_t *target, space_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBSetSpace || inv->extra_count < KEEL_NCAPS_TCBSetSpace) {
        return error_truncated_message(inv);
    }
    *a = (space_args_t){
        .fault_ep = inv_mr(inv, KEEL_MR_TCBSetSpace_fault_ep),
        .cspace_slot = inv->extra[KEEL_CAP_TCBSetSpace_cspace_root],
        .vspace_slot = inv->extra[KEEL_CAP_TCBSetSpace_vspace_root],
    };
    return decode_spaces(inv, target, inv_mr(inv, KEEL_MR_TCBSetSpace_cspace_root_data),
                         inv_mr(inv, KEEL_MR_TCBSetSpace_vspace_root_data), a);
}

static exception_t decode_set_ipc_buffer(invocation_t *inv, ipc_buffer_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBSetIPCBuffer || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    *a = (ipc_buffer_args_t){
        .buffer = inv_mr(inv, KEEL_MR_TCBSetIPCBuffer_buffer),
        .frame_slot = inv->extra[KEEL_CAP_TCBSetIPCBuffer_bufferFrame],
    };
    return decode_ipc_buffer(inv, a);
}

/* SetPriority, SetMCPriority and SetSchedParams: what each sets. */
typedef struct sched_params_args {
    word_t mcp, priority;
    bool set_mcp, set_priority;
} sched_params_args_t;

/* The authority TCB of the priority methods, and the bound it gives. */
static exception_t authority_mcp(invocation_t *inv, word_t *mcp)
{
    cap_t authority = inv_extra_cap(inv, 0);
    if (cap_type(authority) != cap_tcb) {
        return error_invalid_capability(inv, 1);
    }
    *mcp = tcb_from_cap(authority)->mcp;
    return EXCEPTION_NONE;
}

static exception_t decode_sched_params(invocation_t *inv, sched_params_args_t *a)
{
    word_t label = inv->label;
    word_t needed = label == TCBSetSchedParams ? 2 : 1;
    if (inv->length < needed || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    word_t auth_mcp;
    exception_t status = authority_mcp(inv, &auth_mcp);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    *a = (sched_params_args_t){
        .mcp = inv_mr(inv, 0), /* SetMCPriority and SetSchedParams */
        .priority = label == TCBSetSchedParams ? inv_mr(inv, KEEL_MR_TCBSetSchedParams_priority)
                                               : inv_mr(inv, KEEL_MR_TCBSetPriority_priority),
        .set_mcp = label != TCBSetPriority,
        .set_priority = label != TCBSetMCPriority,
    };
    if (a->set_mcp && a->mcp > auth_mcp) {
        return error_range(inv, 0, auth_mcp);
    }
    if (a->set_priority && a->priority > auth_mcp) {
        return error_range(inv, 0, auth_mcp);
    }
    return EXCEPTION_NONE;
}

static void invoke_sched_params(tcb_t *target, const sched_params_args_t *a)
{
    if (a->set_mcp) {
        target->mcp = (uint8_t)a->mcp;
    }
    if (a->set_priority) {
        thread_set_priority(target, a->priority);
    }
}

/* BindNotification: the notification cap to bind. */
static exception_t decode_bind_notification(invocation_t *inv, const tcb_t *target,
                                            cap_t *notification)
{
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t cap = inv_extra_cap(inv, 0);
    if (target->bound_notification != 0 || cap_type(cap) != cap_notification ||
        !(cap_rights(cap) & RIGHT_READ)) {
        return error_illegal_operation(inv);
    }
    /* Waiting threads or a binding refuse it; pending signals do not
     * (`head` also holds the state, which is then active). */
    const notification_t *ntfn = cap_object(cap);
    if (tcb_queue_state(ntfn->head) == NTFN_WAITING || ntfn->bound_tcb != 0) {
        return error_illegal_operation(inv);
    }
    *notification = cap;
    return EXCEPTION_NONE;
}

static void invoke_bind_notification(tcb_t *target, cap_t notification)
{
    notification_t *ntfn = cap_object(notification);
    ntfn->bound_tcb = ptr_to_paddr(target);
    target->bound_notification = cap_paddr(notification);
}

static exception_t decode_unbind_notification(invocation_t *inv, const tcb_t *target)
{
    if (target->bound_notification == 0) {
        return error_illegal_operation(inv);
    }
    return EXCEPTION_NONE;
}

static void invoke_unbind_notification(tcb_t *target)
{
    notification_t *ntfn = paddr_to_ptr(target->bound_notification);
    ntfn->bound_tcb = 0;
    target->bound_notification = 0;
}

static exception_t decode_set_tls_base(invocation_t *inv, word_t *tls_base)
{
    if (inv->length < KEEL_LEN_TCBSetTLSBase) {
        return error_truncated_message(inv);
    }
    *tls_base = inv_mr(inv, KEEL_MR_TCBSetTLSBase_tls_base);
    return EXCEPTION_NONE;
}

typedef struct set_flags_args {
    word_t clear, set;
} set_flags_args_t;

static exception_t decode_set_flags(invocation_t *inv, set_flags_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBSetFlags) {
        return error_truncated_message(inv);
    }
    a->clear = inv_mr(inv, KEEL_MR_TCBSetFlags_clear);
    a->set = inv_mr(inv, KEEL_MR_TCBSetFlags_set);
    return EXCEPTION_NONE;
}

/* The reply is the flags now in effect. */
static void invoke_set_flags(invocation_t *inv, tcb_t *target, const set_flags_args_t *a)
{
    target->flags = (target->flags & ~a->clear) | (a->set & TCB_FLAGS_MASK);
    if (target->flags & TCB_FLAGS_MASK) {
        arch_fpu_release(target);
    }
    inv_reply_mr(inv, 0, target->flags);
}

/* The checked arguments of every TCB method but the debug API's. */
typedef union tcb_args {
    read_registers_args_t read_registers;
    write_registers_args_t write_registers;
    copy_registers_args_t copy_registers;
    configure_args_t configure;
    sched_params_args_t sched_params;
    ipc_buffer_args_t set_ipc_buffer;
    space_args_t set_space;
    cap_t bind_notification;
    word_t set_tls_base;
    set_flags_args_t set_flags;
} tcb_args_t;

/* Suspend and Resume have nothing to check. */
static exception_t decode_tcb_method(invocation_t *inv, tcb_t *target, tcb_args_t *a)
{
    switch (inv->label) {
    case TCBReadRegisters:
        return decode_read_registers(inv, target, &a->read_registers);
    case TCBWriteRegisters:
        return decode_write_registers(inv, target, &a->write_registers);
    case TCBCopyRegisters:
        return decode_copy_registers(inv, &a->copy_registers);
    case TCBConfigure:
        return decode_configure(inv, target, &a->configure);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams:
        return decode_sched_params(inv, &a->sched_params);
    case TCBSetIPCBuffer:
        return decode_set_ipc_buffer(inv, &a->set_ipc_buffer);
    case TCBSetSpace:
        return decode_set_space(inv, target, &a->set_space);
    case TCBSuspend:
    case TCBResume:
        return EXCEPTION_NONE;
    case TCBBindNotification:
        return decode_bind_notification(inv, target, &a->bind_notification);
    case TCBUnbindNotification:
        return decode_unbind_notification(inv, target);
    case TCBSetTLSBase:
        return decode_set_tls_base(inv, &a->set_tls_base);
    case TCBSetFlags:
        return decode_set_flags(inv, &a->set_flags);
    default:
        return error_illegal_operation(inv);
    }
}

/* Perform the method decode_tcb_method accepted. Only the methods that
 * replace a TCB's caps can return anything but EXCEPTION_NONE, and then only
 * EXCEPTION_PREEMPTED (replace_tcb_cap). */
static exception_t invoke_tcb_method(invocation_t *inv, tcb_t *target, const tcb_args_t *a)
{
    switch (inv->label) {
    case TCBReadRegisters:
        invoke_read_registers(inv, target, &a->read_registers);
        break;
    case TCBWriteRegisters:
        invoke_write_registers(inv, target, &a->write_registers);
        break;
    case TCBCopyRegisters:
        invoke_copy_registers(target, &a->copy_registers);
        break;
    case TCBConfigure:
        return invoke_configure(inv, target, &a->configure);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams:
        invoke_sched_params(target, &a->sched_params);
        break;
    case TCBSetIPCBuffer:
        return invoke_set_ipc_buffer(inv, target, &a->set_ipc_buffer);
    case TCBSetSpace:
        return invoke_set_space(inv, target, &a->set_space);
    case TCBSuspend:
        thread_suspend(target);
        break;
    case TCBResume:
        thread_resume(target);
        break;
    case TCBBindNotification:
        invoke_bind_notification(target, a->bind_notification);
        break;
    case TCBUnbindNotification:
        invoke_unbind_notification(target);
        break;
    case TCBSetTLSBase:
        target->context.r[ARCH_REG_TLS] = a->set_tls_base;
        break;
    case TCBSetFlags:
        invoke_set_flags(inv, target, &a->set_flags);
        break;
    default:
        break; /* decode_tcb_method accepted no other label */
    }
    return EXCEPTION_NONE;
}

exception_t decode_tcb_invocation(invocation_t *inv)
{
    tcb_t *target = tcb_from_cap(inv->cap);
    if (CONFIG_HARDWARE_DEBUG_API && tcb_is_debug_method(inv->label)) {
        return decode_tcb_debug_invocation(inv, target);
    }
    tcb_args_t a;
    exception_t status = decode_tcb_method(inv, target, &a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_tcb_method(inv, target, &a);
}
