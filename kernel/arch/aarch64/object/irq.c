/* IRQ control's Arm methods (ABI 5.4.4): a handler with a chosen trigger
 * mode (ARMIRQIssueIRQHandlerTrigger) and SGI signal caps
 * (ARMIRQIssueSGISignal), whose invocation raises a software-generated
 * interrupt at a CPU. Handlers are issued by the generic code
 * (decode_irq_issue, perform_irq_issue in object/irq.h). */
#include <arch/arch.h>
#include <arch/irq.h>
#include <cdt.h>
#include <keel/gen/abi.h>
#include <object/irq.h>
#include <plat/irq.h>

#define SGI_COUNT 16
#define SGI_MAX_TARGET 7

static exception_t decode_issue_trigger(invocation_t *inv, irq_issue_args_t *args, bool *edge)
{
    if (inv->length < KEEL_LEN_ARMIRQIssueIRQHandlerTrigger || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    *edge = inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_trigger) != 0;
    return decode_irq_issue(inv, inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_irq),
                            inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_index),
                            inv_mr(inv, KEEL_MR_ARMIRQIssueIRQHandlerTrigger_depth),
                            KEEL_CAP_ARMIRQIssueIRQHandlerTrigger_root, args);
}

typedef struct sgi_args {
    word_t sgi;
    word_t target;
    cte_t *dest;
} sgi_args_t;

static exception_t decode_issue_sgi(invocation_t *inv, sgi_args_t *a)
{
    if (inv->length < KEEL_LEN_ARMIRQIssueSGISignal || inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    a->sgi = inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_irq);
    a->target = inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_target);
    if (a->sgi >= SGI_COUNT) {
        return error_range(inv, 0, SGI_COUNT - 1);
    }
    if (a->target > SGI_MAX_TARGET) {
        return error_invalid_argument(inv, 1);
    }
    exception_t status =
        lookup_slot_for_cnode_op(inv, false, inv_extra_cap(inv, KEEL_CAP_ARMIRQIssueSGISignal_root),
                                 inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_index),
                                 inv_mr(inv, KEEL_MR_ARMIRQIssueSGISignal_depth), &a->dest);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (!cap_is_null(a->dest->cap)) {
        return error_delete_first(inv);
    }
    return EXCEPTION_NONE;
}

exception_t arch_decode_irq_control_invocation(invocation_t *inv)
{
    exception_t status;
    switch (inv->label) {
    case ARMIRQIssueIRQHandlerTrigger: {
        irq_issue_args_t args;
        bool edge;
        status = decode_issue_trigger(inv, &args, &edge);
        if (status == EXCEPTION_NONE) {
            irq_set_trigger(args.irq, edge);
            perform_irq_issue(&args);
        }
        return status;
    }
    case ARMIRQIssueSGISignal: {
        sgi_args_t a;
        status = decode_issue_sgi(inv, &a);
        if (status == EXCEPTION_NONE) {
            cdt_insert_derived(cap_sgi_signal_new(a.sgi, a.target), inv->slot, a.dest);
        }
        return status;
    }
    default:
        return error_illegal_operation(inv);
    }
}

exception_t invoke_sgi_signal(invocation_t *inv)
{
    irq_raise_sgi(cap_sgi_signal_irq(inv->cap), cap_sgi_signal_target(inv->cap));
    return EXCEPTION_NONE;
}
