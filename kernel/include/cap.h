/* Capabilities: two machine words, a type tag and type-specific fields.
 *
 *   word 0: [63:59] type  [58:48] type-specific  [47:0] physical address of the object
 *   word 1: type-specific (badge, guard, free index, mapping, ...)
 *
 *   type          word 0 [58:48]                         word 1
 *   untyped       [58] device, [57:52] size bits         free index (bytes used)
 *   endpoint      [51:48] rights (W R G GR, ABI 2.2)     badge
 *   notification  [49:48] rights (W = send, R = receive)  badge
 *   reply         [48] master, [49] can grant            -
 *   cnode         [57:52] radix                          guard data (ABI 2.3 layout)
 *   irq handler   -                                      IRQ number
 *   zombie        [58] is a TCB, [57:52] CNode radix     slots still to delete
 *                 (address: the TCB or CNode being destroyed)
 *
 * These are the architecture-independent types, whose numbers are even; the
 * architecture's own (frames, page tables, ...: seL4's odd numbers) have
 * their layouts in the port (arch.h, arch_cap_is_arch). The type numbers are
 * the ones DebugCapIdentify reports (ABI appendix A). Layouts are written
 * out by hand with explicit shifts and masks, never C bitfields, so they are
 * exactly what this table says. This header is pure representation: it
 * depends on no architecture (the kernel's pointer to a cap's object is
 * cap_object, paddr.h). */
#pragma once

#include <keel/gen/abi.h>
#include <util.h>

enum cap_type {
    cap_null = 0,
    cap_untyped = 2,
    cap_endpoint = 4,
    cap_notification = 6,
    cap_reply = 8,
    cap_cnode = 10,
    cap_tcb = 12,
    cap_irq_control = 14,
    cap_irq_handler = 16,
    cap_zombie = 18,
    cap_domain = 20,
};

typedef struct cap {
    word_t w[2];
} cap_t;

#define CAP_ADDR_BITS 48

#define CAP_FIELD(name, word, lo, width)                                                           \
    static inline word_t cap_##name(cap_t c)                                                       \
    {                                                                                              \
        return (c.w[word] >> (lo)) & MASK(width);                                                  \
    }                                                                                              \
    static inline cap_t cap_with_##name(cap_t c, word_t v)                                         \
    {                                                                                              \
        c.w[word] = (c.w[word] & ~(MASK(width) << (lo))) | ((v & MASK(width)) << (lo));            \
        return c;                                                                                  \
    }

CAP_FIELD(type, 0, 59, 5)
CAP_FIELD(paddr, 0, 0, CAP_ADDR_BITS)
/* untyped */
CAP_FIELD(untyped_is_device, 0, 58, 1)
CAP_FIELD(untyped_size_bits, 0, 52, 6)
CAP_FIELD(untyped_free_index, 1, 0, 64)
/* endpoint and notification: rights in ABI order, badge */
CAP_FIELD(rights, 0, 48, 4)
CAP_FIELD(badge, 1, 0, 64)
/* reply */
CAP_FIELD(reply_master, 0, 48, 1)
CAP_FIELD(reply_can_grant, 0, 49, 1)
/* cnode */
CAP_FIELD(cnode_radix, 0, 52, 6)
CAP_FIELD(cnode_whole_word, 0, 58, 1) /* guard size + radix = 64: cap_cnode_with_guard */
CAP_FIELD(cnode_guard_size, 1, 0, 6)
CAP_FIELD(cnode_guard, 1, 6, 58)
/* irq handler */
CAP_FIELD(irq, 1, 0, 16)
/* zombie: an object being destroyed, its slots not yet all emptied */
CAP_FIELD(zombie_is_tcb, 0, 58, 1)
CAP_FIELD(zombie_radix, 0, 52, 6)
CAP_FIELD(zombie_count, 1, 0, 64)

/* Rights bits of endpoint/notification caps: those of the ABI's CapRights word. */
#define RIGHT_WRITE BIT(KEEL_seL4_CapRights_capAllowWrite_SHIFT) /* send */
#define RIGHT_READ BIT(KEEL_seL4_CapRights_capAllowRead_SHIFT)   /* receive */
#define RIGHT_GRANT BIT(KEEL_seL4_CapRights_capAllowGrant_SHIFT)
#define RIGHT_GRANT_REPLY BIT(KEEL_seL4_CapRights_capAllowGrantReply_SHIFT)

/* The VM rights of a frame (seL4's VMRights, the same on every
 * architecture; capability.h masks them). */
enum vm_rights { VM_KERNEL_ONLY = 1, VM_READ_ONLY = 2, VM_READ_WRITE = 3 };

/* A cap of `type` (generic or the architecture's) to the object at `object`. */
static inline cap_t cap_new(word_t type, paddr_t object)
{
    cap_t c = { { 0, 0 } };
    c = cap_with_type(c, type);
    return cap_with_paddr(c, object);
}

static inline cap_t cap_null_new(void)
{
    return (cap_t){ { 0, 0 } };
}

static inline bool cap_is_null(cap_t c)
{
    return cap_type(c) == cap_null;
}

static inline cap_t cap_untyped_new(paddr_t base, unsigned size_bits, bool is_device)
{
    cap_t c = cap_new(cap_untyped, base);
    c = cap_with_untyped_size_bits(c, size_bits);
    return cap_with_untyped_is_device(c, is_device);
}

/* Give a CNode cap a guard. Also sets cnode_whole_word, derived from the
 * guard size and the radix: whether a lookup through this CNode consumes a
 * whole 64-bit CPtr at once, so the one-level lookup of every system call
 * (cspace.h) tests one bit. The invariant checker verifies the bit. */
static inline cap_t cap_cnode_with_guard(cap_t c, unsigned guard_size, word_t guard)
{
    c = cap_with_cnode_guard_size(c, guard_size);
    c = cap_with_cnode_guard(c, guard);
    return cap_with_cnode_whole_word(c, guard_size + cap_cnode_radix(c) == WORD_BITS);
}

static inline cap_t cap_cnode_new(paddr_t base, unsigned radix, unsigned guard_size, word_t guard)
{
    cap_t c = cap_new(cap_cnode, base);
    c = cap_with_cnode_radix(c, radix);
    return cap_cnode_with_guard(c, guard_size, guard);
}

/* A zombie of the CNode or TCB at `object` with `count` slots left to empty
 * (radix: the CNode's; 0 for a TCB). */
static inline cap_t cap_zombie_new(paddr_t object, bool is_tcb, word_t radix, word_t count)
{
    cap_t c = cap_new(cap_zombie, object);
    c = cap_with_zombie_is_tcb(c, is_tcb);
    c = cap_with_zombie_radix(c, radix);
    return cap_with_zombie_count(c, count);
}
