/* CPtr resolution through CNodes with guards (ABI 1.7). Each level consumes
 * guard-size + radix bits; a level always consumes at least one bit (a CNode
 * has radix >= 1), so even cyclic CSpaces resolve in at most 64 steps. */
#include <cspace.h>

resolve_ret_t resolve_address_bits(cap_t root, word_t cptr, word_t n_bits)
{
    resolve_ret_t ret = { .slot = NULL, .bits_remaining = n_bits };
    if (cap_type(root) != cap_cnode) {
        ret.fault = lookup_fault_invalid_root();
        return ret;
    }
    for (;;) {
        word_t radix = cap_cnode_radix(root);
        word_t guard_size = cap_cnode_guard_size(root);
        word_t guard = cap_cnode_guard(root) & MASK(guard_size);
        word_t level = radix + guard_size;
        if (guard_size > n_bits ||
            (guard_size > 0 && ((cptr >> (n_bits - guard_size)) & MASK(guard_size)) != guard)) {
            ret.fault = lookup_fault_guard_mismatch(n_bits, guard, guard_size);
            return ret;
        }
        if (level > n_bits) {
            ret.fault = lookup_fault_depth_mismatch(n_bits, level);
            return ret;
        }
        word_t index = (cptr >> (n_bits - level)) & MASK(radix);
        cte_t *slot = cnode_slot(root, index);
        n_bits -= level;
        if (n_bits == 0 || cap_type(slot->cap) != cap_cnode) {
            ret.slot = slot;
            ret.bits_remaining = n_bits;
            return ret;
        }
        root = slot->cap;
    }
}

lookup_cap_ret_t lookup_cap_walk(tcb_t *thread, word_t cptr)
{
    lookup_cap_ret_t ret = { .cap = cap_null_new(), .slot = NULL };
    resolve_ret_t r = resolve_address_bits(tcb_slot(thread, TCB_CSPACE_ROOT)->cap, cptr, WORD_BITS);
    ret.fault = r.fault;
    if (r.fault.type == 0) {
        ret.slot = r.slot;
        ret.cap = r.slot->cap;
    }
    return ret;
}
