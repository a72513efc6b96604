/* The AArch64 capability types (seL4's numbers, all odd) and their layouts,
 * in the format of cap.h:
 *
 *   type          word 0 [58:48]                         word 1
 *   frame         [58:57] size, [56:55] vm rights,       [63:48] ASID, [47:0] mapped vaddr
 *                 [54] device                            (ASID 0: not mapped)
 *   page table    [58] mapped, [57:56] level             [63:48] ASID, [47:0] vaddr
 *   vspace        [58] has ASID                          ASID
 *   asid control  -                                      -
 *   asid pool     -                                      first ASID of the pool
 *   sgi signal    -                                      [7:0] SGI, [15:8] target CPU
 *
 * Also the rules for them that the generic cap functions (core/capability.c,
 * core/cdt.c) hand over, inline because deletion and revocation ask on
 * every cap (arch.h declares them). */
#pragma once

#include <cap.h>
#include <capability.h>
#include <keel/gen/abi.h>

enum arch_cap_type {
    cap_frame = 1,
    cap_page_table = 3,
    cap_vspace = 9,
    cap_asid_control = 11,
    cap_asid_pool = 13,
    cap_sgi_signal = 27,
};

/* frame */
CAP_FIELD(frame_size, 0, 57, 2)
CAP_FIELD(frame_vm_rights, 0, 55, 2)
CAP_FIELD(frame_is_device, 0, 54, 1)
CAP_FIELD(mapped_asid, 1, 48, 16)
CAP_FIELD(mapped_vaddr, 1, 0, 48)
/* page table */
CAP_FIELD(pt_is_mapped, 0, 58, 1)
CAP_FIELD(pt_level, 0, 56, 2)
/* vspace */
CAP_FIELD(vspace_has_asid, 0, 58, 1)
CAP_FIELD(vspace_asid, 1, 0, 16)
/* asid pool */
CAP_FIELD(asid_base, 1, 0, 16)
/* sgi signal */
CAP_FIELD(sgi_signal_irq, 1, 0, 8)
CAP_FIELD(sgi_signal_target, 1, 8, 8)

/* Frame sizes. */
enum frame_size { FRAME_SMALL = 0, FRAME_LARGE = 1, FRAME_HUGE = 2 };

static inline cap_t cap_frame_new(paddr_t base, enum frame_size size, enum vm_rights rights,
                                  bool is_device, word_t asid, vaddr_t mapped_vaddr)
{
    cap_t c = cap_new(cap_frame, base);
    c = cap_with_frame_size(c, size);
    c = cap_with_frame_vm_rights(c, rights);
    c = cap_with_frame_is_device(c, is_device);
    c = cap_with_mapped_asid(c, asid);
    return cap_with_mapped_vaddr(c, mapped_vaddr);
}

static inline cap_t cap_page_table_new(paddr_t base, unsigned level, word_t asid, vaddr_t vaddr)
{
    cap_t c = cap_new(cap_page_table, base);
    c = cap_with_pt_is_mapped(c, 1);
    c = cap_with_pt_level(c, level);
    c = cap_with_mapped_asid(c, asid);
    return cap_with_mapped_vaddr(c, vaddr);
}

static inline cap_t cap_vspace_new(paddr_t base, word_t asid)
{
    cap_t c = cap_new(cap_vspace, base);
    c = cap_with_vspace_has_asid(c, 1);
    return cap_with_vspace_asid(c, asid);
}

static inline cap_t cap_asid_pool_new(paddr_t base, word_t asid_base)
{
    return cap_with_asid_base(cap_new(cap_asid_pool, base), asid_base);
}

static inline cap_t cap_sgi_signal_new(word_t sgi, word_t target)
{
    return cap_with_sgi_signal_target(cap_with_sgi_signal_irq(cap_new(cap_sgi_signal, 0), sgi),
                                      target);
}

/* Size of a frame cap's frame as a power of two (4 KiB, 2 MiB, 1 GiB). */
static inline unsigned cap_frame_size_bits(cap_t frame)
{
    static const uint8_t bits[] = { 12, 21, 30, 0 };
    return bits[cap_frame_size(frame) & 3];
}

static inline unsigned arch_cap_size_bits(cap_t cap)
{
    switch (cap_type(cap)) {
    case cap_frame:
        return cap_frame_size_bits(cap);
    case cap_page_table:
    case cap_vspace:
    case cap_asid_pool:
        return 12;
    default:
        return 0;
    }
}

/* b is of a's type (cap_same_region_as has checked). */
static inline bool arch_same_region_as(cap_t a, cap_t b)
{
    switch (cap_type(a)) {
    case cap_frame:
        return cap_paddr(a) == cap_paddr(b) && cap_frame_size(a) == cap_frame_size(b) &&
               cap_frame_is_device(a) == cap_frame_is_device(b);
    case cap_page_table:
    case cap_vspace:
    case cap_asid_pool:
        return cap_paddr(a) == cap_paddr(b);
    case cap_asid_control:
        return true;
    default:
        return false; /* SGI signal caps: each is its own */
    }
}

static inline cap_t arch_mask_cap_rights(cap_t cap, word_t rights)
{
    if (cap_type(cap) == cap_frame) {
        return cap_with_frame_vm_rights(cap, vm_rights_mask(cap_frame_vm_rights(cap), rights));
    }
    return cap;
}

/* A frame cap's copy carries no mapping; an unmapped page table and a
 * VSpace without an ASID cannot be copied (ABI 5.6). */
static inline word_t arch_derive_cap(cap_t *cap)
{
    switch (cap_type(*cap)) {
    case cap_frame:
        *cap = cap_with_mapped_vaddr(cap_with_mapped_asid(*cap, 0), 0);
        return 0;
    case cap_page_table:
        return cap_pt_is_mapped(*cap) ? 0 : seL4_IllegalOperation;
    case cap_vspace:
        return cap_vspace_has_asid(*cap) ? 0 : seL4_IllegalOperation;
    default:
        return 0;
    }
}
