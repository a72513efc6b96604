/* Invocations of the Arm-specific capability types: frames, page tables,
 * VSpaces, ASID control and pools. Each type owns its label switch. */
#include <invocation.h>
#include <keel/gen/abi.h>

/* ARM_Page_GetAddress: the frame's physical address, mapped or not. */
static exception_t decode_frame_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case ARMPageGetAddress:
        inv_reply_mr(inv, 0, cap_paddr(inv->cap));
        return EXCEPTION_NONE;
    default:
        /* Map, Unmap and cache maintenance arrive with virtual memory. */
        return error_illegal_operation(inv);
    }
}

exception_t arch_decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case cap_frame:
        return decode_frame_invocation(inv);
    default:
        return error_illegal_operation(inv);
    }
}
