/* TCB methods (ABI 5.4.2). Each decode_ function checks everything in the
 * ABI's order; the changes come after the last check. */
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

static word_t flag(const invocation_t *inv, word_t shift)
{
    return (inv_mr(inv, 0) >> shift) & 1;
}

static exception_t decode_read_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBReadRegisters) {
        return error_truncated_message(inv);
    }
    word_t count = inv_mr(inv, KEEL_MR_TCBReadRegisters_count);
    if (count < 1 || count > ARCH_USER_CONTEXT_WORDS) {
        return error_range(inv, 1, ARCH_USER_CONTEXT_WORDS);
    }
    if (target == inv->thread) {
        return error_illegal_operation(inv);
    }
    if (flag(inv, KEEL_SHIFT_TCBReadRegisters_suspend_source)) {
        thread_suspend(target);
    }
    for (word_t i = 0; i < count; i++) {
        inv_reply_mr(inv, i, target->context.r[arch_user_context_register(i)]);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_write_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < 2) {
        return error_truncated_message(inv);
    }
    word_t count = inv_mr(inv, KEEL_MR_TCBWriteRegisters_count);
    if (inv->length - 2 < count) {
        return error_truncated_message(inv);
    }
    if (target == inv->thread) {
        return error_illegal_operation(inv);
    }
    count = MIN(count, ARCH_USER_CONTEXT_WORDS);
    for (word_t i = 0; i < count; i++) {
        word_t value = inv_mr(inv, KEEL_MR_TCBWriteRegisters_regs + i);
        word_t reg = arch_user_context_register(i);
        target->context.r[reg] = arch_sanitise_register(reg, value);
    }
    target->context.r[ARCH_REG_NEXT_IP] = target->context.r[ARCH_REG_FAULT_IP];
    if (flag(inv, KEEL_SHIFT_TCBWriteRegisters_resume_target)) {
        thread_resume(target);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_copy_registers(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBCopyRegisters || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t source_cap = inv_extra_cap(inv, KEEL_CAP_TCBCopyRegisters_source);
    if (cap_type(source_cap) != cap_tcb) {
        return error_invalid_capability(inv, 1);
    }
    tcb_t *source = tcb_from_cap(source_cap);
    if (flag(inv, KEEL_SHIFT_TCBCopyRegisters_suspend_source)) {
        thread_suspend(source);
    }
    if (flag(inv, KEEL_SHIFT_TCBCopyRegisters_resume_target)) {
        thread_resume(target);
    }
    if (flag(inv, KEEL_SHIFT_TCBCopyRegisters_transfer_frame)) {
        for (word_t i = 0; i < ARCH_USER_CONTEXT_FRAME_WORDS; i++) {
            word_t reg = arch_user_context_register(i);
            target->context.r[reg] = source->context.r[reg];
        }
        target->context.r[ARCH_REG_NEXT_IP] = target->context.r[ARCH_REG_FAULT_IP];
    }
    if (flag(inv, KEEL_SHIFT_TCBCopyRegisters_transfer_integer)) {
        for (word_t i = ARCH_USER_CONTEXT_FRAME_WORDS; i < ARCH_USER_CONTEXT_WORDS; i++) {
            word_t reg = arch_user_context_register(i);
            target->context.r[reg] = source->context.r[reg];
        }
    }
    if (target == ks_cur_thread) {
        sched_request_reschedule();
    }
    return EXCEPTION_NONE;
}

/* Would deleting the cap in `slot` be long running (its object's slots must
 * be emptied)? Configure and SetSpace refuse to replace such a root. */
static bool is_long_running_delete(const cte_t *slot)
{
    enum cap_type type = cap_type(slot->cap);
    return type == cap_zombie || ((type == cap_cnode || type == cap_tcb) && cdt_is_final(slot));
}

/* The IPC-buffer frame argument: derived, a non-device frame, the address
 * 1 KiB aligned. buffer == 0 means "no buffer" and needs no frame. */
static exception_t check_ipc_buffer(invocation_t *inv, word_t buffer, cte_t *frame_slot,
                                    cap_t *frame)
{
    *frame = cap_null_new();
    if (buffer == 0) {
        return EXCEPTION_NONE;
    }
    exception_t status = cap_derive(inv, frame_slot, frame_slot->cap, frame);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!arch_cap_is_ipc_buffer(*frame)) {
        return error_illegal_operation(inv);
    }
    if (!IS_ALIGNED(buffer, IPC_BUFFER_ALIGN_BITS)) {
        return error_alignment(inv);
    }
    return EXCEPTION_NONE;
}

