/* First level of invocation dispatch: by the type of the invoked cap. Each
 * object type owns its label switch in its own file. */
#include <invocation.h>

exception_t decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case cap_null:
        return error_invalid_capability(inv, 0);
    case cap_frame:
    case cap_page_table:
    case cap_vspace:
    case cap_asid_control:
    case cap_asid_pool:
        return arch_decode_invocation(inv);
    default:
        /* Object methods arrive type by type (capabilities, threads,
         * virtual memory and interrupt issues). */
        return error_illegal_operation(inv);
    }
}
