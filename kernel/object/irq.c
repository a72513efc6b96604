/* IRQ control and IRQ handlers (ABI 5.4.4). Each interrupt with a handler
 * has a kernel slot holding a copy of the notification cap it signals, so
 * the notification's deletion and the derivation tree see that reference. */
#include <cdt.h>
#include <delete.h>
#include <keel/gen/abi.h>
#include <object/irq.h>
#include <object/notification.h>
#include <plat/machine.h>
#include <printk.h>

#define IRQ_COUNT (PLAT_MAX_IRQ + 1)
#define SGI_COUNT 16
#define SGI_MAX_TARGET 7

static bool irq_taken[IRQ_COUNT];
static cte_t irq_notification[IRQ_COUNT];

static bool irq_reserved(word_t irq)
{
    return irq == PLAT_TIMER_IRQ;
}

/* Get and GetTrigger: the IRQ number, then the destination slot. */
static exception_t decode_issue_handler(invocation_t *inv, word_t irq, word_t index, word_t depth,
                                        word_t root_cap, int trigger)
{
    if (irq > PLAT_MAX_IRQ) {
        return error_range(inv, 0, PLAT_MAX_IRQ);
    }
    if (irq_taken[irq] || irq_reserved(irq)) {
        return error_revoke_first(inv);
    }
    cte_t *dest;
    exception_t status =
        lookup_slot_for_cnode_op(inv, false, inv_extra_cap(inv, root_cap), index, depth, &dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    if (trigger >= 0) {
        irq_set_trigger(irq, trigger != 0);
    }
    irq_taken[irq] = true;
    cdt_insert_derived(cap_with_irq(cap_new(cap_irq_handler, 0), irq), inv->slot, dest);
    irq_unmask(irq);
    return EXCEPTION_NONE;
}

static exception_t decode_issue_sgi(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_ARMIRQIssueSGISignal || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    word_t sgi = inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_irq);
    word_t target = inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_target);
    if (sgi >= SGI_COUNT) {
        return error_range(inv, 0, SGI_COUNT - 1);
    }
    if (target > SGI_MAX_TARGET) {
        return error_invalid_argument(inv, 1);
    }
    cte_t *dest;
    exception_t status = lookup_slot_for_cnode_op(
        inv, false, inv_extra_cap(inv, KEEL_CAP_ARMIRQIssueSGISignal_root),
        inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_index),
        inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_depth), &dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(dest->cap)) {
        return error_delete_first(inv);
    }
    cdt_insert_derived(cap_with_irq(cap_new(cap_sgi_signal, 0), sgi | (target << 8)), inv->slot,
                       dest);
    return EXCEPTION_NONE;
}

exception_t decode_irq_control_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case IRQIssueIRQHandler:
        if (inv->length < KEEL_LEN_IRQIssueIRQHandler || inv->extra_count < 1) {
            return error_truncated_message(inv);
        }
        return decode_issue_handler(inv, inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_irq),
                                    inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_index),
                                    inv_mr(inv, KEEL_MR_IRQIssueIRQHandler_depth),
                                    KEEL_CAP_IRQIssueIRQHandler_root, -1);
    case ARMIRQIssueIRQHandlerTrigger:
        if (inv->length < KEEL_LEN_ARMIRQIssueIRQHandlerTrigger || inv->extra_count < 1) {
            return error_truncated_message(inv);
        }
        return decode_issue_handler(
            inv, inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_irq),
            inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_index),
            inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_depth),
            KEEL_CAP_ARMIRQIssueIRQHandlerTrigger_root,
            inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_trigger) != 0);
    case ARMIRQIssueSGISignal:
        return decode_issue_sgi(inv);
    default:
        return error_illegal_operation(inv);
    }
}

exception_t decode_irq_handler_invocation(invocation_t *inv)
{
    irq_t irq = cap_irq(inv->cap);
    cte_t *slot = &irq_notification[irq % IRQ_COUNT];
    switch (inv->label) {
    case IRQAckIRQ:
        irq_unmask(irq);
        return EXCEPTION_NONE;
    case IRQSetIRQHandler: {
        if (inv->extra_count < 1) {
            return error_truncated_message(inv);
        }
        cte_t *ntfn = inv->extra[KEEL_CAP_IRQSetIRQHandler_notification];
        if (cap_type(ntfn->cap) != cap_notification || !(cap_rights(ntfn->cap) & RIGHT_WRITE)) {
            return error_invalid_capability(inv, 0);
        }
        cte_delete_one(slot);
        cdt_insert_derived(ntfn->cap, ntfn, slot);
        return EXCEPTION_NONE;
    }
    case IRQClearIRQHandler:
        cte_delete_one(slot);
        return EXCEPTION_NONE;
    default:
        return error_illegal_operation(inv);
    }
}

exception_t invoke_sgi_signal(invocation_t *inv)
{
    word_t data = cap_irq(inv->cap);
    irq_raise_sgi(data & 0xff, data >> 8);
    return EXCEPTION_NONE;
}

bool irq_deliver(irq_t irq)
{
    if (irq >= IRQ_COUNT || !irq_taken[irq]) {
        return false;
    }
    irq_mask(irq); /* until the driver acknowledges it */
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
    irq_mask(irq);
    irq_taken[irq] = false;
    cte_delete_one(&irq_notification[irq]);
}
