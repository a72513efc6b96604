/* What every decoder uses (invocation.h): the error constructors (ABI 6.1),
 * reply message registers, CNode-style slot lookup, and the preemption
 * point of long operations. The system call that makes an invocation and
 * replies to it is the api layer's (api/invocation.c). */
#include <arch/arch.h>
#include <config.h>
#include <invocation.h>
#include <keel/gen/abi.h>

static exception_t set_error(invocation_t *inv, word_t type)
{
    inv->error = (syscall_error_t){ .type = type };
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t error_invalid_argument(invocation_t *inv, word_t argument)
{
    set_error(inv, seL4_InvalidArgument);
    inv->error.data[0] = argument;
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t error_invalid_capability(invocation_t *inv, word_t cap_number)
{
    set_error(inv, seL4_InvalidCapability);
    inv->error.data[0] = cap_number;
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t error_illegal_operation(invocation_t *inv)
{
    return set_error(inv, seL4_IllegalOperation);
}

exception_t error_range(invocation_t *inv, word_t min, word_t max)
{
    set_error(inv, seL4_RangeError);
    inv->error.data[0] = min;
    inv->error.data[1] = max;
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t error_alignment(invocation_t *inv)
{
    return set_error(inv, seL4_AlignmentError);
}

exception_t error_failed_lookup(invocation_t *inv, bool source, lookup_fault_t lookup)
{
    set_error(inv, seL4_FailedLookup);
    inv->error.lookup_source = source;
    inv->error.lookup = lookup;
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t error_truncated_message(invocation_t *inv)
{
    return set_error(inv, seL4_TruncatedMessage);
}

exception_t error_delete_first(invocation_t *inv)
{
    return set_error(inv, seL4_DeleteFirst);
}

exception_t error_revoke_first(invocation_t *inv)
{
    return set_error(inv, seL4_RevokeFirst);
}

exception_t error_not_enough_memory(invocation_t *inv, word_t bytes_available)
{
    set_error(inv, seL4_NotEnoughMemory);
    inv->error.data[0] = bytes_available;
    return EXCEPTION_SYSCALL_ERROR;
}

void inv_reply_mr(invocation_t *inv, word_t i, word_t value)
{
    if (tcb_set_mr(inv->thread, tcb_ipc_buffer(inv->thread, true), i, value) &&
        i + 1 > inv->reply_length) {
        inv->reply_length = i + 1;
    }
}

exception_t lookup_slot_for_cnode_op(invocation_t *inv, bool is_source, cap_t root, word_t index,
                                     word_t depth, cte_t **slot)
{
    /* All 64 bits through one whole-word CNode: what the walk below would
     * find, without the walk (no fault, no bits left). */
    cte_t *direct = depth == WORD_BITS ? whole_word_slot(root, index) : NULL;
    if (direct != NULL) {
        *slot = direct;
        return EXCEPTION_NONE;
    }
    if (cap_type(root) != cap_cnode) {
        return error_failed_lookup(inv, is_source, lookup_fault_invalid_root());
    }
    if (depth < 1 || depth > WORD_BITS) {
        return error_range(inv, 1, WORD_BITS);
    }
    resolve_ret_t r = resolve_address_bits(root, index, depth);
    if (r.fault.type != 0) {
        return error_failed_lookup(inv, is_source, r.fault);
    }
    if (r.bits_remaining != 0) {
        return error_failed_lookup(inv, is_source,
                                   lookup_fault_depth_mismatch(r.bits_remaining, 0));
    }
    *slot = r.slot;
    return EXCEPTION_NONE;
}

static word_t work_units;

exception_t preemption_point(void)
{
    if (++work_units < CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION) {
        return EXCEPTION_NONE;
    }
    work_units = 0;
    return arch_irq_is_pending() ? EXCEPTION_PREEMPTED : EXCEPTION_NONE;
}
