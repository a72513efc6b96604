/* Arm address-space objects' methods (ABI 5.4.6): page tables, frames,
 * VSpaces, ASID control and ASID pools. */
#pragma once

#include <invocation.h>

exception_t decode_frame_invocation(invocation_t *inv);
exception_t decode_page_table_invocation(invocation_t *inv);
exception_t decode_vspace_invocation(invocation_t *inv);
exception_t decode_asid_control_invocation(invocation_t *inv);
exception_t decode_asid_pool_invocation(invocation_t *inv);
