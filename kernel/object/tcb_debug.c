/* The hardware debug API's TCB methods (CONFIG_HARDWARE_DEBUG_API; seL4
 * manual "Debug Exception", docs/debug.md): SetBreakpoint, GetBreakpoint,
 * UnsetBreakpoint and ConfigureSingleStepping. Each decode_ function checks
 * the arguments in seL4's order and returns them; the perform cannot fail
 * and leaves the registers to the port (arch_debug_*). */
#include <config.h>

#if CONFIG_HARDWARE_DEBUG_API

#include <arch/arch.h>
#include <invocation.h>
#include <keel/gen/abi.h>
#include <object/tcb.h>

typedef struct breakpoint_args {
    word_t bp_num;
    vaddr_t vaddr;
    word_t type;
    word_t size;
    word_t rw;
} breakpoint_args_t;

/* The API IDs of the registers of `type` this CPU has. */
static word_t first_id(word_t type)
{
    return type == seL4_InstructionBreakpoint ? seL4_FirstBreakpoint : seL4_FirstWatchpoint;
}

/* bp_num names a register of `type` the CPU has; else a RangeError with
 * the IDs of that type. */
static exception_t check_register(invocation_t *inv, word_t bp_num, word_t type)
{
    word_t first = first_id(type);
    word_t count = arch_debug_registers(type);
    if (bp_num < first || bp_num - first >= count) {
        return error_range(inv, first, first + count - 1);
    }
    return EXCEPTION_NONE;
}

/* Get and Unset: any ID the CPU has, of either type. */
static exception_t check_any_register(invocation_t *inv, word_t bp_num)
{
    if (bp_num >= seL4_NumHWBreakpoints) {
        return error_range(inv, 0, seL4_NumHWBreakpoints - 1);
    }
    word_t type = bp_num < seL4_FirstWatchpoint ? seL4_InstructionBreakpoint : seL4_DataBreakpoint;
    return check_register(inv, bp_num, type);
}

/* The type's own rules: an instruction breakpoint has size 0, is
 * break-on-read and uses an instruction ID; a watchpoint has a size and
 * uses a watchpoint ID. Argument numbers as seL4 reports them. */
static exception_t check_type(invocation_t *inv, const breakpoint_args_t *a)
{
    if (a->type == seL4_InstructionBreakpoint) {
        if (a->size != 0) {
            return error_invalid_argument(inv, 3);
        }
        if (a->rw != seL4_BreakOnRead) {
            return error_invalid_argument(inv, 4);
        }
        return a->bp_num >= seL4_FirstWatchpoint ? error_invalid_argument(inv, 2) : EXCEPTION_NONE;
    }
    if (a->type != seL4_DataBreakpoint) {
        return error_invalid_argument(inv, 2); /* single step and BRK cannot be set */
    }
    if (a->size == 0) {
        return error_invalid_argument(inv, 3);
    }
    return a->bp_num < seL4_FirstWatchpoint ? error_invalid_argument(inv, 2) : EXCEPTION_NONE;
}

static exception_t decode_set_breakpoint(invocation_t *inv, breakpoint_args_t *a)
{
    if (inv->length < KEEL_LEN_TCBSetBreakpoint) {
        return error_truncated_message(inv);
    }
    *a = (breakpoint_args_t){
        .bp_num = inv_mr(inv, KEEL_MR_TCBSetBreakpoint_bp_num),
        .vaddr = inv_mr(inv, KEEL_MR_TCBSetBreakpoint_vaddr),
        .type = inv_mr(inv, KEEL_MR_TCBSetBreakpoint_type),
        .size = inv_mr(inv, KEEL_MR_TCBSetBreakpoint_size),
        .rw = inv_mr(inv, KEEL_MR_TCBSetBreakpoint_rw),
    };
    if (!arch_debug_user_address(a->vaddr)) {
        return error_invalid_argument(inv, 1);
    }
    exception_t status = check_type(inv, a);
    if (status != EXCEPTION_NONE) {
        return status;
    }
    if (a->rw >= seL4_MaxBreakpointAccess) {
        return error_invalid_argument(inv, 4);
    }
    if (a->size != 0 && a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8) {
        return error_invalid_argument(inv, 3);
    }
    if (a->size != 0 && (a->vaddr & (a->size - 1)) != 0) {
        return error_alignment(inv);
    }
    return check_register(inv, a->bp_num, a->type);
}

