/* Capability properties: see capability.h. The port's cap types (odd
 * numbers) go to its arch_ functions, each from a switch's default case,
 * so that the generic types' cases cost nothing more. */
#include <arch/arch.h>
#include <capability.h>

unsigned cap_object_size_bits(cap_t cap)
{
    switch (cap_type(cap)) {
    case cap_untyped:
        return (unsigned)cap_untyped_size_bits(cap);
    case cap_endpoint:
        return 4;
    case cap_notification:
        return 5;
    case cap_tcb:
        return 11;
    case cap_cnode:
        return (unsigned)cap_cnode_radix(cap) + 5;
    case cap_zombie:
        return cap_zombie_is_tcb(cap) ? 11 : (unsigned)cap_zombie_radix(cap) + 5;
    default:
        return arch_cap_is_arch(cap) ? arch_cap_size_bits(cap) : 0;
    }
}

static bool untyped_contains(cap_t untyped, cap_t b)
{
    unsigned b_bits = cap_object_size_bits(b);
    if (b_bits == 0) {
        return false;
    }
    paddr_t base = cap_paddr(untyped);
    paddr_t last = base + MASK(cap_untyped_size_bits(untyped));
    paddr_t b_base = cap_paddr(b);
    return base <= b_base && b_base + MASK(b_bits) <= last;
}

bool cap_same_region_as(cap_t a, cap_t b)
{
    word_t type = cap_type(a);
    if (type == cap_untyped) {
        return untyped_contains(a, b);
    }
    if (type == cap_irq_control) {
        return cap_type(b) == cap_irq_control || cap_type(b) == cap_irq_handler;
    }
    if (type != cap_type(b)) {
        return false;
    }
    switch (type) {
    case cap_endpoint:
    case cap_notification:
    case cap_tcb:
        return cap_paddr(a) == cap_paddr(b);
    case cap_cnode:
        return cap_paddr(a) == cap_paddr(b) && cap_cnode_radix(a) == cap_cnode_radix(b);
    case cap_reply:
        return cap_paddr(a) == cap_paddr(b) && cap_reply_master(a) == cap_reply_master(b);
    case cap_irq_handler:
        return cap_irq(a) == cap_irq(b);
    case cap_domain:
        return true;
    default:
        return arch_cap_is_arch(a) && arch_same_region_as(a, b);
    }
}

bool cap_same_object_as(cap_t a, cap_t b)
{
    if (cap_type(a) == cap_untyped) {
        return false;
    }
    if (cap_type(a) == cap_irq_control && cap_type(b) == cap_irq_handler) {
        return false;
    }
    return cap_same_region_as(a, b);
}

bool cap_is_revocable(cap_t derived, cap_t source)
{
    switch (cap_type(derived)) {
    case cap_endpoint:
    case cap_notification:
        return cap_badge(derived) != cap_badge(source);
    case cap_irq_handler:
        return cap_type(source) == cap_irq_control;
    case cap_untyped:
        return true;
    default:
        return false;
    }
}

word_t vm_rights_mask(word_t vm_rights, word_t rights)
{
    bool read = rights & BIT(1);
    bool write = rights & BIT(0);
    if (vm_rights == VM_READ_WRITE && read && write) {
        return VM_READ_WRITE;
    }
    if ((vm_rights == VM_READ_WRITE || vm_rights == VM_READ_ONLY) && read) {
        return VM_READ_ONLY;
    }
    return VM_KERNEL_ONLY;
}

cap_t cap_mask_rights(cap_t cap, word_t rights)
{
    switch (cap_type(cap)) {
    case cap_endpoint:
        return cap_with_rights(cap, cap_rights(cap) & rights & 0xf);
    case cap_notification:
        return cap_with_rights(cap, cap_rights(cap) & rights & 0x3);
    case cap_reply:
        return cap_with_reply_can_grant(cap, keel_seL4_CapRights_get_capAllowGrant(rights) &
                                                 cap_reply_can_grant(cap));
    default:
        return arch_cap_is_arch(cap) ? arch_mask_cap_rights(cap, rights) : cap;
    }
}

cap_t cap_update_data(cap_t cap, bool preserve, word_t data)
{
    switch (cap_type(cap)) {
    case cap_endpoint:
    case cap_notification:
        if (preserve || cap_badge(cap) != 0) {
            return cap_null_new();
        }
        return cap_with_badge(cap, data);
    case cap_cnode: {
        word_t guard_size = keel_seL4_CNode_CapData_get_guardSize(data);
        if (guard_size + cap_cnode_radix(cap) > WORD_BITS) {
            return cap_null_new();
        }
        word_t guard = keel_seL4_CNode_CapData_get_guard(data) & MASK(guard_size);
        return cap_cnode_with_guard(cap, (unsigned)guard_size, guard);
    }
    default:
        return cap;
    }
}
