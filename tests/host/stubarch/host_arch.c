/* tests/host/host_arch.h for the stub port: its one cap type of its own is
 * a 4 KiB frame. */
#include "host_arch.h"

#include <arch/arch.h>

const bool host_arch_has_objects = false;

cap_t host_arch_frame_cap(paddr_t base, enum vm_rights rights, bool device)
{
    cap_t c = cap_with_stub_frame_vm_rights(cap_new(cap_stub_frame, base), rights);
    return cap_with_stub_frame_is_device(c, device);
}

word_t host_arch_cap_type(enum m_type type)
{
    return type == M_FRAME ? cap_stub_frame : cap_null; /* no page tables, no VSpaces */
}

bool host_arch_cap_matches(const m_cap_t *c, cap_t k)
{
    static const word_t vm[] = { [M_VM_KERNEL_ONLY] = VM_KERNEL_ONLY,
                                 [M_VM_READ_ONLY] = VM_READ_ONLY,
                                 [M_VM_READ_WRITE] = VM_READ_WRITE };
    return c->type == M_FRAME && c->bits == ARCH_PAGE_BITS &&
           cap_stub_frame_vm_rights(k) == vm[c->rights] && cap_stub_frame_is_device(k) == c->device;
}
