/* IRQ control and IRQ handlers (ABI 5.4.4). Each interrupt with a handler
 * has a kernel slot holding a copy of the notification cap it signals, so
 * the notification's deletion and the derivation tree see that reference.
 * IRQ control's methods that depend on the interrupt controller (a trigger
 * mode, software-generated interrupts) are the port's
 * (arch_decode_irq_control_invocation); they issue handlers through
 * decode_irq_issue and perform_irq_issue. */
#include <arch/arch.h>
#include <cdt.h>
#include <delete.h>
#include <keel/gen/abi.h>
#include <object/irq.h>
#include <object/notification.h>
#include <printk.h>

#define IRQ_COUNT (ARCH_MAX_IRQ + 1)

static bool irq_taken[IRQ_COUNT];
static cte_t irq_notification[IRQ_COUNT];

static bool irq_reserved(word_t irq)
{
    return irq == ARCH_TIMER_IRQ;
}

exception_t decode_irq_issue(invocation_t *inv, word_t irq, word_t index, word_t depth,
                             word_t root_cap, irq_issue_args_t *args)
{
    if (irq > ARCH_MAX_IRQ) {
        return error_range(inv, 0, ARCH_MAX_IRQ);
    }
    if (irq_taken[irq] || irq_reserved(irq)) {
        return error_revoke_first(inv);
    }
    exception_t status = lookup_slot_for_cnode_op(inv, false, inv_extra_cap(inv, root_cap), index,
                                                  depth, &args->dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(args->dest->cap)) {
        return error_delete_first(inv);
    }
    args->irq = irq;
    args->control = inv->slot;
    return EXCEPTION_NONE;
}

void perform_irq_issue(const irq_issue_args_t *args)
{
    irq_taken[args->irq] = true;
    cdt_insert_derived(cap_with_irq(cap_new(cap_irq_handler, 0), args->irq), args->control,
                       args->dest);
    arch_irq_unmask(args->irq);
}

static exception_t decode_issue_handler(invocation_t *inv, irq_issue_args_t *args)
{
    if (inv->length < KEEL_LEN_IRQIssueIRQHandler || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    return decode_irq_issue(inv, inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_irq),
                            inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_index),
                            inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_depth),
                            KEEL_CAP_IRQIssueIRQHandler_root, args);
}

exception_t decode_irq_control_invocation(invocation_t *inv)
{
    if (inv->label != IRQIssueIRQHandler) {
        return arch_decode_irq_control_invocation(inv);
    }
    irq_issue_args_t args;
    exception_t status = decode_issue_handler(inv, &args);
    if (status == EXCEPTION_NONE) {
        perform_irq_issue(&args);
    }
    return status;
}

/* SetIRQHandler: a notification cap that may be signalled. */
static exception_t decode_set_handler(invocation_t *inv, cte_t **ntfn)
{
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    *ntfn = inv->extra[KEEL_CAP_IRQSetIRQHandler_notification];
    if (cap_type((*ntfn)->cap) != cap_notification || !(cap_rights((*ntfn)->cap) & RIGHT_WRITE)) {
        return error_invalid_capability(inv, 0);
    }
    return EXCEPTION_NONE;
}

static void perform_set_handler(cte_t *slot, cte_t *ntfn)
{
    cte_delete_one(slot);
    cdt_insert_derived(ntfn->cap, ntfn, slot);
}

exception_t decode_irq_handler_invocation(invocation_t *inv)
{
    irq_t irq = cap_irq(inv->cap);
    cte_t *slot = &irq_notification[irq % IRQ_COUNT];
    switch (inv->label) {
    case IRQAckIRQ:
        arch_irq_unmask(irq);
        return EXCEPTION_NONE;
    case IRQSetIRQHandler: {
        cte_t *ntfn;
        exception_t status = decode_set_handler(inv, &ntfn);
        if (status == EXCEPTION_NONE) {
            perform_set_handler(slot, ntfn);
        }
        return status;
    }
    case IRQClearIRQHandler:
        cte_delete_one(slot);
        return EXCEPTION_NONE;
    default:
        return error_illegal_operation(inv);
    }
}

bool irq_deliver(irq_t irq)
{
    if (irq >= IRQ_COUNT || !irq_taken[irq]) {
        return false;
    }
    arch_irq_mask(irq); /* until the driver acknowledges it */
    cap_t ntfn = irq_notification[irq].cap;
    if (cap_type(ntfn) != cap_notification) {
        kprintf("Undelivered IRQ: %lu\n", irq);
        return true;
    }
    notification_signal(cap_object(ntfn), cap_badge(ntfn));
    return true;
}

void irq_deactivate(irq_t irq)
{
    if (irq >= IRQ_COUNT) {
        return;
    }
    arch_irq_mask(irq);
    irq_taken[irq] = false;
    cte_delete_one(&irq_notification[irq]);
}