typedef struct space_args {
    word_t fault_ep;
    cap_t cspace;
    cte_t *cspace_slot;
    cap_t vspace;
    cte_t *vspace_slot;
} space_args_t;

/* The CSpace and VSpace roots of Configure and SetSpace. */
static exception_t check_spaces(invocation_t *inv, tcb_t *target, word_t cspace_data,
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
 * the delete of the old cap destroyed the source or the TCB itself. */
static exception_t replace_tcb_cap(invocation_t *inv, tcb_t *target, enum tcb_slot which,
                                   cap_t cap, cte_t *source)
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

static exception_t invoke_set_ipc_buffer(invocation_t *inv, tcb_t *target, word_t buffer,
                                         cap_t frame, cte_t *frame_slot)
{
    target->ipc_buffer = buffer;
    exception_t status = replace_tcb_cap(inv, target, TCB_IPC_BUFFER, frame, frame_slot);
    if (target == ks_cur_thread) {
        sched_request_reschedule();
    }
    return status;
}

static exception_t decode_configure(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBConfigure || inv->extra_count < KEEL_NCAPS_TCBConfigure) {
        return error_truncated_message(inv);
    }
    space_args_t a = {
        .fault_ep = inv_mr(inv, KEEL_MR_TCBConfigure_fault_ep),
        .cspace_slot = inv->extra[KEEL_CAP_TCBConfigure_cspace_root],
        .vspace_slot = inv->extra[KEEL_CAP_TCBConfigure_vspace_root],
    };
    word_t buffer = inv_mr(inv, KEEL_MR_TCBConfigure_buffer);
    cte_t *frame_slot = inv->extra[KEEL_CAP_TCBConfigure_bufferFrame];
    cap_t frame;
    exception_t status = check_ipc_buffer(inv, buffer, frame_slot, &frame);
    if (status == EXCEPTION_NONE) {
        status = check_spaces(inv, target, inv_mr(inv, KEEL_MR_TCBConfigure_cspace_root_data),
                              inv_mr(inv, KEEL_MR_TCBConfigure_vspace_root_data), &a);
    }
    if (status != EXCEPTION_NONE) {
        return status;
    }
    status = invoke_set_space(inv, target, &a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_set_ipc_buffer(inv, target, buffer, frame, frame_slot);
}

static exception_t decode_set_space(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBSetSpace || inv->extra_count < KEEL_NCAPS_TCBSetSpace) {
        return error_truncated_message(inv);
    }
    space_args_t a = {
        .fault_ep = inv_mr(inv, KEEL_MR_TCBSetSpace_fault_ep),
        .cspace_slot = inv->extra[KEEL_CAP_TCBSetSpace_cspace_root],
        .vspace_slot = inv->extra[KEEL_CAP_TCBSetSpace_vspace_root],
    };
    exception_t status =
        check_spaces(inv, target, inv_mr(inv, KEEL_MR_TCBSetSpace_cspace_root_data),
                     inv_mr(inv, KEEL_MR_TCBSetSpace_vspace_root_data), &a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_set_space(inv, target, &a);
}

static exception_t decode_set_ipc_buffer(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBSetIPCBuffer || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    word_t buffer = inv_mr(inv, KEEL_MR_TCBSetIPCBuffer_buffer);
    cte_t *frame_slot = inv->extra[KEEL_CAP_TCBSetIPCBuffer_bufferFrame];
    cap_t frame;
    exception_t status = check_ipc_buffer(inv, buffer, frame_slot, &frame);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    return invoke_set_ipc_buffer(inv, target, buffer, frame, frame_slot);
}

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

static exception_t decode_sched_params(invocation_t *inv, tcb_t *target)
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
    word_t mcp = inv_mr(inv, 0); /* SetMCPriority and SetSchedParams */
    word_t priority = label == TCBSetSchedParams ? inv_mr(inv, KEEL_MR_TCBSetSchedParams_priority)
                                                 : inv_mr(inv, KEEL_MR_TCBSetPriority_priority);
    if (label != TCBSetPriority && mcp > auth_mcp) {
        return error_range(inv, 0, auth_mcp);
    }
    if (label != TCBSetMCPriority && priority > auth_mcp) {
        return error_range(inv, 0, auth_mcp);
    }
    if (label != TCBSetPriority) {
        target->mcp = (uint8_t)mcp;
    }
    if (label != TCBSetMCPriority) {
        thread_set_priority(target, priority);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_bind_notification(invocation_t *inv, tcb_t *target)
{
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t cap = inv_extra_cap(inv, 0);
    if (target->bound_notification != 0 || cap_type(cap) != cap_notification ||
        !(cap_rights(cap) & RIGHT_READ)) {
        return error_illegal_operation(inv);
    }
    notification_t *ntfn = cap_object(cap);
    if (ntfn->head != 0 || ntfn->bound_tcb != 0) {
        return error_illegal_operation(inv);
    }
    ntfn->bound_tcb = ptr_to_paddr(target);
    target->bound_notification = cap_paddr(cap);
    return EXCEPTION_NONE;
}

static exception_t decode_unbind_notification(invocation_t *inv, tcb_t *target)
{
    if (target->bound_notification == 0) {
        return error_illegal_operation(inv);
    }
    notification_t *ntfn = paddr_to_ptr(target->bound_notification);
    ntfn->bound_tcb = 0;
    target->bound_notification = 0;
    return EXCEPTION_NONE;
}

static exception_t decode_set_flags(invocation_t *inv, tcb_t *target)
{
    if (inv->length < KEEL_LEN_TCBSetFlags) {
        return error_truncated_message(inv);
    }
    word_t clear = inv_mr(inv, KEEL_MR_TCBSetFlags_clear);
    word_t set = inv_mr(inv, KEEL_MR_TCBSetFlags_set);
    target->flags = (target->flags & ~clear) | (set & TCB_FLAGS_MASK);
    if (target->flags & TCB_FLAGS_MASK) {
        arch_fpu_release(target);
    }
    inv_reply_mr(inv, 0, target->flags);
    return EXCEPTION_NONE;
}

exception_t decode_tcb_invocation(invocation_t *inv)
{
    tcb_t *target = tcb_from_cap(inv->cap);
    switch (inv->label) {
    case TCBReadRegisters:
        return decode_read_registers(inv, target);
    case TCBWriteRegisters:
        return decode_write_registers(inv, target);
    case TCBCopyRegisters:
        return decode_copy_registers(inv, target);
    case TCBConfigure:
        return decode_configure(inv, target);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams:
        return decode_sched_params(inv, target);
    case TCBSetIPCBuffer:
        return decode_set_ipc_buffer(inv, target);
    case TCBSetSpace:
        return decode_set_space(inv, target);
    case TCBSuspend:
        thread_suspend(target);
        return EXCEPTION_NONE;
    case TCBResume:
        thread_resume(target);
        return EXCEPTION_NONE;
    case TCBBindNotification:
        return decode_bind_notification(inv, target);
    case TCBUnbindNotification:
        return decode_unbind_notification(inv, target);
    case TCBSetTLSBase:
        if (inv->length < KEEL_LEN_TCBSetTLSBase) {
            return error_truncated_message(inv);
        }
        target->context.r[ARCH_REG_TLS] = inv_mr(inv, KEEL_MR_TCBSetTLSBase_tls_base);
        return EXCEPTION_NONE;
    case TCBSetFlags:
        return decode_set_flags(inv, target);
    default:
        if (CONFIG_HARDWARE_DEBUG_API) {
            return decode_tcb_debug_invocation(inv, target);
        }
        return error_illegal_operation(inv);
    }
}