/* GetBreakpoint and UnsetBreakpoint: their one argument, an ID of either
 * type, in MR `mr` of a message of at least `length` words. */
static exception_t decode_bp_num(invocation_t *inv, word_t length, word_t mr, word_t *bp_num)
{
    if (inv->length < length) {
        return error_truncated_message(inv);
    }
    *bp_num = inv_mr(inv, mr);
    return check_any_register(inv, *bp_num);
}

static void invoke_get_breakpoint(invocation_t *inv, const tcb_t *target, word_t bp_num)
{
    arch_breakpoint_t b = arch_debug_get_breakpoint(target, bp_num);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBGetBreakpoint_vaddr, b.vaddr);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBGetBreakpoint_type, b.type);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBGetBreakpoint_size, b.size);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBGetBreakpoint_rw, b.rw);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBGetBreakpoint_is_enabled, b.enabled);
}

/* bp_num is not used on AArch64 (software step needs no register), so
 * nothing but the length can be wrong. */
static exception_t decode_configure_single_stepping(invocation_t *inv, word_t *instructions)
{
    if (inv->length < KEEL_LEN_TCBConfigureSingleStepping) {
        return error_truncated_message(inv);
    }
    *instructions = inv_mr(inv, KEEL_MR_TCBConfigureSingleStepping_num_instructions);
    return EXCEPTION_NONE;
}

static void invoke_configure_single_stepping(invocation_t *inv, tcb_t *target, word_t instructions)
{
    bool consumed = arch_debug_configure_stepping(target, instructions);
    inv_reply_mr(inv, KEEL_OUT_MR_TCBConfigureSingleStepping_bp_was_consumed, consumed);
}

bool tcb_is_debug_method(word_t label)
{
    return label == TCBSetBreakpoint || label == TCBGetBreakpoint || label == TCBUnsetBreakpoint ||
           label == TCBConfigureSingleStepping;
}

exception_t decode_tcb_debug_invocation(invocation_t *inv, tcb_t *target)
{
    exception_t status;
    switch (inv->label) {
    case TCBSetBreakpoint: {
        breakpoint_args_t a;
        status = decode_set_breakpoint(inv, &a);
        if (status == EXCEPTION_NONE) {
            arch_debug_set_breakpoint(target, a.bp_num, a.vaddr, a.type, a.size, a.rw);
        }
        return status;
    }
    case TCBGetBreakpoint: {
        word_t bp_num;
        status =
            decode_bp_num(inv, KEEL_LEN_TCBGetBreakpoint, KEEL_MR_TCBGetBreakpoint_bp_num, &bp_num);
        if (status == EXCEPTION_NONE) {
            invoke_get_breakpoint(inv, target, bp_num);
        }
        return status;
    }
    case TCBUnsetBreakpoint: {
        word_t bp_num;
        status = decode_bp_num(inv, KEEL_LEN_TCBUnsetBreakpoint, KEEL_MR_TCBUnsetBreakpoint_bp_num,
                               &bp_num);
        if (status == EXCEPTION_NONE) {
            arch_debug_unset_breakpoint(target, bp_num);
        }
        return status;
    }
    case TCBConfigureSingleStepping: {
        word_t instructions;
        status = decode_configure_single_stepping(inv, &instructions);
        if (status == EXCEPTION_NONE) {
            invoke_configure_single_stepping(inv, target, instructions);
        }
        return status;
    }
    default:
        return error_illegal_operation(inv);
    }
}

#endif
