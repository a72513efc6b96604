/* Invocations of the AArch64 capability types (frames, page tables,
 * VSpaces, ASID control and pools, SGI signals; each type owns its label
 * switch), and creating and destroying their objects. */
#include <arch/arch.h>
#include <arch/irq.h>
#include <arch/vspace_invocation.h>
#include <invocation.h>
#include <keel/gen/abi.h>
#include <objecttype.h>

exception_t arch_decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case cap_frame:
        return decode_frame_invocation(inv);
    case cap_page_table:
        return decode_page_table_invocation(inv);
    case cap_vspace:
        return decode_vspace_invocation(inv);
    case cap_asid_control:
        return decode_asid_control_invocation(inv);
    case cap_asid_pool:
        return decode_asid_pool_invocation(inv);
    case cap_sgi_signal:
        return invoke_sgi_signal(inv);
    default:
        return error_illegal_operation(inv);
    }
}

word_t arch_object_size_bits(word_t type)
{
    switch (type) {
    case seL4_ARM_SmallPageObject:
    case seL4_ARM_VSpaceObject:
    case seL4_ARM_PageTableObject:
        return PAGE_BITS;
    case seL4_ARM_LargePageObject:
        return 21;
    case seL4_ARM_HugePageObject:
        return 30;
    default:
        return 0;
    }
}

cap_t arch_object_create(word_t type, paddr_t base, bool device)
{
    switch (type) {
    case seL4_ARM_SmallPageObject:
        return cap_frame_new(base, FRAME_SMALL, VM_READ_WRITE, device, 0, 0);
    case seL4_ARM_LargePageObject:
        return cap_frame_new(base, FRAME_LARGE, VM_READ_WRITE, device, 0, 0);
    case seL4_ARM_HugePageObject:
        return cap_frame_new(base, FRAME_HUGE, VM_READ_WRITE, device, 0, 0);
    case seL4_ARM_PageTableObject:
        return cap_with_pt_is_mapped(cap_page_table_new(base, 0, 0, 0), 0);
    case seL4_ARM_VSpaceObject:
        return cap_new(cap_vspace, base); /* no ASID until ASIDPool_Assign */
    default:
        return cap_null_new();
    }
}

cap_t arch_object_finalise(cap_t cap, bool final)
{
    switch (cap_type(cap)) {
    case cap_frame:
        /* Each frame cap carries its own mapping: undo it whether final or not. */
        if (cap_mapped_asid(cap) != 0) {
            vspace_unmap_frame(cap_mapped_asid(cap), cap_mapped_vaddr(cap), cap_paddr(cap),
                               cap_frame_size_bits(cap));
        }
        break;
    case cap_page_table:
        if (final && cap_pt_is_mapped(cap)) {
            vspace_unmap_page_table(cap_mapped_asid(cap), cap_mapped_vaddr(cap),
                                    (unsigned)cap_pt_level(cap), cap_paddr(cap));
        }
        break;
    case cap_vspace:
        if (final && cap_vspace_has_asid(cap)) {
            vspace_release_asid(cap_vspace_asid(cap), cap_paddr(cap));
        }
        break;
    case cap_asid_pool:
        if (final) {
            vspace_release_asid_pool(cap_asid_base(cap), cap_paddr(cap));
        }
        break;
    default:
        break;
    }
    return cap_null_new();
}
