/* tests/host/host_arch.h for the AArch64 port. */
#include "host_arch.h"

#include <arch/arch.h>

const bool host_arch_has_objects = true;

cap_t host_arch_frame_cap(paddr_t base, enum vm_rights rights, bool device)
{
    return cap_frame_new(base, FRAME_SMALL, rights, device, 0, 0);
}

word_t host_arch_cap_type(enum m_type type)
{
    return type == M_FRAME ? cap_frame : type == M_PAGE_TABLE ? cap_page_table : cap_vspace;
}

bool host_arch_cap_matches(const m_cap_t *c, cap_t k)
{
    static const word_t vm[] = { [M_VM_KERNEL_ONLY] = VM_KERNEL_ONLY,
                                 [M_VM_READ_ONLY] = VM_READ_ONLY,
                                 [M_VM_READ_WRITE] = VM_READ_WRITE };
    switch (c->type) {
    case M_FRAME:
        return cap_frame_size_bits(k) == c->bits && cap_frame_vm_rights(k) == vm[c->rights] &&
               cap_frame_is_device(k) == c->device && cap_mapped_asid(k) == 0 &&
               cap_mapped_vaddr(k) == 0;
    case M_PAGE_TABLE:
        return cap_pt_is_mapped(k) == 0;
    default: /* M_VSPACE */
        return cap_vspace_has_asid(k) == 0;
    }
}
